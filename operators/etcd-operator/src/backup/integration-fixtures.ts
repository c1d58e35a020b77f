// Set-up shared by the integration tests of backups and restores on the harness control plane: the etcd.strata.dev
// CRDs, a namespace, and the Secrets of the control plane's own etcd client certificate and of MinIO's credentials.
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { etcdCrds } from '@strata/api';
import { readPemPair } from '@strata/assets';
import { installCrds, type HarnessCluster } from '@strata/harness';
import type { S3Server } from '@strata/platform-local/testing';

/** Secret names the fixtures create: `etcd-client` (ca.crt, tls.crt, tls.key) and `s3-credentials`. */
export const ETCD_CLIENT_SECRET = 'etcd-client';
export const S3_CREDENTIALS_SECRET = 's3-credentials';

export async function prepareBackupNamespace(
  cluster: HarnessCluster,
  kubeConfig: KubeConfig,
  namespace: string,
  s3: S3Server,
): Promise<void> {
  await installCrds(kubeConfig, etcdCrds());
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  const [ca, client] = await Promise.all([
    readPemPair(cluster.info.pkiDir, 'etcd-ca'),
    readPemPair(cluster.info.pkiDir, 'apiserver-etcd-client'),
  ]);
  await core.createNamespacedSecret({
    namespace,
    body: {
      metadata: { name: ETCD_CLIENT_SECRET },
      stringData: { 'ca.crt': ca.certificatePem, 'tls.crt': client.certificatePem, 'tls.key': client.privateKeyPem },
    },
  });
  await core.createNamespacedSecret({
    namespace,
    body: {
      metadata: { name: S3_CREDENTIALS_SECRET },
      stringData: { accessKeyID: s3.credentials.accessKeyId, secretAccessKey: s3.credentials.secretAccessKey },
    },
  });
}
