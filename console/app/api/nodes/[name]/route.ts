// Cordon and uncordon, as the signed-in user. The page offers them only when a SelfSubjectAccessReview allows
// `patch nodes`, but the API server decides: its refusal comes back with its status and message.
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { z } from 'zod';
import { consoleConfig } from '../../../../src/server/config.ts';
import { errorAnswer, failureAnswer, readJsonBody } from '../../../../src/server/answers.ts';
import { nodeRow } from '../../../../src/server/node-row.ts';
import { currentSession } from '../../../../src/server/request-session.ts';
import { userKubeConfig } from '../../../../src/server/user-client.ts';
import { nodeNameSchema } from '../../../../src/shared/node-detail.ts';

const nodeChangeSchema = z.strictObject({ unschedulable: z.boolean() });

export async function PATCH(request: Request, context: { params: Promise<{ name: string }> }): Promise<Response> {
  const session = await currentSession();
  if (session === undefined) return errorAnswer(401, 'not signed in');
  const name = nodeNameSchema.safeParse((await context.params).name);
  if (!name.success) return errorAnswer(400, 'not a node name');
  try {
    const change = await readJsonBody(request, nodeChangeSchema, 1024);
    const core = userKubeConfig(consoleConfig().apiServer, session.token).makeApiClient(CoreV1Api);
    const node = await core.patchNode(
      { name: name.data, body: { spec: { unschedulable: change.unschedulable } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    return Response.json(nodeRow(node));
  } catch (error) {
    return failureAnswer({ verb: 'patch', resource: 'nodes', name: name.data }, error);
  }
}
