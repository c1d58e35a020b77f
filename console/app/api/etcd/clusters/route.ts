// Creates an EtcdCluster as the signed-in user. The body is checked with the same schema as the form, and the API
// server decides: its refusal (RBAC, a name taken, a rule of the CRD) comes back with its status and message.
import { consoleConfig } from '../../../../src/server/config.ts';
import { errorAnswer, failureAnswer, readJsonBody } from '../../../../src/server/answers.ts';
import { createEtcdCluster } from '../../../../src/server/etcd-actions.ts';
import { currentSession } from '../../../../src/server/request-session.ts';
import { userKubeConfig } from '../../../../src/server/user-client.ts';
import { createEtcdClusterSchema } from '../../../../src/shared/etcd-forms.ts';

export async function POST(request: Request): Promise<Response> {
  const session = await currentSession();
  if (session === undefined) return errorAnswer(401, 'not signed in');
  let name: string | undefined;
  let namespace: string | undefined;
  try {
    const asked = await readJsonBody(request, createEtcdClusterSchema, 16 * 1024);
    ({ name, namespace } = asked);
    await createEtcdCluster(userKubeConfig(consoleConfig().apiServer, session.token), asked);
    return Response.json({ namespace, name }, { status: 201 });
  } catch (error) {
    return failureAnswer(
      {
        verb: 'create',
        resource: 'etcdclusters.etcd.strata.dev',
        ...(name === undefined ? {} : { name }),
        ...(namespace === undefined ? {} : { namespace }),
      },
      error,
    );
  }
}
