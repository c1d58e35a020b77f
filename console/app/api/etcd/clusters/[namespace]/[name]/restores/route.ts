// "Restore to a new cluster": an EtcdRestore of one of the cluster's snapshots, created as the signed-in user. The
// page offers it only when a SelfSubjectAccessReview allows `create etcdrestores` in the cluster's namespace, but
// the API server decides.
import { dnsLabelSchema } from '@strata/api';
import { consoleConfig } from '../../../../../../../src/server/config.ts';
import { errorAnswer, failureAnswer, readJsonBody } from '../../../../../../../src/server/answers.ts';
import { restoreToNewCluster } from '../../../../../../../src/server/etcd-actions.ts';
import { currentSession } from '../../../../../../../src/server/request-session.ts';
import { userKubeConfig } from '../../../../../../../src/server/user-client.ts';
import { restoreSchema } from '../../../../../../../src/shared/etcd-forms.ts';

export async function POST(
  request: Request,
  context: { params: Promise<{ namespace: string; name: string }> },
): Promise<Response> {
  const session = await currentSession();
  if (session === undefined) return errorAnswer(401, 'not signed in');
  const params = await context.params;
  const namespace = dnsLabelSchema.safeParse(params.namespace);
  const cluster = dnsLabelSchema.safeParse(params.name);
  if (!namespace.success || !cluster.success) return errorAnswer(400, 'not an EtcdCluster name');
  try {
    const asked = await readJsonBody(request, restoreSchema, 2 * 1024);
    await restoreToNewCluster(
      userKubeConfig(consoleConfig().apiServer, session.token),
      namespace.data,
      cluster.data,
      asked,
    );
    return Response.json({ namespace: namespace.data, name: asked.cluster }, { status: 201 });
  } catch (error) {
    return failureAnswer(
      { verb: 'create', resource: 'etcdrestores.etcd.strata.dev', namespace: namespace.data },
      error,
    );
  }
}
