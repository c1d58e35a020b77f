// Typed fixtures for the etcd pages' browser tests: EtcdClusters and EtcdBackups created through the API server, and
// their status written through the status subresource as the etcd operator writes it (no operator runs here).
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { ETCD_BACKUP, ETCD_CLUSTER, etcdBackupStatusSchema, etcdClusterStatusSchema, etcdCrds } from '@strata/api';
import { installCrds } from '@strata/harness';
import {
  etcdBackupObject,
  etcdClusterObject,
  type EtcdBackupFixture,
  type EtcdBackupStatusInput,
  type EtcdClusterFixture,
  type EtcdClusterStatusInput,
} from './etcd-objects.ts';

export async function installEtcdCrds(admin: KubeConfig): Promise<void> {
  await installCrds(admin, etcdCrds());
}

export async function createEtcdCluster(admin: KubeConfig, fixture: EtcdClusterFixture): Promise<void> {
  await admin.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: ETCD_CLUSTER.group,
    version: ETCD_CLUSTER.version,
    plural: ETCD_CLUSTER.plural,
    namespace: fixture.namespace,
    body: etcdClusterObject(fixture),
  });
}

async function writeStatus(
  admin: KubeConfig,
  plural: string,
  namespace: string,
  name: string,
  status: unknown,
): Promise<void> {
  await admin
    .makeApiClient(CustomObjectsApi)
    .patchNamespacedCustomObjectStatus(
      { group: ETCD_CLUSTER.group, version: ETCD_CLUSTER.version, plural, namespace, name, body: { status } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
}

/** Writes the cluster's status as the operator would: checked with the CRD's own schema first. */
export async function writeEtcdClusterStatus(
  admin: KubeConfig,
  namespace: string,
  name: string,
  status: EtcdClusterStatusInput,
): Promise<void> {
  await writeStatus(admin, ETCD_CLUSTER.plural, namespace, name, etcdClusterStatusSchema.parse(status));
}

export async function createEtcdBackup(admin: KubeConfig, fixture: EtcdBackupFixture): Promise<void> {
  await admin.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: ETCD_BACKUP.group,
    version: ETCD_BACKUP.version,
    plural: ETCD_BACKUP.plural,
    namespace: fixture.namespace,
    body: etcdBackupObject(fixture),
  });
}

export async function writeEtcdBackupStatus(
  admin: KubeConfig,
  namespace: string,
  name: string,
  status: EtcdBackupStatusInput,
): Promise<void> {
  await writeStatus(admin, ETCD_BACKUP.plural, namespace, name, etcdBackupStatusSchema.parse(status));
}
