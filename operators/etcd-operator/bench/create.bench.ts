// Time from creating an EtcdCluster of 3 members to Available (every member a healthy voter, phase Running), on
// emptyDir and on claims, a few rounds each, on a local cluster as `strata up` installs the operator. Not a test:
// `npm run bench:create -w @strata/etcd-operator` (under `flock /tmp/strata-fixed-addresses.lock` on a shared machine).
import { loadavg } from 'node:os';
import { startOperatorTestCluster } from '../src/testing/operator-test-cluster.ts';

const ROUNDS = 3;
const report = (line: string): void => void process.stdout.write(`${line}\n`);

const { cluster, clusters } = await startOperatorTestCluster('etcd-bench-create');
try {
  report(
    `load average at start: ${loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}`,
  );
  for (const storage of ['emptyDir', 'pvc'] as const) {
    const times: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const name = `create-${storage.toLowerCase()}-${round}`;
      const startedAt = performance.now();
      await clusters.create(name, {
        size: 3,
        version: '3.6.16',
        storage: storage === 'pvc' ? { pvc: { size: '64Mi' } } : { emptyDir: {} },
      });
      await clusters.settled(name, 3, 180_000);
      times.push((performance.now() - startedAt) / 1000);
      // One cluster at a time: the next round does not share the cores with this one.
      await clusters.delete(name);
    }
    const sorted = [...times].sort((a, b) => a - b);
    report(
      `create → Available, 3 members on ${storage}: ${times.map((time) => `${time.toFixed(1)} s`).join(', ')} (median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(1)} s)`,
    );
  }
  report(
    `load average at end: ${loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}`,
  );
} finally {
  await cluster.destroy();
}
