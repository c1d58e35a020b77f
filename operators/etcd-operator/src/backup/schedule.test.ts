import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ETCD_BACKUP, type EtcdBackup } from '@strata/api';
import { dueAt, nextRun } from './schedule.ts';

/** An EtcdBackup of the control plane's etcd to S3, created at 12:00 UTC. */
const aBackup = (spec: Partial<EtcdBackup['spec']> = {}, status?: EtcdBackup['status']): EtcdBackup => ({
  apiVersion: ETCD_BACKUP.apiVersion,
  kind: ETCD_BACKUP.kind,
  metadata: { name: 'cp', namespace: 'default', creationTimestamp: '2026-12-04T12:00:00Z' },
  spec: {
    source: { endpoints: { urls: ['https://127.0.0.1:2379'] } },
    destination: {
      s3: { endpoint: 'http://127.0.0.1:9000', bucket: 'backups', credentialsSecret: 's3', forcePathStyle: true },
    },
    ...spec,
  },
  ...(status === undefined ? {} : { status }),
});

describe('the schedule', () => {
  it('fires on the cron schedule in UTC', () => {
    assert.equal(nextRun('*/5 * * * *', new Date('2026-12-04T12:03:10Z')).toISOString(), '2026-12-04T12:05:00.000Z');
    assert.equal(nextRun('@hourly', new Date('2026-12-04T12:00:00Z')).toISOString(), '2026-12-04T13:00:00.000Z');
    assert.equal(nextRun('30 2 * * 0', new Date('2026-12-04T12:00:00Z')).toISOString(), '2026-12-06T02:30:00.000Z');
  });

  it('makes a one-shot backup due at once until it succeeded, then never', () => {
    assert.equal(dueAt(aBackup())?.getTime(), 0);
    const failed = aBackup({}, { history: [{ time: '2026-12-04T12:00:01Z', outcome: 'Failed', message: 'x' }] });
    assert.equal(dueAt(failed)?.getTime(), 0);
    assert.equal(dueAt(aBackup({}, { lastSuccess: '2026-12-04T12:00:02Z' })), undefined);
  });

  it('makes a scheduled backup due at the first firing after creation, then after the last attempt', () => {
    assert.equal(dueAt(aBackup({ schedule: '*/10 * * * *' }))?.toISOString(), '2026-12-04T12:10:00.000Z');
    const attempted = aBackup(
      { schedule: '*/10 * * * *' },
      { history: [{ time: '2026-12-04T12:10:03Z', outcome: 'Succeeded', message: 'x' }] },
    );
    assert.equal(dueAt(attempted)?.toISOString(), '2026-12-04T12:20:00.000Z');
  });

  it('takes a firing missed while the operator was down once, not once per missed tick', () => {
    const missed = aBackup(
      { schedule: '*/10 * * * *' },
      { history: [{ time: '2026-12-04T08:10:00Z', outcome: 'Succeeded', message: 'x' }] },
    );
    // Due in the past: the controller takes it at once, and the next is computed from that attempt.
    assert.equal(dueAt(missed)?.toISOString(), '2026-12-04T08:20:00.000Z');
  });
});
