// Set-up shared by the integration tests of backups and restores on the harness control plane: the etcd.strata.dev
// CRDs, a namespace, and the Secrets of the control plane's own etcd client certificate and of MinIO's credentials
// (also for the local-cluster tests of restores and recoveries).
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { etcdCrds } from '@strata/api';
import { readPemPair } from '@strata/assets';
import { installCrds, type HarnessCluster } from '@strata/harness';
import type { S3Server } from '@strata/platform-local/testing';
import type { EtcdClientTls } from '../etcd/tls.ts';

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
  await createBackupSecrets(core, namespace, {
    s3,
    etcdClient: { ca: ca.certificatePem, cert: client.certificatePem, key: client.privateKeyPem },
  });
}

/** The Secrets backups and restores read: MinIO's credentials, and an etcd client certificate when given. */
export async function createBackupSecrets(
  core: CoreV1Api,
  namespace: string,
  secrets: { readonly s3: S3Server; readonly etcdClient?: EtcdClientTls },
): Promise<void> {
  const { s3, etcdClient } = secrets;
  if (etcdClient !== undefined) {
    await core.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: ETCD_CLIENT_SECRET },
        stringData: { 'ca.crt': etcdClient.ca, 'tls.crt': etcdClient.cert, 'tls.key': etcdClient.key },
      },
    });
  }
  await core.createNamespacedSecret({
    namespace,
    body: {
      metadata: { name: S3_CREDENTIALS_SECRET },
      stringData: { accessKeyID: s3.credentials.accessKeyId, secretAccessKey: s3.credentials.secretAccessKey },
    },
  });
}
