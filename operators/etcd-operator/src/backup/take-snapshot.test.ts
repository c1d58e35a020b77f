import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EtcdEndpointStatus } from '../etcd/gateway-client.ts';
import { chooseSnapshotMember } from './take-snapshot.ts';

/** A member's status answer as the gateway client parses it. */
const aStatus = (
  memberId: string,
  revision: number,
  overrides: Partial<EtcdEndpointStatus> = {},
): EtcdEndpointStatus => ({
  header: { cluster_id: '7', member_id: memberId, revision: String(revision), raft_term: '2' },
  version: '3.6.16',
  dbSize: '20480',
  leader: '1',
  raftIndex: '10',
  raftTerm: '2',
  raftAppliedIndex: '10',
  errors: [],
  isLearner: false,
  ...overrides,
});

describe('safety rule 11: the member a backup comes from', () => {
  it('is the healthy member with the highest revision', () => {
    const chosen = chooseSnapshotMember([
      { endpoint: 'http://a', status: aStatus('1', 90) },
      { endpoint: 'http://b', status: aStatus('2', 120) },
      { endpoint: 'http://c', status: aStatus('3', 100) },
    ]);
    assert.equal(chosen?.endpoint, 'http://b');
  });

  it('is never a member that reports an error (an alarm, say) or knows no leader, whatever its revision', () => {
    const chosen = chooseSnapshotMember([
      { endpoint: 'http://a', status: aStatus('1', 90) },
      { endpoint: 'http://b', status: aStatus('2', 500, { errors: ['memberID:2 alarm:NOSPACE'] }) },
      { endpoint: 'http://c', status: aStatus('3', 400, { leader: '0' }) },
    ]);
    assert.equal(chosen?.endpoint, 'http://a');
  });

  it('compares revisions beyond what a JavaScript number holds exactly', () => {
    const chosen = chooseSnapshotMember([
      {
        endpoint: 'http://a',
        status: aStatus('1', 0, { header: { cluster_id: '7', member_id: '1', revision: '9007199254740993' } }),
      },
      {
        endpoint: 'http://b',
        status: aStatus('2', 0, { header: { cluster_id: '7', member_id: '2', revision: '9007199254740992' } }),
      },
    ]);
    assert.equal(chosen?.endpoint, 'http://a');
  });

  it('is none when no member is healthy', () => {
    assert.equal(chooseSnapshotMember([{ endpoint: 'http://a', status: aStatus('1', 9, { leader: '0' }) }]), undefined);
    assert.equal(chooseSnapshotMember([]), undefined);
  });
});
