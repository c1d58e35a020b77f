import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backupName, expiredBackups, parseRetentionAge, RetentionSpecError, type RetainedBackup } from './retention.ts';

const NOW = new Date('2026-12-04T12:00:00Z');

/** A backup taken `minutesAgo` before NOW, named as the controller names it. */
const aBackup = (minutesAgo: number): RetainedBackup => {
  const takenAt = new Date(NOW.getTime() - minutesAgo * 60_000);
  return { name: backupName('main', takenAt, 1000 - minutesAgo), takenAt: takenAt.toISOString() };
};

const names = (backups: readonly RetainedBackup[]): string[] => backups.map((backup) => backup.name).sort();

describe('backup names', () => {
  it('name the EtcdBackup, the UTC second and the revision, and sort by time', () => {
    assert.equal(backupName('main', new Date('2026-12-04T09:05:07.123Z'), 42), 'main-20261204T090507Z-r42.db');
    const older = backupName('main', new Date('2026-12-04T09:59:59Z'), 7);
    const newer = backupName('main', new Date('2026-12-04T10:00:00Z'), 7);
    assert.ok(older < newer);
  });
});

describe('retention', () => {
  it('keeps everything without a policy', () => {
    assert.deepEqual(expiredBackups([aBackup(0), aBackup(60), aBackup(6000)], {}, NOW), []);
  });

  it('removes all but the newest maxBackups, whatever order the records come in', () => {
    const backups = [aBackup(30), aBackup(0), aBackup(90), aBackup(60)];
    assert.deepEqual(names(expiredBackups(backups, { maxBackups: 2 }, NOW)), names([aBackup(60), aBackup(90)]));
  });

  it('removes backups older than maxAge', () => {
    const backups = [aBackup(0), aBackup(59), aBackup(61), aBackup(600)];
    assert.deepEqual(names(expiredBackups(backups, { maxAge: '1h' }, NOW)), names([aBackup(61), aBackup(600)]));
  });

  it('applies both limits together', () => {
    const backups = [aBackup(0), aBackup(10), aBackup(20), aBackup(200)];
    assert.deepEqual(names(expiredBackups(backups, { maxBackups: 3, maxAge: '2h' }, NOW)), names([aBackup(200)]));
    assert.deepEqual(
      names(expiredBackups(backups, { maxBackups: 2, maxAge: '15m' }, NOW)),
      names([aBackup(20), aBackup(200)]),
    );
  });

  it('never removes the newest backup, however old', () => {
    const backups = [aBackup(5000), aBackup(9000)];
    assert.deepEqual(names(expiredBackups(backups, { maxAge: '1h', maxBackups: 1 }, NOW)), names([aBackup(9000)]));
  });

  it('reads maxAge as hours, minutes and seconds', () => {
    assert.equal(parseRetentionAge('168h'), 168 * 3_600_000);
    assert.equal(parseRetentionAge('1h30m'), 90 * 60_000);
    assert.equal(parseRetentionAge('45s'), 45_000);
    assert.throws(() => parseRetentionAge(''), RetentionSpecError);
    assert.throws(() => parseRetentionAge('7d'), /maxAge "7d" is not a duration/);
  });
});
