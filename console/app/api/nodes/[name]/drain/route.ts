// Drain, as the signed-in user: cordon, then evict each pod a drain evicts (src/server/node-drain.ts). The page
// offers it only when SelfSubjectAccessReviews allow `patch nodes` and `create pods/eviction`; the API server
// decides each call: a refused cordon or pod list is its status and message, a refused eviction is in the report.
import { errorAnswer, failureAnswer, readJsonBody } from '../../../../../src/server/answers.ts';
import { consoleConfig } from '../../../../../src/server/config.ts';
import { drainNode } from '../../../../../src/server/node-drain.ts';
import { drainOptionsSchema, KUBECTL_DRAIN_DEFAULTS, nodeNameSchema } from '../../../../../src/shared/node-detail.ts';
import { currentSession } from '../../../../../src/server/request-session.ts';
import { userKubeConfig } from '../../../../../src/server/user-client.ts';

export async function POST(request: Request, context: { params: Promise<{ name: string }> }): Promise<Response> {
  const session = await currentSession();
  if (session === undefined) return errorAnswer(401, 'not signed in');
  const name = nodeNameSchema.safeParse((await context.params).name);
  if (!name.success) return errorAnswer(400, 'not a node name');
  try {
    // Without a body, kubectl drain's defaults; with one, JSON that names only the options there are (a typo is a 400,
    // never an option silently ignored).
    const options =
      request.headers.get('content-type') === null && (await bodyIsEmpty(request))
        ? KUBECTL_DRAIN_DEFAULTS
        : await readJsonBody(request, drainOptionsSchema, 1024);
    return Response.json(await drainNode(userKubeConfig(consoleConfig().apiServer, session.token), name.data, options));
  } catch (error) {
    return failureAnswer({ verb: 'drain', resource: 'nodes', name: name.data }, error);
  }
}

async function bodyIsEmpty(request: Request): Promise<boolean> {
  if (request.body === null) return true;
  for await (const chunk of request.body) if (chunk.byteLength > 0) return false;
  return true;
}
