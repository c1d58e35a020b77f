// The start every route about one Workloads object shares: a signed-in user, and a target the route's segments
// name. The rest (the body, the call, the answer) is the route's own.
import type { KubeConfig } from '@kubernetes/client-node';
import { errorAnswer } from './answers.ts';
import { consoleConfig } from './config.ts';
import { currentSession } from './request-session.ts';
import { userKubeConfig } from './user-client.ts';
import { parseTarget, type WorkloadTarget } from './workload-object.ts';

export type WorkloadRouteContext = {
  readonly params: Promise<{ kind: string; namespace: string; name: string }>;
};

/** 401 without a session, 400 for a target that is no Workloads object's; else what `handle` answers. */
export async function forWorkload(
  context: WorkloadRouteContext,
  handle: (target: WorkloadTarget, kubeConfig: KubeConfig) => Promise<Response>,
): Promise<Response> {
  const session = await currentSession();
  if (session === undefined) return errorAnswer(401, 'not signed in');
  const target = parseTarget(await context.params);
  if (typeof target === 'string') return errorAnswer(400, target);
  return handle(target, userKubeConfig(consoleConfig().apiServer, session.token));
}
