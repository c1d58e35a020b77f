// Chaos: 50 member kills under a steady load of writes, against real etcd processes on a local cluster whose
// bootstrap manifests install the operator as `strata up` does. Every acknowledged write must be readable from every
// member at the end. Starts a local cluster on the fixed loopback addresses: run under
// `flock /tmp/strata-fixed-addresses.lock`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { waitFor } from '@strata/harness';
import { crashContainer, type TestCluster } from '@strata/platform-local/testing';
import { ETCD_CONTAINER } from '../pods/member-pod.ts';
import { endpointsOf, type LocalEtcdClusters } from '../testing/local-etcd-cluster.ts';
import { startOperatorTestCluster } from '../testing/operator-test-cluster.ts';

const NAME = 'chaos';
const KILLS = 50;
/**
 * A SIGKILLed etcd waits out the kubelet's back-off (about 10 s) while a deleted pod on its claim is back in about
 * 1.5 s: one kill in six is a SIGKILL, so that the run stays within a few minutes.
 */
const SIGKILL_EVERY = 6;
/** One write in flight at a time, at most one per this many milliseconds. */
const WRITE_INTERVAL_MS = 20;
const PREFIX = '/chaos/';

let cluster: TestCluster;
let core: CoreV1Api;
let clusters: LocalEtcdClusters;
let namespace: string;

before(async () => {
  ({ cluster, core, clusters, namespace } = await startOperatorTestCluster('etcd-chaos'));
});

after(async () => {
  await cluster?.destroy();
});

const etcdRestarts = (pod: V1Pod): number =>
  pod.status?.containerStatuses?.find((container) => container.name === ETCD_CONTAINER)?.restartCount ?? 0;

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

describe('chaos', () => {
  it(
    `loses no acknowledged write through ${KILLS} random member kills under a steady load of writes`,
    // 50 heals of about 10 s each take 440 to 520 s on an idle 2-core machine; beside CI's other lane they took
    // longer than the 590 s this limit was, and the run failed on the limit alone.
    { timeout: 1_100_000 },
    async (t) => {
      await clusters.create(NAME, { size: 3, version: '3.6.16', storage: { pvc: { size: '64Mi' } } });
      let current = await clusters.settled(NAME, 3, 90_000);
      const etcd = await clusters.etcdOf(current);

      // The writer: each acknowledged key is recorded; a write that fails or times out is counted as refused (it may
      // or may not have been applied, and is never checked).
      const acknowledged = new Map<string, string>();
      let refused = 0;
      let writing = true;
      let endpoints = endpointsOf(current);
      const writer = (async () => {
        for (let index = 0; writing; index += 1) {
          const startedAt = performance.now();
          const endpoint = endpoints[index % Math.max(1, endpoints.length)] ?? '';
          const key = `${PREFIX}${index}`;
          const value = `value-${index}`;
          try {
            await etcd.put(endpoint, key, value);
            acknowledged.set(key, value);
          } catch {
            // A refused write is the expected answer of a killed member; it is counted, never checked.
            refused += 1;
          }
          const rest = WRITE_INTERVAL_MS - (performance.now() - startedAt);
          if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
        }
      })();
      // The status sampled all through: members' client URLs for the writer, and the most learners ever seen.
      let mostLearners = 0;
      const sampling = setInterval(() => {
        void clusters.read(NAME).then(
          (sample) => {
            const members = sample.status?.members ?? [];
            mostLearners = Math.max(mostLearners, members.filter((member) => member.learner).length);
            const urls = endpointsOf(sample);
            if (urls.length > 0) endpoints = urls;
          },
          () => undefined,
        );
      }, 200);

      const heals: { kind: 'SIGKILL' | 'delete'; ms: number }[] = [];
      try {
        for (let kill = 0; kill < KILLS; kill += 1) {
          const pods = (await clusters.pods(NAME)).filter((pod) => pod.metadata?.deletionTimestamp === undefined);
          const victim = pods[Math.floor(Math.random() * pods.length)];
          assert.ok(victim !== undefined && pods.length === 3, `three member pods before kill ${kill + 1}`);
          const name = victim.metadata?.name ?? '';
          const uid = victim.metadata?.uid;
          const restarts = etcdRestarts(victim);
          // A pod's second SIGKILL would wait out a doubled back-off: such a pod is deleted instead.
          const kind = kill % SIGKILL_EVERY === SIGKILL_EVERY - 1 && restarts === 0 ? 'SIGKILL' : 'delete';
          const startedAt = performance.now();
          if (kind === 'SIGKILL') crashContainer(victim, ETCD_CONTAINER);
          else await core.deleteNamespacedPod({ namespace, name });
          // One member down at a time (quorum of 3 tolerates one): the next kill waits until this one healed, first
          // in the pods (restarted, or a new pod of the same member), then in etcd and the status.
          await waitFor(
            `member ${name} to come back after its ${kind}`,
            async () => {
              const now = (await clusters.pods(NAME)).find((pod) => pod.metadata?.name === name);
              if (now === undefined || now.metadata?.deletionTimestamp !== undefined) return undefined;
              const back = kind === 'SIGKILL' ? etcdRestarts(now) > restarts : now.metadata?.uid !== uid;
              return back && now.status?.containerStatuses?.every((container) => container.ready) === true
                ? true
                : undefined;
            },
            { timeoutMs: 60_000, intervalMs: 100, retryErrors: true },
          );
          current = await clusters.settled(NAME, 3, 60_000);
          await waitFor(
            'every member to answer',
            async () => {
              const answers = await Promise.all(endpointsOf(current).map((endpoint) => etcd.status(endpoint)));
              return answers.length === 3 ? true : undefined;
            },
            { timeoutMs: 30_000, intervalMs: 100, retryErrors: true },
          );
          heals.push({ kind, ms: performance.now() - startedAt });
        }
      } finally {
        writing = false;
        await writer;
        clearInterval(sampling);
      }

      current = await clusters.settled(NAME, 3, 60_000);
      for (const endpoint of endpointsOf(current)) {
        const found = await etcd.getPrefix(endpoint, PREFIX);
        const missing = [...acknowledged].filter(([key, value]) => found.get(key) !== value);
        assert.deepEqual(
          missing.slice(0, 5),
          [],
          `${endpoint} holds every acknowledged write (${missing.length} missing)`,
        );
      }
      const hashes = await clusters.hashes(current);
      assert.equal(new Set(hashes).size, 1, `hashkv on every member: ${hashes.join(', ')}`);
      assert.ok(mostLearners <= 1, `never two learners at once: saw ${mostLearners}`);

      const figures = (kind?: 'SIGKILL' | 'delete'): string => {
        const times = heals
          .filter((heal) => kind === undefined || heal.kind === kind)
          .map((heal) => heal.ms)
          .sort((a, b) => a - b);
        return `${times.length} kills, heal p50 ${(percentile(times, 0.5) / 1000).toFixed(1)} s, max ${((times.at(-1) ?? Number.NaN) / 1000).toFixed(1)} s`;
      };
      t.diagnostic(`all: ${figures()}`);
      t.diagnostic(`pod deleted: ${figures('delete')}`);
      t.diagnostic(`etcd SIGKILLed: ${figures('SIGKILL')}`);
      t.diagnostic(
        `writes acknowledged ${acknowledged.size}, refused ${refused}; every acknowledged write read back from all 3 members; hashkv equal; most learners at once ${mostLearners}`,
      );
      assert.ok(acknowledged.size > KILLS * 10, `a steady load: ${acknowledged.size} writes acknowledged`);
    },
  );
});
