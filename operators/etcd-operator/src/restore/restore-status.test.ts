import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  notRestoredYet,
  recordFailure,
  recordRestored,
  recordSeeding,
  recordStaged,
  seedingStarted,
  type EtcdRestoreStatus,
  type RestoredClusterView,
} from './restore-status.ts';

const T0 = new Date('2026-12-04T10:00:00Z');
const later = new Date('2026-12-04T10:05:00Z');

const aStaged = { source: 's3://etcd-backups/main-r42.db', sha256: 'cd'.repeat(32), revision: 42, cluster: 'restored' };

/** A restored cluster as its status shows it; each test overrides what it is about. */
const aRestoredCluster = (overrides: Partial<RestoredClusterView> = {}): RestoredClusterView => ({
  name: 'restored',
  phase: 'Running',
  available: true,
  clusterID: 'a1b2c3d4e5f60718',
  size: 3,
  members: [
    { name: 'restored-aaaaaa', revision: 42 },
    { name: 'restored-bbbbbb', revision: 43 },
    { name: 'restored-cccccc', revision: 42 },
  ],
  ...overrides,
});

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
    assert.match(conditionOf(status, 'Restored')?.message ?? '', /revision 42.*EtcdCluster restored paused.*seeded/);
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

  it('after the cluster is unpaused: still Restoring, Restored=False/Seeding, and it is never unpaused twice', () => {
    const staged = recordStaged(undefined, aStaged, T0);
    assert.equal(seedingStarted(staged), false);
    const seeding = recordSeeding(staged, 'restored', later);
    assert.equal(seeding.phase, 'Restoring');
    assert.equal(seeding.restoredRevision, 42);
    assert.equal(conditionOf(seeding, 'Restored')?.reason, 'Seeding');
    assert.match(conditionOf(seeding, 'Restored')?.message ?? '', /new cluster ID/);
    assert.equal(seedingStarted(seeding), true);
  });

  it('counts the cluster restored only when Running at its size, Available, with an ID, every member at the revision', () => {
    assert.equal(notRestoredYet(aRestoredCluster(), 42), undefined);
    assert.match(
      notRestoredYet(aRestoredCluster({ available: false, phase: 'Scaling' }), 42) ?? '',
      /Scaling, not Available/,
    );
    assert.match(notRestoredYet(aRestoredCluster({ clusterID: undefined }), 42) ?? '', /restored/);
    assert.match(
      notRestoredYet(aRestoredCluster({ members: [{ name: 'restored-aaaaaa', revision: 42 }] }), 42) ?? '',
      /1 of 3 members/,
    );
    const behind = aRestoredCluster({
      members: [
        { name: 'restored-aaaaaa', revision: 42 },
        { name: 'restored-bbbbbb', revision: 41 },
        { name: 'restored-cccccc' },
      ],
    });
    assert.match(notRestoredYet(behind, 42) ?? '', /restored-bbbbbb is at revision 41, before the restored 42/);
  });

  it('when restored: phase Restored, Restored=True, the new cluster ID recorded beside the revision', () => {
    const seeding = recordSeeding(recordStaged(undefined, aStaged, T0), 'restored', T0);
    const restored = recordRestored(seeding, { name: 'restored', clusterID: 'a1b2c3d4e5f60718', members: 3 }, later);
    assert.equal(restored.phase, 'Restored');
    assert.equal(restored.clusterID, 'a1b2c3d4e5f60718');
    assert.equal(restored.restoredRevision, 42);
    assert.equal(conditionOf(restored, 'Restored')?.status, 'True');
    assert.equal(conditionOf(restored, 'Restored')?.lastTransitionTime, later.toISOString());
    assert.match(
      conditionOf(restored, 'Restored')?.message ?? '',
      /3 members under the new cluster ID a1b2c3d4e5f60718/,
    );
    assert.equal(conditionOf(restored, 'Failed')?.status, 'False');
  });
});
