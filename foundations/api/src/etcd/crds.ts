import type { CustomResourceDefinitionManifest } from '../crd/manifest.ts';
import { structuralSchema, type JsonSchema } from '../crd/structural-schema.ts';
import { ETCD_BACKUP, ETCD_RESTORE, etcdBackupSpecSchema, etcdBackupStatusSchema } from './etcd-backup.ts';
import { etcdRestoreSpecSchema, etcdRestoreStatusSchema } from './etcd-backup.ts';
import { ETCD_CLUSTER, etcdClusterSpecSchema, etcdClusterStatusSchema } from './etcd-cluster.ts';

type PrinterColumn = CustomResourceDefinitionManifest['spec']['versions'][number]['additionalPrinterColumns'];

const conditionStatus = (type: string) => `.status.conditions[?(@.type=="${type}")].status`;
const AGE = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

interface Names {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
}

// The schemas are generated from the zod schemas, so that the API server refuses what the operator's own parser
// refuses, naming the same field (etcd-crds.integration.test.ts holds the two together).
function crd(
  names: Names,
  shortNames: string[],
  description: string,
  spec: JsonSchema,
  status: JsonSchema,
  columns: NonNullable<PrinterColumn>,
): CustomResourceDefinitionManifest {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${names.plural}.${names.group}` },
    spec: {
      group: names.group,
      scope: 'Namespaced',
      names: {
        kind: names.kind,
        listKind: names.listKind,
        plural: names.plural,
        singular: names.singular,
        shortNames,
        categories: ['strata', 'etcd'],
      },
      versions: [
        {
          name: names.version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: columns,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description,
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec,
                status,
              },
            },
          },
        },
      ],
    },
  };
}

export function etcdClusterCrd(): CustomResourceDefinitionManifest {
  return crd(
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
      AGE,
    ],
  );
}

export function etcdBackupCrd(): CustomResourceDefinitionManifest {
  return crd(
    ETCD_BACKUP,
    ['etcdbk'],
    'Snapshots of an etcd cluster, once or on a schedule, to a volume or S3-compatible storage.',
    structuralSchema(etcdBackupSpecSchema),
    structuralSchema(etcdBackupStatusSchema),
    [
      { name: 'Schedule', type: 'string', jsonPath: '.spec.schedule' },
      { name: 'Last-Success', type: 'date', jsonPath: '.status.lastSuccess' },
      { name: 'Ready', type: 'string', jsonPath: conditionStatus('Ready') },
      AGE,
    ],
  );
}

export function etcdRestoreCrd(): CustomResourceDefinitionManifest {
  return crd(
    ETCD_RESTORE,
    ['etcdrs'],
    'Restores a snapshot into a new EtcdCluster; never into a live one.',
    structuralSchema(etcdRestoreSpecSchema),
    structuralSchema(etcdRestoreStatusSchema),
    [
      { name: 'Cluster', type: 'string', jsonPath: '.spec.cluster.name' },
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
      { name: 'Revision', type: 'integer', jsonPath: '.status.restoredRevision' },
      AGE,
    ],
  );
}

/** The three CRDs of etcd.strata.dev, in the order they are installed. */
export function etcdCrds(): CustomResourceDefinitionManifest[] {
  return [etcdClusterCrd(), etcdBackupCrd(), etcdRestoreCrd()];
}
