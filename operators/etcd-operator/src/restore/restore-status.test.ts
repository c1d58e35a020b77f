import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { recordFailure, recordStaged, type EtcdRestoreStatus } from './restore-status.ts';

const T0 = new Date('2026-12-04T10:00:00Z');
const later = new Date('2026-12-04T10:05:00Z');

const aStaged = { source: 's3://etcd-backups/main-r42.db', sha256: 'cd'.repeat(32), revision: 42, cluster: 'restored' };

const conditionOf = (status: EtcdRestoreStatus, type: 'Restored' | 'Failed') =>
  status.conditions?.find((condition) => condition.type === type);

describe('an EtcdRestore status', () => {
  it('after the snapshot is verified and the cluster created: Restoring, the revision, the source, not Restored', () => {
    const status = recordStaged(undefined, aStaged, T0);
    assert.equal(status.phase, 'Restoring');
    assert.equal(status.restoredRevision, 42);
    assert.equal(status.source, aStaged.source);
    assert.equal(status.sha256, aStaged.sha256);
    assert.equal(conditionOf(status, 'Restored')?.status, 'False');
    assert.equal(conditionOf(status, 'Restored')?.reason, 'AwaitingSeed');
    assert.match(conditionOf(status, 'Restored')?.message ?? '', /revision 42.*EtcdCluster restored paused/);
    assert.equal(conditionOf(status, 'Failed')?.status, 'False');
  });

  it('after a final failure: Failed, the reason and the message quoted', () => {
    const status = recordFailure(
      undefined,
      {
        reason: 'SnapshotCorrupt',
        message: 'x.db is not a valid etcd snapshot: its sha256 trailer does not match',
        final: true,
      },
      T0,
    );
    assert.equal(status.phase, 'Failed');
    assert.equal(conditionOf(status, 'Failed')?.status, 'True');
    assert.equal(conditionOf(status, 'Failed')?.reason, 'SnapshotCorrupt');
    assert.match(conditionOf(status, 'Failed')?.message ?? '', /trailer does not match/);
    assert.equal(status.restoredRevision, undefined);
  });

  it('after a failure to be retried: Pending; a second one keeps the transition time, success moves it', () => {
    const first = recordFailure(undefined, { reason: 'StoreFailed', message: 'ECONNREFUSED', final: false }, T0);
    assert.equal(first.phase, 'Pending');
    const second = recordFailure(first, { reason: 'StoreFailed', message: 'ECONNREFUSED', final: false }, later);
    assert.equal(conditionOf(second, 'Failed')?.lastTransitionTime, T0.toISOString());
    const staged = recordStaged(second, aStaged, later);
    assert.equal(conditionOf(staged, 'Failed')?.status, 'False');
    assert.equal(conditionOf(staged, 'Failed')?.lastTransitionTime, later.toISOString());
    assert.equal(conditionOf(staged, 'Restored')?.lastTransitionTime, T0.toISOString());
  });
});
