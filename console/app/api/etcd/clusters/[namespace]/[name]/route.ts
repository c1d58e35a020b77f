// Scales an EtcdCluster (PATCH {size}) as the signed-in user. The page offers it only when a SelfSubjectAccessReview
// allows `patch etcdclusters` in the cluster's namespace, but the API server decides.
import { dnsLabelSchema } from '@strata/api';
import { consoleConfig } from '../../../../../../src/server/config.ts';
import { errorAnswer, failureAnswer, readJsonBody } from '../../../../../../src/server/answers.ts';
import { scaleEtcdCluster } from '../../../../../../src/server/etcd-actions.ts';
import { currentSession } from '../../../../../../src/server/request-session.ts';
import { userKubeConfig } from '../../../../../../src/server/user-client.ts';
import { scaleEtcdClusterSchema } from '../../../../../../src/shared/etcd-forms.ts';

export async function PATCH(
  request: Request,
  context: { params: Promise<{ namespace: string; name: string }> },
): Promise<Response> {
  const session = await currentSession();
  if (session === undefined) return errorAnswer(401, 'not signed in');
  const params = await context.params;
  const namespace = dnsLabelSchema.safeParse(params.namespace);
  const name = dnsLabelSchema.safeParse(params.name);
  if (!namespace.success || !name.success) return errorAnswer(400, 'not an EtcdCluster name');
  const call = { verb: 'patch', resource: 'etcdclusters.etcd.strata.dev', namespace: namespace.data, name: name.data };
  try {
    const { size } = await readJsonBody(request, scaleEtcdClusterSchema, 1024);
    await scaleEtcdCluster(userKubeConfig(consoleConfig().apiServer, session.token), namespace.data, name.data, size);
    return Response.json({ namespace: namespace.data, name: name.data, size });
  } catch (error) {
    return failureAnswer(call, error);
  }
}
