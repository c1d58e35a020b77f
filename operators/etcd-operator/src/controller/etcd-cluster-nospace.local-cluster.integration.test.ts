// A NOSPACE alarm, reached for real through a small --quota-backend-bytes, cleared by the operator: compaction,
// defragmentation of every member (the leader last), then the alarm disarmed, and writes are taken again. Starts a
// local cluster on the fixed loopback addresses: run under `flock /tmp/strata-fixed-addresses.lock`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { waitFor } from '@strata/harness';
import type { TestCluster } from '@strata/platform-local/testing';
import { EtcdRequestError } from '../etcd/errors.ts';
import { endpointsOf, type LocalEtcdClusters } from '../testing/local-etcd-cluster.ts';
import { startOperatorTestCluster } from '../testing/operator-test-cluster.ts';

const NAME = 'full';
const QUOTA = 1_048_576;
/** Each write replaces the last: the history fills the quota while the live data stays one value. */
const VALUE = 'x'.repeat(96 * 1024);

let cluster: TestCluster;
let kubeConfig: KubeConfig;
let clusters: LocalEtcdClusters;
let namespace: string;

before(async () => {
  ({ cluster, kubeConfig, clusters, namespace } = await startOperatorTestCluster('etcd-nospace'));
});

after(async () => {
  await cluster?.destroy();
});

describe('a NOSPACE alarm', () => {
  it('is cleared by compaction, defragmentation of every member, leader last, then disarming', async (t) => {
    await clusters.create(NAME, { size: 3, version: '3.6.16', storage: { emptyDir: {} }, quotaBackendBytes: QUOTA });
    const current = await clusters.settled(NAME, 3);
    const etcd = await clusters.etcdOf(current);
    const endpoint = endpointsOf(current)[0] ?? '';
    let writes = 0;
    let refusal: EtcdRequestError | undefined;
    for (; writes < 40 && refusal === undefined; writes += 1) {
      try {
        await etcd.put(endpoint, '/full/value', VALUE);
      } catch (error) {
        if (!(error instanceof EtcdRequestError)) throw error;
        refusal = error;
      }
    }
    assert.ok(refusal !== undefined, `etcd refused a write within ${writes} writes of 96 KiB`);
    assert.match(refusal.message, /database space exceeded/);
    const fullAt = performance.now();
    t.diagnostic(`NOSPACE after ${writes} writes of 96 KiB (quota ${QUOTA} bytes)`);

    await waitFor(
      'the operator to clear the NOSPACE alarm',
      async () => ((await etcd.alarms(endpoint)).length === 0 ? true : undefined),
      // 15 s alone; over 60 s when two lanes of whole-system tests share the 2 cores (the compaction and every
      // member's defragmentation wait their turn). The time is reported above; this only bounds a hang.
      { timeoutMs: 180_000, intervalMs: 250, retryErrors: true },
    );
    t.diagnostic(`alarm cleared ${((performance.now() - fullAt) / 1000).toFixed(1)} s after the refusal`);
    await etcd.put(endpoint, '/full/after', 'taken');
    assert.equal((await etcd.getPrefix(endpoint, '/full/after')).get('/full/after'), 'taken');

    const events = (
      await kubeConfig
        .makeApiClient(EventsV1Api)
        .listNamespacedEvent({ namespace, fieldSelector: `regarding.name=${NAME}` })
    ).items.sort((a, b) => new Date(a.eventTime).getTime() - new Date(b.eventTime).getTime());
    const steps = events
      .map((event) => event.reason ?? '')
      .filter((reason) => ['Compacted', 'Defragmented', 'AlarmCleared'].includes(reason));
    assert.deepEqual(steps, ['Compacted', 'Defragmented', 'Defragmented', 'Defragmented', 'AlarmCleared']);
    const defragmented = events.filter((event) => event.reason === 'Defragmented').map((event) => event.note ?? '');
    assert.match(defragmented[2] ?? '', /\(the leader, last\)/, defragmented.join(' | '));
    assert.ok(
      defragmented.slice(0, 2).every((note) => !note.includes('the leader')),
      defragmented.join(' | '),
    );
    const status = await clusters.settled(NAME, 3);
    assert.ok(
      (status.status?.members ?? []).every((member) => (member.dbSize ?? QUOTA) < QUOTA / 2),
      `every member's backend shrank: ${(status.status?.members ?? []).map((member) => member.dbSize).join(', ')}`,
    );
  });
});
