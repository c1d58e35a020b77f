// "Restore to a new cluster": an EtcdRestore of one of the cluster's snapshots, created as the signed-in user. The
// page offers it only when a SelfSubjectAccessReview allows `create etcdrestores` in the cluster's namespace, but
// the API server decides.
import { failureAnswer, readJsonBody } from '../../../../../../../src/server/answers.ts';
import { restoreToNewCluster } from '../../../../../../../src/server/etcd-actions.ts';
import { forEtcdCluster, type EtcdClusterRouteContext } from '../../../../../../../src/server/etcd-cluster-route.ts';
import { restoreSchema } from '../../../../../../../src/shared/etcd-forms.ts';

export async function POST(request: Request, context: EtcdClusterRouteContext): Promise<Response> {
  return forEtcdCluster(context, async ({ namespace, name, kubeConfig }) => {
    try {
      const asked = await readJsonBody(request, restoreSchema, 2 * 1024);
      await restoreToNewCluster(kubeConfig, namespace, name, asked);
      return Response.json({ namespace, name: asked.cluster }, { status: 201 });
    } catch (error) {
      return failureAnswer({ verb: 'create', resource: 'etcdrestores.etcd.strata.dev', namespace }, error);
    }
  });
}
