import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EtcdClusterStatus } from '@strata/api';
import { plan } from '../plan/plan.ts';
import { aMember, observed } from '../plan/test-fixtures.ts';
import { recordedClusterId, statusOf } from './status.ts';

const NOW = new Date('2026-12-04T20:00:00Z');
const conditionOf = (status: EtcdClusterStatus, type: string) =>
  status.conditions?.find((condition) => condition.type === type);

describe('the EtcdCluster status', () => {
  it('reports a cluster at its size as Running and Available, with the members table in etcdctl’s hex IDs', () => {
    const members = [aMember('etcd-a', { id: '255' }), aMember('etcd-b'), aMember('etcd-c')];
    const seen = observed(members);
    const status = statusOf({ observed: seen, action: plan(seen), previous: undefined, generation: 2, now: NOW });
    assert.equal(status.phase, 'Running');
    assert.equal(conditionOf(status, 'Available')?.status, 'True');
    assert.equal(conditionOf(status, 'Degraded')?.status, 'False');
    assert.equal(status.readyMembers, 3);
    assert.equal(status.members?.[0]?.id, 'ff');
    assert.equal(status.members?.filter((member) => member.leader).length, 1);
    assert.equal(status.observedGeneration, 2);
    assert.equal(recordedClusterId(status), seen.etcd.kind === 'answered' ? seen.etcd.clusterId : '');
  });

  it('sets QuorumLost, clears Available and keeps the recorded cluster ID when no member answers', () => {
    const seen = observed([], { pods: [], size: 3 }, { kind: 'silent', errors: ['refused'] });
    const previous: EtcdClusterStatus = { clusterID: '1e61' };
    const status = statusOf({ observed: seen, action: plan(seen), previous, generation: 1, now: NOW });
    assert.equal(status.phase, 'QuorumLost');
    assert.equal(conditionOf(status, 'QuorumLost')?.status, 'True');
    assert.equal(conditionOf(status, 'Available')?.status, 'False');
    assert.equal(status.clusterID, '1e61');
  });

  it('marks a scale-up Progressing and a member that does not answer Degraded', () => {
    const scaling = observed([aMember('etcd-a')], { size: 3 });
    const up = statusOf({ observed: scaling, action: plan(scaling), previous: undefined, generation: 1, now: NOW });
    assert.equal(up.phase, 'Scaling');
    assert.equal(conditionOf(up, 'Progressing')?.status, 'True');
    const sick = observed([aMember('etcd-a'), aMember('etcd-b'), aMember('etcd-c', { healthy: false })]);
    const down = statusOf({ observed: sick, action: plan(sick), previous: undefined, generation: 1, now: NOW });
    assert.equal(conditionOf(down, 'Degraded')?.status, 'True');
    assert.equal(down.readyMembers, 2);
  });

  it('keeps a condition’s lastTransitionTime while its status does not change', () => {
    const seen = observed([aMember('etcd-a')]);
    const first = statusOf({ observed: seen, action: plan(seen), previous: undefined, generation: 1, now: NOW });
    const later = new Date(NOW.getTime() + 60_000);
    const second = statusOf({ observed: seen, action: plan(seen), previous: first, generation: 1, now: later });
    assert.equal(conditionOf(second, 'Available')?.lastTransitionTime, NOW.toISOString());
    const paused = { ...seen, spec: { ...seen.spec, paused: true } };
    const third = statusOf({ observed: paused, action: plan(paused), previous: second, generation: 2, now: later });
    assert.equal(conditionOf(third, 'Paused')?.status, 'True');
    assert.equal(conditionOf(third, 'Paused')?.lastTransitionTime, later.toISOString());
    assert.equal(third.phase, 'Paused');
  });

  it('accepts an even size, and says in the Available condition why it buys nothing', () => {
    const members = [aMember('etcd-a'), aMember('etcd-b'), aMember('etcd-c'), aMember('etcd-d')];
    const seen = observed(members);
    const status = statusOf({ observed: seen, action: plan(seen), previous: undefined, generation: 1, now: NOW });
    assert.equal(status.phase, 'Running');
    assert.equal(conditionOf(status, 'Available')?.status, 'True');
    assert.match(
      conditionOf(status, 'Available')?.message ?? '',
      /warning: spec\.size 4 is even: it can lose 1 member, as 3 can/,
    );
    const odd = observed(members.slice(0, 3));
    const three = statusOf({ observed: odd, action: plan(odd), previous: undefined, generation: 1, now: NOW });
    assert.doesNotMatch(conditionOf(three, 'Available')?.message ?? '', /even/);
  });
});
