// GET /api/watch?resources=nodes (and &node=<name> with the node page's kinds): the tab's one live stream (text/event-stream). See src/shared/watch-protocol.ts.
import { consoleConfig } from '../../../src/server/config.ts';
import { errorAnswer } from '../../../src/server/answers.ts';
import { refreshDueAt } from '../../../src/server/oidc/token-lifetime.ts';
import { currentSession } from '../../../src/server/request-session.ts';
import { userKubeConfig } from '../../../src/server/user-client.ts';
import { watchStream } from '../../../src/server/watch-stream.ts';
import { subscriptionQuerySchema } from '../../../src/shared/watch-protocol.ts';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  const session = await currentSession();
  if (session === undefined) return errorAnswer(401, 'not signed in');
  const query = subscriptionQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success)
    return errorAnswer(
      400,
      'resources must name the resources to watch, e.g. resources=nodes, and node the node of the node page’s',
    );
  const stream = watchStream(
    userKubeConfig(consoleConfig().apiServer, session.token),
    query.data,
    request.signal,
    session.oidc === undefined ? undefined : refreshDueAt(session.oidc),
  );
  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    },
  });
}
