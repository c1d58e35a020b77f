import type { V1CustomResourceColumnDefinition } from '@kubernetes/client-node';
import { customResourceDefinition, type CrdNames } from '../crd/definition.ts';
import type { CustomResourceDefinitionManifest } from '../crd/manifest.ts';
import { structuralSchema, type JsonSchema } from '../crd/structural-schema.ts';
import { ETCD_BACKUP, ETCD_RESTORE, etcdBackupSpecSchema, etcdBackupStatusSchema } from './etcd-backup.ts';
import { etcdRestoreSpecSchema, etcdRestoreStatusSchema } from './etcd-backup.ts';
import { ETCD_CLUSTER, etcdClusterSpecSchema, etcdClusterStatusSchema } from './etcd-cluster.ts';

const conditionStatus = (type: string) => `.status.conditions[?(@.type=="${type}")].status`;

const etcdCrd = (
  names: CrdNames,
  shortNames: string[],
  description: string,
  spec: JsonSchema,
  status: JsonSchema,
  columns: V1CustomResourceColumnDefinition[],
): CustomResourceDefinitionManifest =>
  customResourceDefinition({
    names,
    scope: 'Namespaced',
    shortNames,
    categories: ['strata', 'etcd'],
    description,
    spec,
    status,
    columns,
  });

export function etcdClusterCrd(): CustomResourceDefinitionManifest {
  return etcdCrd(
    ETCD_CLUSTER,
    ['etcd', 'etcdc'],
    'An etcd cluster that the etcd operator creates, heals and scales without losing quorum.',
    structuralSchema(etcdClusterSpecSchema),
    structuralSchema(etcdClusterStatusSchema),
    [
      { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
      { name: 'Ready', type: 'integer', jsonPath: '.status.readyMembers' },
      { name: 'Version', type: 'string', jsonPath: '.status.currentVersion' },
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
      { name: 'Available', type: 'string', jsonPath: conditionStatus('Available') },
      { name: 'Paused', type: 'boolean', jsonPath: '.spec.paused', priority: 1 },
      { name: 'Cluster-ID', type: 'string', jsonPath: '.status.clusterID', priority: 1 },
    ],
  );
}

export function etcdBackupCrd(): CustomResourceDefinitionManifest {
  return etcdCrd(
    ETCD_BACKUP,
    ['etcdbk'],
    'Snapshots of an etcd cluster, once or on a schedule, to a volume or S3-compatible storage.',
    structuralSchema(etcdBackupSpecSchema),
    structuralSchema(etcdBackupStatusSchema),
    [
      { name: 'Schedule', type: 'string', jsonPath: '.spec.schedule' },
      { name: 'Last-Success', type: 'date', jsonPath: '.status.lastSuccess' },
      { name: 'Ready', type: 'string', jsonPath: conditionStatus('Ready') },
    ],
  );
}

export function etcdRestoreCrd(): CustomResourceDefinitionManifest {
  return etcdCrd(
    ETCD_RESTORE,
    ['etcdrs'],
    'Restores a snapshot into a new EtcdCluster; never into a live one.',
    structuralSchema(etcdRestoreSpecSchema),
    structuralSchema(etcdRestoreStatusSchema),
    [
      { name: 'Cluster', type: 'string', jsonPath: '.spec.cluster.name' },
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
      { name: 'Revision', type: 'integer', jsonPath: '.status.restoredRevision' },
      { name: 'Cluster-ID', type: 'string', jsonPath: '.status.clusterID', priority: 1 },
    ],
  );
}

/** The three CRDs of etcd.strata.dev, in the order they are installed. */
export function etcdCrds(): CustomResourceDefinitionManifest[] {
  return [etcdClusterCrd(), etcdBackupCrd(), etcdRestoreCrd()];
}
