// "Back up now": a one-shot EtcdBackup of the cluster, created as the signed-in user. The page offers it only when a
// SelfSubjectAccessReview allows `create etcdbackups` in the cluster's namespace, but the API server decides.
import { dnsLabelSchema } from '@strata/api';
import { consoleConfig } from '../../../../../../../src/server/config.ts';
import { errorAnswer, failureAnswer, readJsonBody } from '../../../../../../../src/server/answers.ts';
import { backUpNow } from '../../../../../../../src/server/etcd-actions.ts';
import { currentSession } from '../../../../../../../src/server/request-session.ts';
import { userKubeConfig } from '../../../../../../../src/server/user-client.ts';
import { backupNowSchema } from '../../../../../../../src/shared/etcd-forms.ts';

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
    const asked = await readJsonBody(request, backupNowSchema, 4 * 1024);
    const name = await backUpNow(
      userKubeConfig(consoleConfig().apiServer, session.token),
      namespace.data,
      cluster.data,
      asked,
    );
    return Response.json({ namespace: namespace.data, name }, { status: 201 });
  } catch (error) {
    return failureAnswer({ verb: 'create', resource: 'etcdbackups.etcd.strata.dev', namespace: namespace.data }, error);
  }
}
