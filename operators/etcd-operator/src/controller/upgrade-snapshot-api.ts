// The API calls of the pre-upgrade snapshot: the namespace's EtcdBackups read, and the one-shot EtcdBackup created.
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { ETCD_BACKUP, parseEtcdBackup, type EtcdBackup, type EtcdCluster } from '@strata/api';
import { isAlreadyExists, kubernetesApiError } from '@strata/kube';
import type { UpgradeSnapshotView } from '../plan/observed.ts';
import type { SnapshotBeforeUpgrade } from '../plan/upgrade-snapshot.ts';
import { upgradeSnapshotBackup, upgradeSnapshotName, upgradeSnapshotView } from './upgrade-snapshot.ts';

const address = (namespace: string) => ({
  group: ETCD_BACKUP.group,
  version: ETCD_BACKUP.version,
  plural: ETCD_BACKUP.plural,
  namespace,
});

async function listBackups(customObjects: CustomObjectsApi, namespace: string): Promise<EtcdBackup[]> {
  let listed: { items?: unknown[] };
  try {
    // The API server answers a list of this kind with a KubernetesList of its objects, each parsed below.
    listed = (await customObjects.listNamespacedCustomObject(address(namespace))) as { items?: unknown[] };
  } catch (error) {
    throw kubernetesApiError({ verb: 'list', resource: ETCD_BACKUP.plural, namespace }, error);
  }
  return (listed.items ?? []).map((item) => parseEtcdBackup(item));
}

/** The snapshot of the upgrade `cluster`'s spec asks for, from the EtcdBackups of its namespace. */
export async function listUpgradeSnapshotView(
  customObjects: CustomObjectsApi,
  cluster: EtcdCluster,
): Promise<UpgradeSnapshotView> {
  const backups = await listBackups(customObjects, cluster.metadata.namespace ?? '');
  const name = upgradeSnapshotName(cluster.metadata.name, cluster.metadata.generation ?? 0);
  return upgradeSnapshotView(cluster.metadata.name, name, backups);
}

/** Creates the snapshot's EtcdBackup; one that exists already (an earlier pass's) is what was wanted. */
export async function requestUpgradeSnapshot(
  customObjects: CustomObjectsApi,
  cluster: EtcdCluster,
  action: SnapshotBeforeUpgrade,
): Promise<void> {
  const namespace = cluster.metadata.namespace ?? '';
  let destination: EtcdBackup;
  try {
    destination = parseEtcdBackup(
      await customObjects.getNamespacedCustomObject({ ...address(namespace), name: action.destination }),
    );
  } catch (error) {
    throw kubernetesApiError({ verb: 'get', resource: ETCD_BACKUP.plural, namespace, name: action.destination }, error);
  }
  try {
    await customObjects.createNamespacedCustomObject({
      ...address(namespace),
      body: upgradeSnapshotBackup(cluster, action.backup, destination),
    });
  } catch (error) {
    if (!isAlreadyExists(error))
      throw kubernetesApiError({ verb: 'create', resource: ETCD_BACKUP.plural, namespace, name: action.backup }, error);
  }
}
