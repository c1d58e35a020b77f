import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ETCD_BACKUP, parseEtcdBackup, type EtcdBackup } from '@strata/api';
import { aBackupRecord } from '../backup/test-fixtures.ts';
import {
  describeSource,
  parseS3URL,
  pickRecordedBackup,
  RestoreSourceError,
  type BackupRecord,
} from './restore-source.ts';

/** A backup recorded `minutes` after T0 in a claim's directory, each with its own sha256. */
const aRecord = (minutes: number): BackupRecord =>
  aBackupRecord(minutes, {
    cluster: 'nightly',
    locate: (name) => `/claims/ns/backups/${name}`,
    sha256: minutes.toString(16).padStart(2, '0').repeat(32),
  });

/** An EtcdBackup whose status lists `records` in the given order. */
const aBackup = (records: BackupRecord[]): EtcdBackup =>
  parseEtcdBackup({
    apiVersion: ETCD_BACKUP.apiVersion,
    kind: ETCD_BACKUP.kind,
    metadata: { name: 'nightly', namespace: 'ns' },
    spec: { source: { clusterRef: { name: 'main' } }, destination: { pvc: { claimName: 'backups' } } },
    status: { backups: records },
  });

describe('an S3 restore source', () => {
  it('splits into bucket, prefix and name', () => {
    assert.deepEqual(parseS3URL('s3://etcd-backups/control-plane/x/main-r7.db'), {
      bucket: 'etcd-backups',
      prefix: 'control-plane/x',
      name: 'main-r7.db',
    });
    assert.deepEqual(parseS3URL('s3://etcd-backups/main-r7.db'), {
      bucket: 'etcd-backups',
      prefix: '',
      name: 'main-r7.db',
    });
  });

  it('refuses a URL that names no single object, naming the field', () => {
    for (const url of [
      's3://etcd-backups/',
      's3://etcd-backups/dir/',
      'https://etcd-backups/x.db',
      's3://etcd-backups/../x.db',
    ]) {
      assert.throws(
        () => parseS3URL(url),
        (error: unknown) => error instanceof RestoreSourceError && error.context['field'] === 'spec.source.s3.url',
        url,
      );
    }
  });
});

describe("an EtcdBackup's recorded backup", () => {
  it('is the newest by the time it was taken when none is named, whatever the order listed', () => {
    assert.deepEqual(pickRecordedBackup(aBackup([aRecord(5), aRecord(20), aRecord(1)])), aRecord(20));
  });

  it('is the one named', () => {
    const named = aRecord(5);
    assert.deepEqual(pickRecordedBackup(aBackup([named, aRecord(20)]), named.name), named);
  });

  it('is refused when the named one is not recorded, or none is', () => {
    assert.throws(
      () => pickRecordedBackup(aBackup([aRecord(20)]), 'gone.db'),
      (error: unknown) =>
        error instanceof RestoreSourceError &&
        error.context['field'] === 'spec.source.backup.snapshot' &&
        /records no backup named gone\.db/.test(error.message),
    );
    assert.throws(
      () => pickRecordedBackup(aBackup([])),
      (error: unknown) => error instanceof RestoreSourceError && /records no backup yet/.test(error.message),
    );
  });

  it('is described in the status before it is fetched', () => {
    assert.equal(describeSource({ backup: { name: 'nightly' } }), 'EtcdBackup nightly (newest)');
    assert.equal(describeSource({ backup: { name: 'nightly', snapshot: 'a.db' } }), 'EtcdBackup nightly/a.db');
  });
});
