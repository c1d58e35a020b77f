// GET a pod's log as the signed-in user (`get pods/log`), streamed as the API server sends it: text/plain, one line
// per log line, open for as long as the browser reads when `follow=true`. The query is checked with zod first (a 400
// naming the field); a refusal (403, a container that has not started, a pod with no node) is the API server's.
import { consoleConfig } from '../../../../../../../src/server/config.ts';
import { errorAnswer, failureAnswer } from '../../../../../../../src/server/answers.ts';
import { openPodLog } from '../../../../../../../src/server/pod-logs.ts';
import { currentSession } from '../../../../../../../src/server/request-session.ts';
import { parseTarget } from '../../../../../../../src/server/workload-object.ts';
import { podLogQueryProblems, podLogQuerySchema } from '../../../../../../../src/shared/pod-logs.ts';

export const dynamic = 'force-dynamic';

type Context = { readonly params: Promise<{ kind: string; namespace: string; name: string }> };

export async function GET(request: Request, context: Context): Promise<Response> {
  const session = await currentSession();
  if (session === undefined) return errorAnswer(401, 'not signed in');
  const target = parseTarget(await context.params);
  if (typeof target === 'string') return errorAnswer(400, target);
  if (target.kind !== 'pods') return errorAnswer(400, `${target.kind} have no log: only pods do`);
  const query = podLogQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) return errorAnswer(400, podLogQueryProblems(query.error));
  try {
    const log = await openPodLog(consoleConfig().apiServer, session.token, target, query.data, request.signal);
    return new Response(log, {
      headers: {
        'content-type': 'text/plain; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-content-type-options': 'nosniff',
        'x-accel-buffering': 'no',
      },
    });
  } catch (error) {
    return failureAnswer({ verb: 'get', resource: 'pods/log', namespace: target.namespace, name: target.name }, error);
  }
}
