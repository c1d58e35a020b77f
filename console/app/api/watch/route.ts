// GET /api/watch?resources=nodes (and &node=<name> with the node page's kinds, &group=&plural= with
// customresources; updateserver only when an update server is configured): the tab's one live stream
// (text/event-stream). See src/shared/watch-protocol.ts.
import { consoleConfig } from '../../../src/server/config.ts';
import { errorAnswer, failureAnswer } from '../../../src/server/answers.ts';
import { findCrd } from '../../../src/server/custom-resources.ts';
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
      'resources must name the resources to watch, e.g. resources=nodes, node the node of the node page’s, and group and plural the CRD of customresources',
    );
  const kubeConfig = userKubeConfig(consoleConfig().apiServer, session.token);
  // A custom resource is watched only through a served CRD the user can read, looked up as they are (as the custom
  // resource pages and routes do): the stream can reach no other API path.
  let crd;
  const { group, plural } = query.data;
  if (group !== undefined && plural !== undefined) {
    try {
      crd = await findCrd(kubeConfig, group, plural);
    } catch (error) {
      return failureAnswer({ verb: 'get', resource: 'customresourcedefinitions.apiextensions.k8s.io' }, error);
    }
    if (crd === undefined) return errorAnswer(400, `no served CustomResourceDefinition ${plural}.${group}`);
  }
  // The update server's feed is followed as the user, and only where one is configured (its pages subscribe only then).
  const updateServer = consoleConfig().updateServer;
  if (query.data.resources.includes('updateserver') && updateServer === undefined)
    return errorAnswer(400, 'updateserver: the update server is not configured (STRATA_CONSOLE_UPDATE_SERVER_URL)');
  const stream = watchStream(kubeConfig, query.data, request.signal, {
    endsAt: session.oidc === undefined ? undefined : refreshDueAt(session.oidc),
    crd,
    updateServer: updateServer === undefined ? undefined : { server: updateServer, token: session.token },
  });
  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    },
  });
}
