import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EtcdBackup } from '@strata/api';
import { UPGRADE_SNAPSHOT_LABEL, upgradeSnapshotName } from '../controller/upgrade-snapshot.ts';
import { expiredBackups } from './retention.ts';
import { aBackupRecord, anEtcdBackup, T0 } from './test-fixtures.ts';
import {
  backupRetention,
  siblingsToDelete,
  UPGRADE_SNAPSHOTS_KEPT,
  upgradeSnapshotOf,
} from './upgrade-snapshot-retention.ts';

/** The one-shot EtcdBackup of the upgrade at spec generation `generation` of `cluster`, stored `minutes` after T0. */
function anUpgradeSnapshot(generation: number, minutes: number | undefined, cluster = 'main'): EtcdBackup {
  const name = upgradeSnapshotName(cluster, generation);
  const backup = anEtcdBackup({
    name,
    spec: { source: { clusterRef: { name: cluster } } },
    ...(minutes === undefined ? {} : { records: [aBackupRecord(minutes, { cluster: name })] }),
  });
  return { ...backup, metadata: { ...backup.metadata, labels: { [UPGRADE_SNAPSHOT_LABEL]: cluster } } };
}

describe('retention of pre-upgrade snapshots', () => {
  it('keeps an ordinary EtcdBackup to its own records and its own policy', () => {
    const nightly = anEtcdBackup({ spec: { retention: { maxBackups: 7 } }, records: [aBackupRecord(1)] });
    const retention = backupRetention(nightly, [nightly, anUpgradeSnapshot(2, 5)]);
    assert.deepEqual(
      retention.recorded.map((record) => record.name),
      [aBackupRecord(1).name],
    );
    assert.deepEqual(retention.retention, { maxBackups: 7 });
    assert.equal(retention.siblings.size, 0);
    assert.equal(upgradeSnapshotOf(nightly), undefined);
  });

  it(`keeps the newest ${UPGRADE_SNAPSHOTS_KEPT} of a cluster's pre-upgrade snapshots and deletes the EtcdBackups of the others`, () => {
    const earlier = [
      anUpgradeSnapshot(2, 10),
      anUpgradeSnapshot(4, 20),
      anUpgradeSnapshot(6, 30),
      anUpgradeSnapshot(8, 40),
    ];
    const newest = anUpgradeSnapshot(10, undefined);
    const retention = backupRetention(newest, [...earlier, newest, anEtcdBackup()]);
    assert.deepEqual(retention.retention, { maxBackups: UPGRADE_SNAPSHOTS_KEPT });
    assert.deepEqual([...retention.siblings.keys()].sort(), earlier.map((backup) => backup.metadata.name).sort());
    // The new snapshot joins them: the run's own retention, the same pure rule as every backup's.
    const taken = aBackupRecord(50, { cluster: newest.metadata.name });
    const removed = expiredBackups([...retention.recorded, taken], retention.retention ?? {}, T0).map(
      (backup) => backup.name,
    );
    assert.deepEqual(
      removed.sort(),
      [earlier[0], earlier[1]].map((backup) => backup?.status?.backups?.[0]?.name).sort(),
    );
    assert.deepEqual(siblingsToDelete(retention, removed), ['main-pre-upgrade-g2', 'main-pre-upgrade-g4']);
  });

  it("leaves another cluster's snapshots, another destination's, and an EtcdBackup being deleted alone", () => {
    const otherCluster = anUpgradeSnapshot(2, 10, 'other');
    const elsewhere = anUpgradeSnapshot(3, 11);
    const movedElsewhere: EtcdBackup = {
      ...elsewhere,
      spec: { ...elsewhere.spec, destination: { pvc: { claimName: 'another-claim' } } },
    };
    const deleting = anUpgradeSnapshot(4, 12);
    const beingDeleted: EtcdBackup = {
      ...deleting,
      metadata: { ...deleting.metadata, deletionTimestamp: '2026-12-04T11:00:00Z' },
    };
    const newest = anUpgradeSnapshot(10, undefined);
    const retention = backupRetention(newest, [otherCluster, movedElsewhere, beingDeleted, newest]);
    assert.deepEqual(retention.recorded, []);
    assert.equal(retention.siblings.size, 0);
  });

  it('never deletes an EtcdBackup of which a snapshot is kept, or one that never stored any', () => {
    const two = anUpgradeSnapshot(2, 10);
    const twice: EtcdBackup = {
      ...two,
      status: {
        backups: [aBackupRecord(10, { cluster: two.metadata.name }), aBackupRecord(11, { cluster: two.metadata.name })],
      },
    };
    const failed = anUpgradeSnapshot(3, undefined);
    const retention = backupRetention(anUpgradeSnapshot(10, undefined), [twice, failed]);
    const [first] = twice.status?.backups ?? [];
    assert.deepEqual(siblingsToDelete(retention, [first?.name ?? '']), [], 'one of its two snapshots is kept');
    assert.deepEqual(
      siblingsToDelete(
        retention,
        (twice.status?.backups ?? []).map((record) => record.name),
      ),
      ['main-pre-upgrade-g2'],
    );
  });
});
