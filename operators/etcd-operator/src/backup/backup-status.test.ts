import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  HISTORY_LIMIT,
  recordFailure,
  recordSuccess,
  type BackupRecord,
  type EtcdBackupStatus,
} from './backup-status.ts';
import { aBackupRecord, minutesAfter, T0 } from './test-fixtures.ts';

const aRecord = (minutes: number): BackupRecord => aBackupRecord(minutes);

const conditionOf = (status: EtcdBackupStatus, type: 'Ready' | 'Failed') =>
  status.conditions?.find((condition) => condition.type === type);

describe('an EtcdBackup status', () => {
  it('after a success: lastSuccess, the record with revision, version, size, sha256 and location, and a history entry', () => {
    const status = recordSuccess(undefined, aRecord(0), [], minutesAfter(0));
    assert.equal(status.lastSuccess, T0.toISOString());
    assert.deepEqual(status.backups, [aRecord(0)]);
    assert.equal(status.history?.length, 1);
    assert.equal(status.history?.[0]?.outcome, 'Succeeded');
    assert.match(status.history?.[0]?.message ?? '', /revision 100, etcd 3\.6\.16, 20512 bytes, sha256 (ab){32}/);
    assert.equal(conditionOf(status, 'Ready')?.status, 'True');
    assert.equal(conditionOf(status, 'Failed')?.status, 'False');
  });

  it('drops the backups retention removed and keeps the list oldest first', () => {
    let status = recordSuccess(undefined, aRecord(0), [], minutesAfter(0));
    status = recordSuccess(status, aRecord(10), [], minutesAfter(10));
    status = recordSuccess(status, aRecord(20), [aRecord(0).name], minutesAfter(20));
    assert.deepEqual(
      status.backups?.map((backup) => backup.name),
      [aRecord(10).name, aRecord(20).name],
    );
    assert.equal(status.lastSuccess, aRecord(20).takenAt);
  });

  it('after a failure: quotes the error, keeps lastSuccess and the list, and stays Ready while an earlier backup exists', () => {
    const before = recordSuccess(undefined, aRecord(0), [], minutesAfter(0));
    const error = 'S3 at http://127.0.0.1:9 refused to store s3://b/x.db: connect ECONNREFUSED 127.0.0.1:9';
    const status = recordFailure(before, 'StoreFailed', error, minutesAfter(5));
    assert.equal(status.lastSuccess, before.lastSuccess);
    assert.deepEqual(status.backups, before.backups);
    assert.deepEqual(conditionOf(status, 'Failed'), {
      type: 'Failed',
      status: 'True',
      reason: 'StoreFailed',
      message: error,
      lastTransitionTime: minutesAfter(5).toISOString(),
    });
    assert.equal(conditionOf(status, 'Ready')?.status, 'True');
    assert.equal(status.history?.at(-1)?.message, error);
  });

  it('is not Ready after a failure when nothing was ever stored', () => {
    const status = recordFailure(undefined, 'NoHealthyMember', 'no healthy etcd member', T0);
    assert.equal(conditionOf(status, 'Ready')?.status, 'False');
    assert.equal(conditionOf(status, 'Ready')?.reason, 'NoHealthyMember');
    assert.equal(status.lastSuccess, undefined);
  });

  it('keeps a condition’s transition time while its status holds', () => {
    const first = recordSuccess(undefined, aRecord(0), [], minutesAfter(0));
    const second = recordSuccess(first, aRecord(10), [], minutesAfter(10));
    assert.equal(conditionOf(second, 'Ready')?.lastTransitionTime, minutesAfter(0).toISOString());
  });

  it(`keeps the newest ${HISTORY_LIMIT} history entries`, () => {
    let status: EtcdBackupStatus | undefined;
    for (let attempt = 0; attempt < HISTORY_LIMIT + 5; attempt += 1) {
      status = recordFailure(status, 'StoreFailed', `attempt ${attempt}`, minutesAfter(attempt));
    }
    assert.equal(status?.history?.length, HISTORY_LIMIT);
    assert.equal(status?.history?.[0]?.message, 'attempt 5');
    assert.equal(status?.history?.at(-1)?.message, `attempt ${HISTORY_LIMIT + 4}`);
  });
});
