// Scale a Deployment or StatefulSet as the signed-in user: a merge patch of its scale subresource's replicas.
import { AppsV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { errorAnswer, failureAnswer, readJsonBody } from '../../../../../../../src/server/answers.ts';
import { callOf } from '../../../../../../../src/server/workload-object.ts';
import { forWorkload, type WorkloadRouteContext } from '../../../../../../../src/server/workload-route.ts';
import { scaleRequestSchema, WORKLOAD_INFO } from '../../../../../../../src/shared/workloads.ts';

export function PUT(request: Request, context: WorkloadRouteContext): Promise<Response> {
  return forWorkload(context, async (target, kubeConfig) => {
    if (!WORKLOAD_INFO[target.kind].scalable) return errorAnswer(400, `${target.kind} have no scale the console sets`);
    const call = { ...callOf('patch', target), resource: `${callOf('patch', target).resource}/scale` };
    try {
      const { replicas } = await readJsonBody(request, scaleRequestSchema, 1024);
      const apps = kubeConfig.makeApiClient(AppsV1Api);
      const patch = { name: target.name, namespace: target.namespace, body: { spec: { replicas } } };
      const header = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
      const scale =
        target.kind === 'deployments'
          ? await apps.patchNamespacedDeploymentScale(patch, header)
          : await apps.patchNamespacedStatefulSetScale(patch, header);
      return Response.json({ replicas: scale.spec?.replicas ?? 0 });
    } catch (error) {
      return failureAnswer(call, error);
    }
  });
}
