// The admin's client credentials, as the rotation reads each API server's
// /metrics with them: from the kubeconfig the install or `strata up` wrote.
import { readFile } from 'node:fs/promises';
import { KubeConfig } from '@kubernetes/client-node';
import type { ClientTls } from '@strata/host';
import { EncryptionRotationError } from './encryption-key.ts';

export interface AdminCredentials {
  readonly kubeConfig: KubeConfig;
  readonly tls: ClientTls;
}

export async function readAdminCredentials(path: string): Promise<AdminCredentials> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new EncryptionRotationError(
      `${path} does not exist: the cluster has no admin kubeconfig yet (finish its installation first)`,
      { path },
      { cause: error },
    );
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(text);
  const user = kubeConfig.getCurrentUser();
  const cluster = kubeConfig.getCurrentCluster();
  if (user?.certData === undefined || user.keyData === undefined || cluster?.caData === undefined) {
    throw new EncryptionRotationError(`${path} does not embed the admin's client certificate, key and the CA`, {
      path,
    });
  }
  const decode = (data: string) => Buffer.from(data, 'base64').toString();
  return {
    kubeConfig,
    tls: { ca: decode(cluster.caData), cert: decode(user.certData), key: decode(user.keyData) },
  };
}
