// "Back up now": a one-shot EtcdBackup of the cluster, created as the signed-in user. The page offers it only when a
// SelfSubjectAccessReview allows `create etcdbackups` in the cluster's namespace, but the API server decides.
import { failureAnswer, readJsonBody } from '../../../../../../../src/server/answers.ts';
import { backUpNow } from '../../../../../../../src/server/etcd-actions.ts';
import { forEtcdCluster, type EtcdClusterRouteContext } from '../../../../../../../src/server/etcd-cluster-route.ts';
import { backupNowSchema } from '../../../../../../../src/shared/etcd-forms.ts';

export async function POST(request: Request, context: EtcdClusterRouteContext): Promise<Response> {
  return forEtcdCluster(context, async ({ namespace, name, kubeConfig }) => {
    try {
      const asked = await readJsonBody(request, backupNowSchema, 4 * 1024);
      const backup = await backUpNow(kubeConfig, namespace, name, asked);
      return Response.json({ namespace, name: backup }, { status: 201 });
    } catch (error) {
      return failureAnswer({ verb: 'create', resource: 'etcdbackups.etcd.strata.dev', namespace }, error);
    }
  });
}
