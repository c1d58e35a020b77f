// Pause or resume one node's reboots (src/server/node-reboots.ts), as the signed-in user. The page offers it when a
// SelfSubjectAccessReview allows `patch nodes`; the API server decides, and its refusal is passed on.
import { errorAnswer, failureAnswer, readJsonBody } from '../../../../../src/server/answers.ts';
import { consoleConfig } from '../../../../../src/server/config.ts';
import { setRebootsPaused } from '../../../../../src/server/node-reboots.ts';
import { currentSession } from '../../../../../src/server/request-session.ts';
import { userKubeConfig } from '../../../../../src/server/user-client.ts';
import { nodeNameSchema, rebootsChangeSchema } from '../../../../../src/shared/node-detail.ts';

export async function PUT(request: Request, context: { params: Promise<{ name: string }> }): Promise<Response> {
  const session = await currentSession();
  if (session === undefined) return errorAnswer(401, 'not signed in');
  const name = nodeNameSchema.safeParse((await context.params).name);
  if (!name.success) return errorAnswer(400, 'not a node name');
  try {
    const change = await readJsonBody(request, rebootsChangeSchema, 1024);
    const kubeConfig = userKubeConfig(consoleConfig().apiServer, session.token);
    return Response.json(await setRebootsPaused(kubeConfig, name.data, change.paused));
  } catch (error) {
    return failureAnswer({ verb: 'patch', resource: 'nodes', name: name.data }, error);
  }
}
