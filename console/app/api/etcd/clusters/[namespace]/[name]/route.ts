// Scales an EtcdCluster (PATCH {size}) as the signed-in user. The page offers it only when a SelfSubjectAccessReview
// allows `patch etcdclusters` in the cluster's namespace, but the API server decides.
import { failureAnswer, readJsonBody } from '../../../../../../src/server/answers.ts';
import { scaleEtcdCluster } from '../../../../../../src/server/etcd-actions.ts';
import { forEtcdCluster, type EtcdClusterRouteContext } from '../../../../../../src/server/etcd-cluster-route.ts';
import { scaleEtcdClusterSchema } from '../../../../../../src/shared/etcd-forms.ts';

export async function PATCH(request: Request, context: EtcdClusterRouteContext): Promise<Response> {
  return forEtcdCluster(context, async ({ namespace, name, kubeConfig }) => {
    try {
      const { size } = await readJsonBody(request, scaleEtcdClusterSchema, 1024);
      await scaleEtcdCluster(kubeConfig, namespace, name, size);
      return Response.json({ namespace, name, size });
    } catch (error) {
      return failureAnswer({ verb: 'patch', resource: 'etcdclusters.etcd.strata.dev', namespace, name }, error);
    }
  });
}
