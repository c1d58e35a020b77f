import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ETCD_BACKUP, type EtcdBackup } from '@strata/api';
import { aTakenSnapshot } from '../plan/test-fixtures.ts';
import { UPGRADE_SNAPSHOT_LABEL, upgradeRecord, upgradeSnapshotName, upgradeSnapshotView } from './upgrade-snapshot.ts';

const SHA = 'b'.repeat(64);

/** An EtcdBackup of cluster `main` to S3, with what its status says. */
function aBackup(name: string, status: EtcdBackup['status'] = undefined, labels?: Record<string, string>): EtcdBackup {
  return {
    apiVersion: ETCD_BACKUP.apiVersion,
    kind: ETCD_BACKUP.kind,
    metadata: { name, namespace: 'apps', ...(labels === undefined ? {} : { labels }) },
    spec: {
      source: { clusterRef: { name: 'main' } },
      destination: {
        s3: { endpoint: 'http://127.0.0.1:9000', bucket: 'etcd', credentialsSecret: 's3', forcePathStyle: true },
      },
    },
    ...(status === undefined ? {} : { status }),
  };
}

const own = upgradeSnapshotName('main', 4);

describe('the pre-upgrade snapshot', () => {
  it('is named per spec generation', () => {
    assert.equal(own, 'main-pre-upgrade-g4');
  });

  it("takes the destination of the first EtcdBackup of the cluster by name, never another upgrade's", () => {
    const earlier = aBackup('main-pre-upgrade-g2', undefined, { [UPGRADE_SNAPSHOT_LABEL]: 'main' });
    const other = { ...aBackup('zz-other'), spec: { ...aBackup('x').spec, source: { clusterRef: { name: 'other' } } } };
    assert.deepEqual(upgradeSnapshotView('main', own, [other, aBackup('weekly'), aBackup('nightly'), earlier]), {
      kind: 'absent',
      backup: own,
      destination: 'nightly',
    });
    assert.deepEqual(upgradeSnapshotView('main', own, [other, earlier]), {
      kind: 'noDestination',
      backup: own,
      cluster: 'main',
    });
  });

  it('is pending, failed with the quoted condition, or taken with its newest record', () => {
    assert.deepEqual(upgradeSnapshotView('main', own, [aBackup(own)]), { kind: 'pending', backup: own });
    const failing = aBackup(own, {
      conditions: [
        {
          type: 'Failed',
          status: 'True',
          reason: 'StoreFailed',
          message: 'ECONNREFUSED',
          lastTransitionTime: '2026-12-05T02:00:00Z',
        },
      ],
    });
    assert.deepEqual(upgradeSnapshotView('main', own, [failing]), {
      kind: 'failed',
      backup: own,
      reason: 'StoreFailed',
      message: 'ECONNREFUSED',
    });
    const record = {
      name: `${own}-20261205T020000Z-r9.db`,
      takenAt: '2026-12-05T02:00:00Z',
      revision: 9,
      etcdVersion: '3.6.15',
      size: 20480,
      sha256: SHA,
      location: 's3://etcd/x.db',
    };
    const stored = aBackup(own, { lastSuccess: record.takenAt, backups: [record] });
    assert.deepEqual(upgradeSnapshotView('main', own, [stored]), {
      kind: 'taken',
      backup: own,
      snapshot: { name: record.name, location: record.location, revision: 9, sha256: SHA, takenAt: record.takenAt },
    });
  });

  it('is recorded in the status when stored, kept through the upgrade, and completed when nothing is left', () => {
    const now = new Date('2026-12-05T02:10:00Z');
    const taken = aTakenSnapshot();
    const upgrading = { current: '3.6.15', target: '3.6.16' };
    const recorded = upgradeRecord(taken, upgrading, { kind: 'wait', reason: 'x', message: 'y' }, undefined, now);
    assert.equal(recorded?.fromVersion, '3.6.15');
    assert.equal(recorded?.toVersion, '3.6.16');
    assert.equal(recorded?.snapshot.backup, 'etcd-pre-upgrade-g2');
    assert.equal(recorded?.completedAt, undefined);
    // Later passes of the same upgrade see the oldest member at 3.6.15 still: the record stays as it was.
    assert.equal(upgradeRecord(taken, upgrading, { kind: 'none' }, recorded, now), recorded);
    const done = { current: '3.6.16', target: '3.6.16' };
    const notObserved = { kind: 'notObserved' } as const;
    const waiting = upgradeRecord(notObserved, done, { kind: 'wait', reason: 'x', message: 'y' }, recorded, now);
    assert.equal(waiting?.completedAt, undefined, 'not completed while a step is pending');
    assert.equal(upgradeRecord(notObserved, done, { kind: 'none' }, recorded, now)?.completedAt, now.toISOString());
  });
});
