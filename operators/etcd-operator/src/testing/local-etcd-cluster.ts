// Drives EtcdClusters on a local test cluster for the integration tests and the benchmark: create, scale, wait
// until settled, write and check keys, compare hashes.
import assert from 'node:assert/strict';
import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1PersistentVolumeClaim,
  type V1Pod,
} from '@kubernetes/client-node';
import {
  ETCD_BACKUP,
  ETCD_CLUSTER,
  ETCD_RESTORE,
  parseEtcdBackup,
  parseEtcdCluster,
  parseEtcdRestore,
  type EtcdBackup,
  type EtcdCluster,
  type EtcdClusterSpecInput,
  type EtcdRestore,
} from '@strata/api';
import { waitFor } from '@strata/harness';
import { EtcdClient } from '../etcd/gateway-client.ts';
import type { EtcdClientTls } from '../etcd/tls.ts';
import { crashContainer, type S3Server } from '@strata/platform-local/testing';
import { CLUSTER_LABEL, ETCD_CONTAINER } from '../pods/member-pod.ts';
import { clientSecretOf, readClientTls } from '../tls/cluster-tls.ts';

/** What createObject needs to know of an etcd kind (ETCD_CLUSTER, ETCD_BACKUP, ETCD_RESTORE). */
export interface EtcdKind {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly apiVersion: string;
  readonly kind: string;
}

export class LocalEtcdClusters {
  readonly #override: EtcdClient | undefined;
  readonly #core: CoreV1Api;
  readonly #customObjects: CustomObjectsApi;
  readonly #namespace: string;

  /**
   * `tls`: the client credentials every cluster's keys and hashes are read with; without it, each cluster's own, as
   * the operator uses them (its `<cluster>-client-tls` Secret, the user's clientSecret, or none with TLS disabled).
   */
  constructor(kubeConfig: KubeConfig, namespace: string, tls?: EtcdClientTls) {
    this.#override = tls === undefined ? undefined : new EtcdClient({ timeoutMs: 2000, tls });
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
    this.#customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
    this.#namespace = namespace;
  }

  /**
   * A gateway client for `cluster`'s members, with its client certificate unless its TLS is disabled: read afresh
   * each time, for the operator renews it.
   */
  async etcdOf(cluster: EtcdCluster): Promise<EtcdClient> {
    if (this.#override !== undefined) return this.#override;
    const tls = await this.tlsOf(cluster);
    return new EtcdClient({ timeoutMs: 2000, ...(tls === undefined ? {} : { tls }) });
  }

  /** The client credentials the operator uses for `cluster`, read from their Secret; none with TLS disabled. */
  async tlsOf(cluster: EtcdCluster): Promise<EtcdClientTls | undefined> {
    const secret = clientSecretOf(cluster);
    return secret === undefined ? undefined : readClientTls(this.#core, this.#namespace, secret);
  }

  #address(name: string, kind: EtcdKind = ETCD_CLUSTER) {
    return { group: kind.group, version: kind.version, plural: kind.plural, namespace: this.#namespace, name };
  }

  async create(name: string, spec: EtcdClusterSpecInput): Promise<void> {
    await this.createObject(ETCD_CLUSTER, name, spec);
  }

  /** Any of the etcd kinds (EtcdCluster, EtcdBackup, EtcdRestore) by name and spec, in this namespace. */
  async createObject(kind: EtcdKind, name: string, spec: object): Promise<void> {
    await this.#customObjects.createNamespacedCustomObject({
      ...this.#address(name, kind),
      body: { apiVersion: kind.apiVersion, kind: kind.kind, metadata: { name, namespace: this.#namespace }, spec },
    });
  }

  async read(name: string): Promise<EtcdCluster> {
    return parseEtcdCluster(await this.#customObjects.getNamespacedCustomObject(this.#address(name)));
  }

  async scale(name: string, size: number): Promise<void> {
    await this.patchSpec(name, { size });
  }

  async patchSpec(name: string, spec: Partial<EtcdClusterSpecInput>): Promise<void> {
    await this.#customObjects.patchNamespacedCustomObject(
      { ...this.#address(name), body: { spec } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  /**
   * An EtcdBackup of cluster `name` into `bucket` of `s3` (its credentials in a Secret): the destination its
   * pre-upgrade snapshots take. Scheduled once a year, so that it takes no backup of its own during a test.
   */
  async backUpTo(name: string, s3: S3Server, bucket: string): Promise<void> {
    const secret = `${name}-s3`;
    await this.#core.createNamespacedSecret({
      namespace: this.#namespace,
      body: {
        metadata: { name: secret },
        stringData: { accessKeyID: s3.credentials.accessKeyId, secretAccessKey: s3.credentials.secretAccessKey },
      },
    });
    await this.#customObjects.createNamespacedCustomObject({
      group: ETCD_BACKUP.group,
      version: ETCD_BACKUP.version,
      plural: ETCD_BACKUP.plural,
      namespace: this.#namespace,
      body: {
        apiVersion: ETCD_BACKUP.apiVersion,
        kind: ETCD_BACKUP.kind,
        metadata: { name: `${name}-backups`, namespace: this.#namespace },
        spec: {
          source: { clusterRef: { name } },
          destination: { s3: { endpoint: s3.endpoint, bucket, prefix: name, credentialsSecret: secret } },
          schedule: '0 0 1 1 *',
        },
      },
    });
  }

  async readBackup(name: string): Promise<EtcdBackup> {
    return parseEtcdBackup(
      await this.#customObjects.getNamespacedCustomObject({
        group: ETCD_BACKUP.group,
        version: ETCD_BACKUP.version,
        plural: ETCD_BACKUP.plural,
        namespace: this.#namespace,
        name,
      }),
    );
  }

  /** The EtcdRestore `name` once it is Restored; a Failed one fails at once, with its status. */
  async restored(name: string, timeoutMs = 180_000): Promise<EtcdRestore> {
    return waitFor(
      `the restore ${name} to reach Restored`,
      async () => {
        const current = parseEtcdRestore(
          await this.#customObjects.getNamespacedCustomObject({
            group: ETCD_RESTORE.group,
            version: ETCD_RESTORE.version,
            plural: ETCD_RESTORE.plural,
            namespace: this.#namespace,
            name,
          }),
        );
        if (current.status?.phase === 'Failed')
          throw new Error(`the restore failed: ${JSON.stringify(current.status)}`);
        return current.status?.phase === 'Restored' ? current : undefined;
      },
      { timeoutMs, intervalMs: 250 },
    );
  }

  /** SIGKILLs the etcd of `pod`, as a crash would, and waits until the kubelet has restarted it. */
  async crashMember(pod: V1Pod): Promise<void> {
    crashContainer(pod, ETCD_CONTAINER);
    await waitFor(
      `the killed member ${pod.metadata?.name ?? ''} to be restarted`,
      async () => {
        const current = await this.#core.readNamespacedPod({
          namespace: this.#namespace,
          name: pod.metadata?.name ?? '',
        });
        const status = current.status?.containerStatuses?.find((container) => container.name === ETCD_CONTAINER);
        return (status?.restartCount ?? 0) > 0 ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  }

  async delete(name: string): Promise<void> {
    await this.#customObjects.deleteNamespacedCustomObject(this.#address(name));
  }

  async claims(name: string): Promise<V1PersistentVolumeClaim[]> {
    return (
      await this.#core.listNamespacedPersistentVolumeClaim({
        namespace: this.#namespace,
        labelSelector: `${CLUSTER_LABEL}=${name}`,
      })
    ).items;
  }

  async pods(name: string): Promise<V1Pod[]> {
    return (
      await this.#core.listNamespacedPod({ namespace: this.#namespace, labelSelector: `${CLUSTER_LABEL}=${name}` })
    ).items;
  }

  /**
   * Waits until the status shows `size` healthy voters, no learner, Available and Running, and as many pods; with
   * `version`, every member answering as that etcd release.
   */
  async settled(name: string, size: number, timeoutMs = 90_000, version?: string): Promise<EtcdCluster> {
    return waitFor(
      `EtcdCluster ${name} to have ${size} healthy voting members`,
      async () => {
        const current = await this.read(name);
        const members = current.status?.members ?? [];
        const available = current.status?.conditions?.find((c) => c.type === 'Available')?.status === 'True';
        const pods = (await this.pods(name)).filter((pod) => pod.metadata?.deletionTimestamp === undefined);
        return available &&
          current.status?.phase === 'Running' &&
          members.length === size &&
          members.every(
            (member) => member.healthy && !member.learner && (version === undefined || member.version === version),
          ) &&
          pods.length === size
          ? current
          : undefined;
      },
      { timeoutMs, intervalMs: 250, retryErrors: true },
    );
  }

  async putKeys(current: EtcdCluster, prefix: string, count: number): Promise<void> {
    const endpoint = endpointsOf(current)[0] ?? '';
    const etcd = await this.etcdOf(current);
    for (let index = 0; index < count; index += 1) await etcd.put(endpoint, `${prefix}${index}`, `value-${index}`);
  }

  /**
   * putKeys, then one more write (lastWriteKept says whether it is still held). Its acknowledgement means the leader
   * and a follower synced a commit index that covers the `count` keys, so a re-forming after every member was killed
   * at once keeps them all; the last write itself may be lost (ADR 0054).
   */
  async putKeysThenOneMore(current: EtcdCluster, prefix: string, count: number): Promise<void> {
    await this.putKeys(current, prefix, count);
    await this.putKeys(current, lastWritePrefix(prefix), 1);
  }

  /** Whether the one more write of putKeysThenOneMore is held. */
  async lastWriteKept(current: EtcdCluster, prefix: string): Promise<boolean> {
    const etcd = await this.etcdOf(current);
    return (await etcd.getPrefix(endpointsOf(current)[0] ?? '', lastWritePrefix(prefix))).size === 1;
  }

  /** Every member holds exactly the `count` keys putKeys wrote under `prefix`. */
  async assertKeys(current: EtcdCluster, prefix: string, count: number): Promise<void> {
    const etcd = await this.etcdOf(current);
    for (const endpoint of endpointsOf(current)) {
      const found = await etcd.getPrefix(endpoint, prefix);
      assert.equal(found.size, count, `${endpoint} holds every key`);
      for (let index = 0; index < count; index += 1) assert.equal(found.get(`${prefix}${index}`), `value-${index}`);
    }
  }

  /** Every member's hashkv at one revision, once every member has applied it. */
  async hashes(current: EtcdCluster): Promise<number[]> {
    const endpoints = endpointsOf(current);
    const etcd = await this.etcdOf(current);
    const revision = Number((await etcd.status(endpoints[0] ?? '')).header.revision);
    return waitFor(
      'every member to report a hashkv at one revision',
      async () => Promise.all(endpoints.map(async (endpoint) => (await etcd.hashKv(endpoint, revision)).hash)),
      { timeoutMs: 15_000, intervalMs: 200, retryErrors: true },
    );
  }
}

/** Outside `prefix` (which ends in a slash), so that the keys under it are still exactly `count`. */
const lastWritePrefix = (prefix: string): string => `${prefix.replace(/\/$/, '')}-last/`;

export const endpointsOf = (current: EtcdCluster): string[] =>
  (current.status?.members ?? []).flatMap((member) => (member.clientURL === undefined ? [] : [member.clientURL]));
