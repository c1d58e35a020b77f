// The etcd pages' changes, made as the signed-in user with their own token: the API server authorizes each one.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { ETCD_BACKUP, ETCD_CLUSTER, ETCD_RESTORE, parseEtcdCluster } from '@strata/api';
import { z } from 'zod';
import type { backupNowSchema, createEtcdClusterSchema, restoreSchema } from '../shared/etcd-forms.ts';

/** What this code reads of the created object: the name the API server generated. */
const createdSchema = z.looseObject({ metadata: z.looseObject({ name: z.string() }) });

const clusterResource = { group: ETCD_CLUSTER.group, version: ETCD_CLUSTER.version, plural: ETCD_CLUSTER.plural };

export async function createEtcdCluster(
  kubeConfig: KubeConfig,
  asked: z.output<typeof createEtcdClusterSchema>,
): Promise<void> {
  await kubeConfig.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    ...clusterResource,
    namespace: asked.namespace,
    // An unknown field is refused rather than dropped: what the user asked for is what is stored.
    fieldValidation: 'Strict',
    body: {
      apiVersion: ETCD_CLUSTER.apiVersion,
      kind: ETCD_CLUSTER.kind,
      metadata: { namespace: asked.namespace, name: asked.name },
      spec: asked.spec,
    },
  });
}

/** A merge patch of spec.size alone: the operator adds or removes members one at a time from there. */
export async function scaleEtcdCluster(
  kubeConfig: KubeConfig,
  namespace: string,
  name: string,
  size: number,
): Promise<void> {
  await kubeConfig
    .makeApiClient(CustomObjectsApi)
    .patchNamespacedCustomObject(
      { ...clusterResource, namespace, name, body: { spec: { size } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
}

/**
 * A one-shot EtcdBackup of the cluster (no schedule: the operator takes it once), named after the cluster by the
 * API server (generateName), so that two clicks make two backups rather than a conflict. Answers its name.
 */
export async function backUpNow(
  kubeConfig: KubeConfig,
  namespace: string,
  cluster: string,
  asked: z.output<typeof backupNowSchema>,
): Promise<string> {
  const created: unknown = await kubeConfig.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: ETCD_BACKUP.group,
    version: ETCD_BACKUP.version,
    plural: ETCD_BACKUP.plural,
    namespace,
    fieldValidation: 'Strict',
    body: {
      apiVersion: ETCD_BACKUP.apiVersion,
      kind: ETCD_BACKUP.kind,
      metadata: { namespace, generateName: `${cluster}-now-`, labels: { 'etcd.strata.dev/requested-by': 'console' } },
      spec: { source: { clusterRef: { name: cluster } }, destination: asked.destination },
    },
  });
  return createdSchema.parse(created).metadata.name;
}

/**
 * An EtcdRestore of one of the cluster's snapshots into a new EtcdCluster with the same spec as this one (read as
 * the user, so a user who may not read the cluster cannot copy it). The restore is named after the cluster it makes.
 */
export async function restoreToNewCluster(
  kubeConfig: KubeConfig,
  namespace: string,
  from: string,
  asked: z.output<typeof restoreSchema>,
): Promise<void> {
  const customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
  const source = parseEtcdCluster(
    await customObjects.getNamespacedCustomObject({ ...clusterResource, namespace, name: from }),
  );
  await customObjects.createNamespacedCustomObject({
    group: ETCD_RESTORE.group,
    version: ETCD_RESTORE.version,
    plural: ETCD_RESTORE.plural,
    namespace,
    fieldValidation: 'Strict',
    body: {
      apiVersion: ETCD_RESTORE.apiVersion,
      kind: ETCD_RESTORE.kind,
      metadata: { namespace, name: asked.cluster },
      spec: {
        source: { backup: { name: asked.backup, snapshot: asked.snapshot } },
        cluster: { name: asked.cluster, spec: source.spec },
      },
    },
  });
}
