// Time from deleting every member pod of a 3-member EtcdCluster on claims at once (a node, or Kubernetes, restarted)
// to the cluster re-formed (ADR 0054) and to 3 members Available again, a few rounds on one cluster, on a local
// cluster as `strata up` installs the operator. Not a test: `npm run bench:reform -w @strata/etcd-operator` (under
// `flock /tmp/strata-fixed-addresses.lock` on a shared machine).
import assert from 'node:assert/strict';
import { loadavg } from 'node:os';
import { waitFor } from '@strata/harness';
import { recordedReform } from '../src/reform/reform-plan.ts';
import { startOperatorTestCluster } from '../src/testing/operator-test-cluster.ts';

const ROUNDS = 3;
const KEYS = 100;
const NAME = 'reform-bench';
const report = (line: string): void => void process.stdout.write(`${line}\n`);
const loads = (): string =>
  loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');
const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const { cluster, core, clusters, namespace } = await startOperatorTestCluster('etcd-bench-reform');
try {
  report(`load average at start: ${loads()}`);
  await clusters.create(NAME, { size: 3, version: '3.6.16', storage: { pvc: { size: '64Mi' } } });
  const reformed: number[] = [];
  const available: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const before = await clusters.settled(NAME, 3, 180_000);
    await clusters.putKeysThenOneMore(before, `/round-${round}/`, KEYS);
    const previous = recordedReform(before)?.token;
    const pods = await clusters.pods(NAME);
    const startedAt = performance.now();
    await Promise.all(
      pods.map((pod) => core.deleteNamespacedPod({ namespace, name: pod.metadata?.name ?? '', gracePeriodSeconds: 0 })),
    );
    await waitFor(
      'the re-forming to be recorded as completed',
      async () => {
        const plan = recordedReform(await clusters.read(NAME));
        return plan !== undefined && plan.token !== previous && plan.completedAt !== undefined ? true : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 100 },
    );
    reformed.push((performance.now() - startedAt) / 1000);
    const after = await clusters.settled(NAME, 3, 180_000);
    available.push((performance.now() - startedAt) / 1000);
    assert.equal(after.status?.clusterID, before.status?.clusterID, 'the same cluster ID');
    for (let earlier = 0; earlier <= round; earlier += 1) await clusters.assertKeys(after, `/round-${earlier}/`, KEYS);
    const lastKept = await clusters.lastWriteKept(after, `/round-${round}/`);
    report(
      `round ${round + 1}: re-formed in ${reformed[round]?.toFixed(1)} s, 3 members Available in ${available[round]?.toFixed(1)} s (cluster ID ${after.status?.clusterID ?? '?'} kept, every key but the last on every member; the last ${lastKept ? 'kept' : 'lost'})`,
    );
  }
  report(
    `all 3 pods deleted → re-formed: median ${median(reformed).toFixed(1)} s; → 3 members Available: median ${median(available).toFixed(1)} s`,
  );
  report(`load average at end: ${loads()}`);
} finally {
  await cluster.destroy();
}
