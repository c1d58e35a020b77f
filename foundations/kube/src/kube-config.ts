// How an operator process finds its API server: an explicit kubeconfig, or the
// in-cluster service account. The service account directory is a parameter
// because the local platform runs pods as plain processes, which see their
// mounts at a per-pod directory (announced by rewriting the mount path in env
// and args) rather than at /var/run/secrets/kubernetes.io/serviceaccount.
import { existsSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { StrataError } from '@strata/api';
import { PooledKubeConfig } from './pooled-kube-config.ts';

export class KubeConfigLoadError extends StrataError {}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Where this pod's service account token is: the standard path in a container. The local platform runs pods as
 * plain processes without a mount namespace and announces each mounted volume's directory in a
 * STRATA_VOLUME_<MOUNT> variable instead (the token's projected volume has a random name, kube-api-access-xxxxx):
 * there it is the one holding a token and ca.crt.
 */
export function podServiceAccountDir(env: NodeJS.ProcessEnv = process.env): string {
  if (existsSync(join(SERVICE_ACCOUNT_DIR, 'token'))) return SERVICE_ACCOUNT_DIR;
  const announced = Object.entries(env)
    .filter(([name]) => name.startsWith('STRATA_VOLUME_'))
    .map(([, dir]) => dir ?? '')
    .find((dir) => dir !== '' && existsSync(join(dir, 'token')) && existsSync(join(dir, 'ca.crt')));
  return announced ?? SERVICE_ACCOUNT_DIR;
}

export interface LoadKubeConfigOptions {
  /** A kubeconfig file; when absent, the in-cluster service account is used. */
  readonly kubeconfigPath?: string;
  readonly serviceAccountDir?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export function loadKubeConfig(options: LoadKubeConfigOptions = {}): KubeConfig {
  const kubeConfig = new PooledKubeConfig();
  if (options.kubeconfigPath !== undefined) {
    try {
      kubeConfig.loadFromFile(options.kubeconfigPath);
    } catch (error) {
      throw new KubeConfigLoadError(
        `cannot read the kubeconfig ${options.kubeconfigPath}: ${error instanceof Error ? error.message : String(error)}`,
        { path: options.kubeconfigPath },
        { cause: error },
      );
    }
    return kubeConfig;
  }
  const env = options.env ?? process.env;
  const dir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  if (host === undefined || host === '' || port === undefined || port === '') {
    throw new KubeConfigLoadError(
      'not running in a cluster (KUBERNETES_SERVICE_HOST/PORT are unset): pass --kubeconfig',
      {},
    );
  }
  const tokenFile = join(dir, 'token');
  const caFile = join(dir, 'ca.crt');
  for (const file of [tokenFile, caFile]) {
    if (!existsSync(file))
      throw new KubeConfigLoadError(
        `the service account file ${file} is missing: is a service account token mounted?`,
        { file },
      );
  }
  const namespaceFile = join(dir, 'namespace');
  const namespace = existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() : undefined;
  kubeConfig.loadFromOptions({
    clusters: [
      {
        name: 'in-cluster',
        server: `https://${isIPv6(host) ? `[${host}]` : host}:${port}`,
        caFile,
        skipTLSVerify: false,
      },
    ],
    // The kubelet rotates the projected token on disk; the tokenFile provider re-reads it.
    users: [{ name: 'service-account', authProvider: { name: 'tokenFile', config: { tokenFile } } }],
    contexts: [
      {
        name: 'in-cluster',
        cluster: 'in-cluster',
        user: 'service-account',
        ...(namespace === undefined ? {} : { namespace }),
      },
    ],
    currentContext: 'in-cluster',
  });
  return kubeConfig;
}
