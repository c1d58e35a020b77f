// The full scaling path and the heal times on a local cluster, as `strata up` installs the operator. Not a test:
// `npm run bench -w @strata/etcd-operator` (under `flock /tmp/strata-fixed-addresses.lock` on a shared machine).
import { crashContainer } from '@strata/platform-local/testing';
import { ETCD_CONTAINER } from '../src/pods/member-pod.ts';
import { startOperatorTestCluster } from '../src/testing/operator-test-cluster.ts';

const KEYS = 200;
const report = (line: string): void => void process.stdout.write(`${line}\n`);
const seconds = (since: number): string => `${((performance.now() - since) / 1000).toFixed(1)} s`;

const { cluster, clusters } = await startOperatorTestCluster('etcd-bench');
try {
  let started = performance.now();
  await clusters.create('bench', { size: 1, version: '3.6.16', storage: { emptyDir: {} } });
  let current = await clusters.settled('bench', 1, 180_000);
  report(`create → Available, 1 member: ${seconds(started)}`);
  await clusters.putKeys(current, '/bench/', KEYS);

  for (const size of [3, 5, 3, 1]) {
    const before = current.status?.members?.length ?? 0;
    started = performance.now();
    await clusters.scale('bench', size);
    current = await clusters.settled('bench', size, 180_000);
    await clusters.assertKeys(current, '/bench/', KEYS);
    report(`scale ${before} → ${size}: ${seconds(started)}, all ${KEYS} keys on every member`);
  }

  await clusters.scale('bench', 3);
  current = await clusters.settled('bench', 3, 180_000);
  const victim = (await clusters.pods('bench'))[0];
  if (victim === undefined) throw new Error('no member pod');
  started = performance.now();
  crashContainer(victim, ETCD_CONTAINER);
  // Settled already holds before etcd is seen dead; wait for the member to be reported unhealthy first.
  for (;;) {
    const seen = await clusters.read('bench');
    if ((seen.status?.members ?? []).some((member) => !member.healthy)) break;
    if (performance.now() - started > 20_000) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  current = await clusters.settled('bench', 3, 180_000);
  report(`SIGKILL of one member → all healthy: ${seconds(started)}`);
  const hashes = await clusters.hashes(current);
  report(`hashkv equal on all members: ${new Set(hashes).size === 1}`);
} finally {
  await cluster.destroy();
}
