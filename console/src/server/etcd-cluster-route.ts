// The start every route about one EtcdCluster shares: a signed-in user, and a namespace and name that are DNS
// labels. The rest (the body, the call, the answer) is the route's own.
import type { KubeConfig } from '@kubernetes/client-node';
import { dnsLabelSchema } from '@strata/api';
import { errorAnswer } from './answers.ts';
import { consoleConfig } from './config.ts';
import { currentSession } from './request-session.ts';
import { userKubeConfig } from './user-client.ts';

export interface EtcdClusterTarget {
  readonly namespace: string;
  readonly name: string;
  /** The API server, as the signed-in user. */
  readonly kubeConfig: KubeConfig;
}

export type EtcdClusterRouteContext = { readonly params: Promise<{ namespace: string; name: string }> };

/** 401 without a session, 400 for a name that is no EtcdCluster's; else what `handle` answers. */
export async function forEtcdCluster(
  context: EtcdClusterRouteContext,
  handle: (target: EtcdClusterTarget) => Promise<Response>,
): Promise<Response> {
  const session = await currentSession();
  if (session === undefined) return errorAnswer(401, 'not signed in');
  const params = await context.params;
  const namespace = dnsLabelSchema.safeParse(params.namespace);
  const name = dnsLabelSchema.safeParse(params.name);
  if (!namespace.success || !name.success) return errorAnswer(400, 'not an EtcdCluster name');
  return handle({
    namespace: namespace.data,
    name: name.data,
    kubeConfig: userKubeConfig(consoleConfig().apiServer, session.token),
  });
}
