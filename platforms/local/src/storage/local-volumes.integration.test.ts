import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { access, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, type V1PersistentVolume, type V1PersistentVolumeClaim, type V1Pod } from '@kubernetes/client-node';
import { uniqueName, waitFor, waitUntilNotFound } from '@strata/harness';
import { startTestCluster, type TestCluster } from '../testing/index.ts';
import {
  LOCAL_PATH_RETAIN_STORAGE_CLASS,
  LOCAL_PATH_STORAGE_CLASS,
  LOCAL_VOLUME_ROOT,
  persistentVolumeNode,
  persistentVolumePath,
} from './local-volumes.ts';

const SHELL_IMAGE = 'strata.test/shell:1.0';
const MESSAGE = 'written by the first pod';

/** A claim of the test's storage class (the cluster default when none is named). */
function claim(name: string, storageClassName?: string): V1PersistentVolumeClaim {
  return {
    metadata: { name },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Gi' } },
      ...(storageClassName === undefined ? {} : { storageClassName }),
    },
  };
}

/** A shell pod that mounts the claim at /data and runs `script`. */
function shellPod(name: string, claimName: string, script: string, restartPolicy: 'Always' | 'Never'): V1Pod {
  return {
    metadata: { name },
    spec: {
      restartPolicy,
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'main',
          image: SHELL_IMAGE,
          command: ['sh', '-c', script],
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        },
      ],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
    },
  };
}

/** A single-member etcd of the image's release, with its data directory on the claim. */
function etcdPod(name: string, image: string, claimName: string): V1Pod {
  return {
    metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 5,
      containers: [
        {
          name: 'etcd',
          image,
          command: ['etcd'],
          args: [
            '--data-dir=/var/lib/etcd',
            '--listen-client-urls=http://$(POD_IP):2379',
            '--advertise-client-urls=http://$(POD_IP):2379',
            '--listen-peer-urls=http://$(POD_IP):2380',
          ],
          env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
          volumeMounts: [{ name: 'data', mountPath: '/var/lib/etcd' }],
          readinessProbe: { httpGet: { path: '/health', port: 2379 }, periodSeconds: 1 },
        },
      ],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
    },
  };
}

const base64 = (text: string): string => Buffer.from(text).toString('base64');

/** etcd's v3 JSON gateway: no client library needed for one key. */
async function etcdCall(podIP: string, path: string, body: unknown): Promise<unknown> {
  const answer = await fetch(`http://${podIP}:2379${path}`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal(answer.status, 200, `${path}: ${await answer.clone().text()}`);
  return answer.json();
}

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

describe('persistent volumes on the local platform', () => {
  let cluster: TestCluster;
  let core: CoreV1Api;
  const namespace = 'default';

  before(async () => {
    cluster = await startTestCluster({
      workers: 2,
      images: { [SHELL_IMAGE]: { command: ['/bin/sh'], executables: { sh: '/bin/sh' } } },
    });
    core = cluster.adminKubeConfig().makeApiClient(CoreV1Api);
  });
  after(async () => {
    await cluster?.destroy();
  });

  /** Resolves once a read answers 404: gone is a 404, and any other answer fails the test. */
  const gone = (what: string, read: () => Promise<unknown>): Promise<true> =>
    waitUntilNotFound(what, read, { timeoutMs: 60_000 });

  const phaseOf = (name: string, phase: string): Promise<V1Pod> =>
    waitFor(
      `pod ${name} to be ${phase}`,
      async () => {
        const pod = await core.readNamespacedPod({ name, namespace });
        if (pod.status?.phase === 'Failed' && phase !== 'Failed') {
          assert.fail(`pod ${name} failed: ${JSON.stringify(pod.status.containerStatuses?.[0]?.state)}`);
        }
        return pod.status?.phase === phase ? pod : undefined;
      },
      90_000,
    );

  /** Where a volume's directory is on this machine: below the root of the node it is pinned to. */
  const hostDirectory = (volume: V1PersistentVolume): string =>
    join(
      cluster.directory.path,
      'nodes',
      persistentVolumeNode(volume) ?? '',
      'root',
      persistentVolumePath(volume) ?? '',
    );

  async function writeThroughFirstPod(claimName: string): Promise<{ volume: V1PersistentVolume; node: string }> {
    const writer = uniqueName('writer');
    await core.createNamespacedPod({
      namespace,
      body: shellPod(writer, claimName, `echo "${MESSAGE}" > /data/message && exec sleep 600`, 'Always'),
    });
    const running = await phaseOf(writer, 'Running');
    const node = running.spec?.nodeName ?? '';
    const bound = await waitFor(
      'the claim to be Bound',
      async () => {
        const current = await core.readNamespacedPersistentVolumeClaim({ name: claimName, namespace });
        return current.status?.phase === 'Bound' ? current : undefined;
      },
      30_000,
    );
    const volume = await core.readPersistentVolume({ name: bound.spec?.volumeName ?? '' });
    assert.equal(persistentVolumeNode(volume), node, 'the volume is pinned to the node of its first pod');
    assert.ok(persistentVolumePath(volume)?.startsWith(`${LOCAL_VOLUME_ROOT}/`), persistentVolumePath(volume));
    await waitFor('the first pod to write its file', () => exists(join(hostDirectory(volume), 'message')), 30_000);
    await core.deleteNamespacedPod({ name: writer, namespace });
    await gone(`pod ${writer}`, () => core.readNamespacedPod({ name: writer, namespace }));
    return { volume, node };
  }

  it('binds a claim to a directory on the node of its first pod; a new pod there reads what the first wrote; Delete removes it', async () => {
    const claimName = uniqueName('data');
    await core.createNamespacedPersistentVolumeClaim({ namespace, body: claim(claimName) });
    const created = await core.readNamespacedPersistentVolumeClaim({ name: claimName, namespace });
    assert.equal(created.spec?.storageClassName, LOCAL_PATH_STORAGE_CLASS, 'the local path class is the default');
    assert.equal(created.status?.phase, 'Pending', 'nothing is provisioned before a pod uses the claim');

    const { volume, node } = await writeThroughFirstPod(claimName);
    assert.equal(volume.spec?.persistentVolumeReclaimPolicy, 'Delete');
    const directory = hostDirectory(volume);
    assert.equal((await readFile(join(directory, 'message'), 'utf8')).trim(), MESSAGE, 'the data outlives its pod');

    const reader = uniqueName('reader');
    await core.createNamespacedPod({
      namespace,
      body: shellPod(reader, claimName, `test "$(cat /data/message)" = "${MESSAGE}"`, 'Never'),
    });
    const succeeded = await phaseOf(reader, 'Succeeded');
    assert.equal(succeeded.spec?.nodeName, node, 'the scheduler follows the volume to its node');

    await core.deleteNamespacedPod({ name: reader, namespace });
    await gone(`pod ${reader}`, () => core.readNamespacedPod({ name: reader, namespace }));
    await core.deleteNamespacedPersistentVolumeClaim({ name: claimName, namespace });
    await gone('the volume', () => core.readPersistentVolume({ name: volume.metadata?.name ?? '' }));
    assert.equal(await exists(directory), false, 'the directory went with its volume');
  });

  it('runs etcd from an image of an earlier release on a claim, and the next release on the same data', async () => {
    const claimName = uniqueName('etcd-data');
    await core.createNamespacedPersistentVolumeClaim({ namespace, body: claim(claimName) });
    const ready = (name: string): Promise<V1Pod> =>
      waitFor(
        `etcd pod ${name} to be Ready`,
        async () => {
          const pod = await core.readNamespacedPod({ name, namespace });
          const ok = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
          return ok === true ? pod : undefined;
        },
        90_000,
      );
    const version = async (podIP: string): Promise<unknown> =>
      ((await (await fetch(`http://${podIP}:2379/version`)).json()) as { etcdserver?: unknown }).etcdserver;

    const first = uniqueName('etcd-old');
    await core.createNamespacedPod({ namespace, body: etcdPod(first, 'registry.k8s.io/etcd:3.5.36-0', claimName) });
    const old = await ready(first);
    const oldIP = old.status?.podIP ?? '';
    assert.equal(await version(oldIP), '3.5.36', 'the image tag chose the etcd release');
    await etcdCall(oldIP, '/v3/kv/put', { key: base64('/survives'), value: base64('the pod') });
    await core.deleteNamespacedPod({ name: first, namespace });
    await gone(`pod ${first}`, () => core.readNamespacedPod({ name: first, namespace }));

    const second = uniqueName('etcd-new');
    await core.createNamespacedPod({ namespace, body: etcdPod(second, 'quay.io/coreos/etcd:v3.6.15', claimName) });
    const upgraded = await ready(second);
    const newIP = upgraded.status?.podIP ?? '';
    assert.equal(await version(newIP), '3.6.15');
    const range = (await etcdCall(newIP, '/v3/kv/range', { key: base64('/survives') })) as {
      kvs?: { value?: string }[];
    };
    assert.equal(Buffer.from(range.kvs?.[0]?.value ?? '', 'base64').toString(), 'the pod');
    await core.deleteNamespacedPod({ name: second, namespace });
    await gone(`pod ${second}`, () => core.readNamespacedPod({ name: second, namespace }));
    await core.deleteNamespacedPersistentVolumeClaim({ name: claimName, namespace });
  });

  it('keeps the directory of a Retain volume when its claim and then the volume itself are deleted', async () => {
    const claimName = uniqueName('kept');
    await core.createNamespacedPersistentVolumeClaim({
      namespace,
      body: claim(claimName, LOCAL_PATH_RETAIN_STORAGE_CLASS),
    });
    const { volume } = await writeThroughFirstPod(claimName);
    const name = volume.metadata?.name ?? '';
    assert.equal(volume.spec?.persistentVolumeReclaimPolicy, 'Retain');
    const directory = hostDirectory(volume);
    try {
      await core.deleteNamespacedPersistentVolumeClaim({ name: claimName, namespace });
      await waitFor(
        'the volume to be Released',
        async () => ((await core.readPersistentVolume({ name })).status?.phase === 'Released' ? true : undefined),
        60_000,
      );
      await core.deletePersistentVolume({ name });
      await gone('the volume', () => core.readPersistentVolume({ name }));
      assert.equal((await readFile(join(directory, 'message'), 'utf8')).trim(), MESSAGE, 'Retain keeps the data');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
