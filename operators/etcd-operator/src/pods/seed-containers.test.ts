import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ETCD_CLUSTER, parseEtcdCluster, POD_ANNOTATIONS, type EtcdCluster } from '@strata/api';
import type { V1Pod } from '@kubernetes/client-node';
import type { SeedSource } from '../restore/seed-source.ts';
import { memberPod } from './member-pod.ts';
import { BACKUP_MOUNT, SEED_DIR } from './seed-containers.ts';

const OPERATOR_IMAGE = 'ghcr.io/strata-dev/etcd-operator:test';

/** A restored EtcdCluster as the API server returns it: automatic TLS, the default. */
const aCluster = (storage: object = { emptyDir: {} }): EtcdCluster =>
  parseEtcdCluster({
    apiVersion: ETCD_CLUSTER.apiVersion,
    kind: ETCD_CLUSTER.kind,
    metadata: { name: 'restored', namespace: 'apps', uid: 'cluster-uid' },
    spec: { size: 3, version: '3.6.16', storage },
  });

const aSeed = (store: SeedSource['store']): SeedSource => ({
  token: 'restore-uid',
  name: 'main-20261205T020000Z-r42.db',
  sha256: 'ab'.repeat(32),
  revision: 42,
  store,
});

const S3_STORE = {
  kind: 's3',
  endpoint: 'http://127.0.0.1:9000',
  bucket: 'etcd-backups',
  prefix: 'main',
  forcePathStyle: true,
  credentialsSecret: 's3-credentials',
} as const;

const founding = (cluster: EtcdCluster, seed: SeedSource): V1Pod =>
  memberPod({
    cluster,
    name: 'restored-aaaaaa',
    join: { state: 'new' },
    operatorImage: OPERATOR_IMAGE,
    version: '3.6.16',
    seed,
  });

/** The seed's init containers; automatic TLS's member-cert runs before them. */
const seedSteps = (pod: V1Pod) =>
  (pod.spec?.initContainers ?? []).filter((container) => container.name.startsWith('seed-'));
/** The pod's volumes beside automatic TLS's (its certificate, its CA, the token of member-cert). */
const TLS_VOLUMES = new Set(['tls', 'ca', 'kube-api-access']);
const volumesBesideTls = (pod: V1Pod): string[] =>
  (pod.spec?.volumes ?? []).map((volume) => volume.name).filter((name) => !TLS_VOLUMES.has(name));

const flag = (command: readonly string[] | undefined, name: string): string | undefined =>
  command?.find((argument) => argument.startsWith(`--${name}=`))?.slice(name.length + 3);

describe("a restored cluster's founding member pod", () => {
  it('runs fetch, etcdutl of its own etcd image, then install, before etcd, all on the data and seed volumes', () => {
    const pod = founding(aCluster(), aSeed(S3_STORE));
    assert.deepEqual(
      (pod.spec?.initContainers ?? []).map((container) => container.name),
      ['member-cert', 'seed-fetch', 'seed-restore', 'seed-install'],
      "the member's certificate first, then the seed",
    );
    const init = seedSteps(pod);
    assert.deepEqual(
      init.map((container) => [container.name, container.image]),
      [
        ['seed-fetch', OPERATOR_IMAGE],
        ['seed-restore', 'registry.k8s.io/etcd:3.6.16-0'],
        ['seed-install', OPERATOR_IMAGE],
      ],
    );
    const restore = init[1]?.command ?? [];
    assert.deepEqual(restore.slice(0, 4), ['etcdutl', 'snapshot', 'restore', `${SEED_DIR}/snapshot.db`]);
    assert.equal(flag(restore, 'data-dir'), `${SEED_DIR}/restored`, 'never into the data directory itself');
    assert.equal(flag(restore, 'name'), '$(POD_NAME)');
    assert.equal(flag(restore, 'initial-advertise-peer-urls'), 'https://$(POD_IP):2380');
    for (const container of init) {
      const mounts = new Map(container.volumeMounts?.map((mount) => [mount.name, mount.mountPath]));
      assert.equal(mounts.get('seed'), SEED_DIR, container.name);
      assert.equal(mounts.get('data'), '/var/lib/etcd', container.name);
    }
    assert.deepEqual(volumesBesideTls(pod), ['data', 'seed']);
    // The seed volume is scratch: a drain may discard it (the data volume is not listed).
    assert.equal(pod.metadata?.annotations?.[POD_ANNOTATIONS.scratchVolumes], 'seed');
  });

  it('bootstraps a new cluster ID: a token of the restore, never the cluster usual one', () => {
    const pod = founding(aCluster(), aSeed(S3_STORE));
    const token = flag(seedSteps(pod)[1]?.command, 'initial-cluster-token');
    assert.equal(token, 'restored-restore-restore-uid');
    assert.notEqual(token, flag(pod.spec?.containers[0]?.command, 'initial-cluster-token'));
  });

  it('hands the fetch step the S3 credentials by secretKeyRef only, and the verified figures to check again', () => {
    const pod = founding(aCluster(), aSeed(S3_STORE));
    const fetch = seedSteps(pod)[0];
    const refs = (fetch?.env ?? []).filter((variable) => variable.valueFrom?.secretKeyRef !== undefined);
    assert.deepEqual(
      refs.map((variable) => [variable.valueFrom?.secretKeyRef?.name, variable.valueFrom?.secretKeyRef?.key]),
      [
        ['s3-credentials', 'accessKeyID'],
        ['s3-credentials', 'secretAccessKey'],
      ],
    );
    assert.ok(
      (fetch?.env ?? []).every((variable) => variable.value === undefined),
      'no value in the pod spec',
    );
    const source = fetch?.args?.[fetch.args.indexOf('--source') + 1] ?? '';
    assert.deepEqual(JSON.parse(source), aSeed(S3_STORE));
  });

  it('mounts a backup claim read-only for a backup kept on a claim', () => {
    const pod = founding(
      aCluster({ pvc: { size: '1Gi' } }),
      aSeed({ kind: 'pvc', claimName: 'backups', path: 'etcd' }),
    );
    const backup = pod.spec?.volumes?.find((volume) => volume.name === 'seed-backup');
    assert.deepEqual(backup?.persistentVolumeClaim, { claimName: 'backups', readOnly: true });
    const mount = seedSteps(pod)[0]?.volumeMounts?.find((each) => each.name === 'seed-backup');
    assert.deepEqual(mount, { name: 'seed-backup', mountPath: BACKUP_MOUNT, readOnly: true });
    assert.deepEqual(
      seedSteps(pod)[0]?.env?.filter((variable) => variable.valueFrom?.secretKeyRef),
      [],
    );
  });

  it('seeds only the founding member: a joining or restarted member never runs a seed into a live cluster', () => {
    const cluster = aCluster();
    for (const join of [{ state: 'existing', members: [] }, { state: 'restart' }] as const) {
      const pod = memberPod({
        cluster,
        name: 'restored-bbbbbb',
        join,
        operatorImage: OPERATOR_IMAGE,
        version: '3.6.16',
        seed: aSeed(S3_STORE),
      });
      const names = (pod.spec?.initContainers ?? []).map((container) => container.name);
      assert.ok(!names.some((name) => name.startsWith('seed-')), `${join.state}: ${names.join(', ')}`);
      assert.deepEqual(volumesBesideTls(pod), ['data']);
    }
  });
});
