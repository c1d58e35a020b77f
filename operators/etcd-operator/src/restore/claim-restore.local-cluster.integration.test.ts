// Restores and recoveries from a claim's directory on a real local cluster whose operator is deployed as rendered: its
// Deployment mounts no claim (ADR 0053). A cluster on automatic TLS is backed up by a backup pod into a
// `strata-local-path` claim; an EtcdRestore of that EtcdBackup is verified by a verifying pod that mounts the claim
// read-only, and its founding member's seed-fetch reads the `pvc://` location's file from the same claim: the restored
// cluster holds the same keys under a new cluster ID. Then `recovery: fromLatestBackup` from a claim: a cluster of 3
// loses 2 of its 3 members' pods after a backup to the claim, and is recovered from it the same way. The verifying
// pods are watched as they come and go. On the fixed loopback addresses: run under
// `flock /tmp/strata-fixed-addresses.lock`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, EventsV1Api, type CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { ETCD_BACKUP, ETCD_RESTORE, type EtcdBackup } from '@strata/api';
import { ETCD_OPERATOR_NAMES, ETCD_OPERATOR_NAMESPACE } from '@strata/assets';
import { waitFor } from '@strata/harness';
import { Informer, isNotFound } from '@strata/kube';
import { LOCAL_PATH_STORAGE_CLASS, type TestCluster } from '@strata/platform-local/testing';
import { hexId } from '../etcd/gateway-client.ts';
import { readKeySpace } from '../testing/key-space.ts';
import { endpointsOf, LocalEtcdClusters, type EtcdKind } from '../testing/local-etcd-cluster.ts';
import { startOperatorTestCluster } from '../testing/operator-test-cluster.ts';
import { readClientTls } from '../tls/cluster-tls.ts';
import { clientSecretName } from '../tls/names.ts';
import { VERIFY_POD_LABEL } from './verify-pod.ts';

const CLAIM = 'backups';
const SOURCE = 'main';
const RESTORED = 'restored';
const RECOVERED = 'phoenix';

let cluster: TestCluster;
let kubeConfig: KubeConfig;
let core: CoreV1Api;
let namespace: string;
let plain: LocalEtcdClusters;
let verifyPods: Informer<V1Pod>;
/** Every verifying pod seen, by name, with the owner kind it carried. */
const verifyPodsSeen = new Map<string, string>();
const watchErrors: unknown[] = [];

const create = (kind: EtcdKind, name: string, spec: object) => plain.createObject(kind, name, spec);

/** A one-shot EtcdBackup of cluster `source` into the claim's `etcd/<source>`, waited for until it is recorded. */
async function backUpToClaim(name: string, source: string): Promise<EtcdBackup> {
  await create(ETCD_BACKUP, name, {
    source: { clusterRef: { name: source } },
    destination: { pvc: { claimName: CLAIM, path: `etcd/${source}` } },
  });
  return waitFor(
    `EtcdBackup ${name} to be stored in the claim`,
    async () => {
      const current = await plain.readBackup(name);
      const failed = current.status?.history?.find((entry) => entry.outcome === 'Failed');
      if (failed !== undefined) throw new Error(`backup ${name} failed: ${failed.message}`);
      return current.status?.lastSuccess === undefined ? undefined : current;
    },
    { timeoutMs: 120_000, intervalMs: 250 },
  );
}

/** The verifying pods seen for `owner` (by name prefix) are gone: a 404 each, not a guess. */
async function assertVerifyPodsGone(owner: string): Promise<string[]> {
  const names = [...verifyPodsSeen.keys()].filter((name) => name.startsWith(`${owner}-verify-`));
  assert.ok(
    names.length >= 1,
    `a verifying pod ran for ${owner}: seen ${[...verifyPodsSeen.keys()].join(', ')}; watch errors: ${watchErrors.map(String).join('; ')}`,
  );
  for (const name of names) {
    await waitFor(
      `verifying pod ${name} to be deleted`,
      async () => {
        try {
          await core.readNamespacedPod({ namespace, name });
          return undefined;
        } catch (error) {
          if (isNotFound(error)) return true;
          throw error;
        }
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  }
  return names;
}

before(async () => {
  let clusters: LocalEtcdClusters;
  ({ cluster, kubeConfig, core, namespace, clusters } = await startOperatorTestCluster('etcd-claim-restore'));
  plain = clusters;
  verifyPods = new Informer<V1Pod>({
    kubeConfig,
    path: `/api/v1/namespaces/${namespace}/pods`,
    labelSelector: VERIFY_POD_LABEL,
    list: (selectors) => core.listNamespacedPod({ namespace, ...selectors }),
    onChange: (_change, pod) =>
      verifyPodsSeen.set(pod.metadata?.name ?? '', pod.metadata?.ownerReferences?.[0]?.kind ?? ''),
    // Reported by the assertion that a verifying pod was seen.
    onError: (error) => watchErrors.push(error),
  });
  await verifyPods.start();
  await core.createNamespacedPersistentVolumeClaim({
    namespace,
    body: {
      metadata: { name: CLAIM },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: LOCAL_PATH_STORAGE_CLASS,
        resources: { requests: { storage: '1Gi' } },
      },
    },
  });
});

after(async () => {
  await verifyPods?.stop();
  await cluster?.destroy();
});

describe('a restore from a backup on a claim', () => {
  it('verifies it in a pod and restores it, with the operator as rendered (no claim mounted)', async (t) => {
    const deployment = await kubeConfig
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ namespace: ETCD_OPERATOR_NAMESPACE, name: ETCD_OPERATOR_NAMES.operator });
    assert.deepEqual(
      (deployment.spec?.template.spec?.volumes ?? []).filter((volume) => volume.persistentVolumeClaim !== undefined),
      [],
    );

    await plain.create(SOURCE, { size: 1, version: '3.6.16', storage: { emptyDir: {} }, tls: { auto: {} } });
    const client = await waitFor(
      `the client Secret of ${SOURCE}`,
      () => readClientTls(core, namespace, clientSecretName(SOURCE)),
      { timeoutMs: 60_000, intervalMs: 250, retryErrors: true },
    );
    const tlsClusters = new LocalEtcdClusters(kubeConfig, namespace, client);
    const source = await tlsClusters.settled(SOURCE, 1, 120_000);
    const [sourceEndpoint = ''] = endpointsOf(source);
    assert.match(sourceEndpoint, /^https:/);
    await tlsClusters.putKeys(source, '/from-claim/', 30);

    const backup = await backUpToClaim('nightly', SOURCE);
    const record = backup.status?.backups?.at(-1);
    assert.ok(record !== undefined);
    assert.equal(record.location, `pvc://${CLAIM}/etcd/${SOURCE}/${record.name}`);
    const expected = await readKeySpace(sourceEndpoint, record.revision, { tls: client });
    assert.ok(expected.kvs.size >= 30, `${expected.kvs.size} keys at revision ${record.revision}`);

    const startedAt = performance.now();
    await create(ETCD_RESTORE, 'from-claim', {
      source: { backup: { name: 'nightly' } },
      cluster: { name: RESTORED, spec: { size: 1, version: '3.6.16', storage: { emptyDir: {} } } },
    });
    const restore = await plain.restored('from-claim');
    t.diagnostic(`restored from the claim in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    assert.equal(restore.status?.source, record.location);
    assert.equal(restore.status?.sha256, record.sha256);
    assert.equal(restore.status?.restoredRevision, record.revision);

    const restored = await plain.settled(RESTORED, 1);
    const [endpoint = ''] = endpointsOf(restored);
    // The restored cluster has automatic TLS (the default) from its own new CA.
    const restoredTls = await plain.tlsOf(restored);
    const held = await readKeySpace(endpoint, record.revision, restoredTls === undefined ? {} : { tls: restoredTls });
    assert.deepEqual(held.kvs, expected.kvs, 'every key, value, create and mod revision');
    assert.notEqual(held.clusterId, expected.clusterId, 'a new cluster ID');
    assert.equal(restore.status?.clusterID, hexId(held.clusterId));

    // Verified by a pod owned by the restore, which is gone now; the founding member read the claim itself.
    const names = await assertVerifyPodsGone('from-claim');
    for (const name of names) assert.equal(verifyPodsSeen.get(name), ETCD_RESTORE.kind);
    const [seeded] = await plain.pods(RESTORED);
    const seedFetch = seeded?.spec?.initContainers?.find((container) => container.name === 'seed-fetch');
    assert.ok(seedFetch !== undefined, 'the founding member was seeded');
    assert.ok(
      seeded?.spec?.volumes?.some((volume) => volume.persistentVolumeClaim?.claimName === CLAIM),
      'seed-fetch reads the claim',
    );
    const reasons = (await kubeConfig.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace })).items
      .filter((event) => event.regarding?.name === 'from-claim')
      .map((event) => event.reason ?? '');
    assert.ok(reasons.includes('SnapshotVerified') && reasons.includes('Restored'), reasons.join(', '));
  });
});

describe('recovery: fromLatestBackup from a claim', () => {
  it('verifies the backup in a pod and recovers from it after a quorum loss', async (t) => {
    await plain.create(RECOVERED, {
      size: 3,
      version: '3.6.16',
      storage: { emptyDir: {} },
      recovery: 'fromLatestBackup',
    });
    let current = await plain.settled(RECOVERED, 3);
    const oldId = current.status?.clusterID;
    await plain.putKeys(current, '/kept/', 20);
    const newest = (await backUpToClaim('phoenix-nightly', RECOVERED)).status?.backups?.at(-1);
    assert.ok(newest !== undefined);
    await plain.putKeys(current, '/lost/', 5);

    const startedAt = performance.now();
    const [first, second] = await plain.pods(RECOVERED);
    await Promise.all(
      [first, second].map((pod) =>
        core.deleteNamespacedPod({ namespace, name: pod?.metadata?.name ?? '', gracePeriodSeconds: 0 }),
      ),
    );
    await waitFor(
      'the recovery to be recorded as done',
      async () => ((await plain.read(RECOVERED)).status?.lastRecovery?.completedAt === undefined ? undefined : true),
      { timeoutMs: 180_000, intervalMs: 250, retryErrors: true },
    );
    current = await plain.settled(RECOVERED, 3);
    t.diagnostic(`quorum loss → recovered from the claim in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    const recovery = current.status?.lastRecovery;
    assert.equal(recovery?.backup, 'phoenix-nightly');
    assert.equal(recovery?.snapshot, newest.location);
    assert.equal(recovery?.restoredRevision, newest.revision);
    assert.notEqual(current.status?.clusterID, oldId, 'a new cluster ID');
    await plain.assertKeys(current, '/kept/', 20);
    await plain.assertKeys(current, '/lost/', 0);

    const names = await assertVerifyPodsGone(RECOVERED);
    for (const name of names) assert.equal(verifyPodsSeen.get(name), 'EtcdCluster');
  });
});
