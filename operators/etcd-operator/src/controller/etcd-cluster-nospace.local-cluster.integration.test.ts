// A NOSPACE alarm, reached for real through a small --quota-backend-bytes, cleared by the operator: compaction,
// defragmentation of every member (the leader last), then every member's alarm disarmed, and writes are taken again.
// The operator is paused while the cluster fills, and the test then sets up what load makes likely: every member
// raised its own alarm (each applied the over-quota write before it saw another's), and an earlier pass compacted
// but failed before it recorded the step. Starts a local cluster on the fixed loopback addresses: run under
// `flock /tmp/strata-fixed-addresses.lock`.
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
  it('is cleared by compaction, defragmentation of every member, leader last, then disarming every member', async (t) => {
    await clusters.create(NAME, { size: 3, version: '3.6.16', storage: { emptyDir: {} }, quotaBackendBytes: QUOTA });
    const current = await clusters.settled(NAME, 3);
    const etcd = await clusters.etcdOf(current);
    const endpoint = endpointsOf(current)[0] ?? '';
    await clusters.patchSpec(NAME, { paused: true });
    await waitFor('the operator to observe the pause', async () =>
      (await clusters.read(NAME)).status?.phase === 'Paused' ? true : undefined,
    );

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
    t.diagnostic(`NOSPACE after ${writes} writes of 96 KiB (quota ${QUOTA} bytes)`);

    const members = (await etcd.memberList(endpoint)).members.map((member) => member.ID);
    for (const memberID of members) await etcd.raiseAlarm(endpoint, { memberID, alarm: 'NOSPACE' });
    assert.deepEqual(
      (await etcd.alarms(endpoint)).map((alarm) => `${alarm.memberID} ${alarm.alarm}`).sort(),
      members.map((id) => `${id} NOSPACE`).sort(),
    );
    const revision = (await etcd.status(endpoint)).header.revision;
    assert.ok(revision !== undefined, 'etcd answered its status without a revision');
    await etcd.compact(endpoint, revision);

    await clusters.patchSpec(NAME, { paused: false });
    const resumedAt = performance.now();
    await waitFor(
      'the operator to clear every NOSPACE alarm',
      async () => ((await etcd.alarms(endpoint)).length === 0 ? true : undefined),
      // About 1 s alone; each member's defragmentation waits its turn when whole-system tests share the 2 cores. The
      // time is reported below; this only bounds a hang.
      { timeoutMs: 180_000, intervalMs: 250, retryErrors: true },
    );
    t.diagnostic(`every alarm cleared ${((performance.now() - resumedAt) / 1000).toFixed(1)} s after the resume`);
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
    const cleared = events.find((event) => event.reason === 'AlarmCleared')?.note ?? '';
    assert.match(cleared, /of members \S+, \S+, \S+ after/, cleared);
    const status = await clusters.settled(NAME, 3);
    assert.ok(
      (status.status?.members ?? []).every((member) => (member.dbSize ?? QUOTA) < QUOTA / 2),
      `every member's backend shrank: ${(status.status?.members ?? []).map((member) => member.dbSize).join(', ')}`,
    );
  });
});
