// A client configuration that acts as the signed-in user: the API server from the console's configuration, the
// user's own bearer token, nothing else.
import { KubeConfig } from '@kubernetes/client-node';
import type { ApiServer } from './config.ts';

export function userKubeConfig(apiServer: ApiServer, token: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [
      {
        name: 'cluster',
        server: apiServer.server,
        skipTLSVerify: false,
        ...(apiServer.caPem === undefined ? {} : { caData: Buffer.from(apiServer.caPem).toString('base64') }),
      },
    ],
    users: [{ name: 'user', token }],
    contexts: [{ name: 'user', cluster: 'cluster', user: 'user' }],
    currentContext: 'user',
  });
  return kubeConfig;
}
