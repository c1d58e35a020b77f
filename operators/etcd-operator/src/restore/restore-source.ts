// Which snapshot an EtcdRestore means, decided from its spec and (for the backup form) the EtcdBackup's status alone:
// pure, so that the choice is unit-tested. Fetching it is the controller's job.
import { StrataError, type EtcdBackup, type EtcdRestore } from '@strata/api';

/** The restore's source cannot be resolved as written: `context.field` names the field that is wrong. */
export class RestoreSourceError extends StrataError {}

export interface S3ObjectRef {
  readonly bucket: string;
  /** The key up to its last slash, without it ('' for an object at the bucket's root). */
  readonly prefix: string;
  /** The key's last segment: the name a store reads it by. */
  readonly name: string;
}

/** Splits `s3://bucket/some/prefix/name.db` into the bucket, the prefix and the object's name. */
export function parseS3URL(url: string): S3ObjectRef {
  const match = /^s3:\/\/([a-z0-9.-]{3,63})\/(.+)$/.exec(url);
  const bucket = match?.[1];
  const key = match?.[2];
  if (bucket === undefined || key === undefined || key.endsWith('/') || key.split('/').includes('..')) {
    throw new RestoreSourceError(`${url} is not an s3://bucket/key URL of one object`, {
      field: 'spec.source.s3.url',
      url,
    });
  }
  const cut = key.lastIndexOf('/');
  return { bucket, prefix: cut < 0 ? '' : key.slice(0, cut), name: key.slice(cut + 1) };
}

export type BackupRecord = NonNullable<NonNullable<EtcdBackup['status']>['backups']>[number];

/**
 * The recorded backup a restore names: `snapshot` when given, the newest (by the time it was taken) otherwise. Only
 * backups the EtcdBackup's status lists count: those are the ones a store confirmed whole.
 */
export function pickRecordedBackup(backup: EtcdBackup, snapshot?: string): BackupRecord {
  const records = [...(backup.status?.backups ?? [])].sort((a, b) => Date.parse(a.takenAt) - Date.parse(b.takenAt));
  const context = { backup: backup.metadata.name, namespace: backup.metadata.namespace ?? '' };
  if (snapshot !== undefined) {
    const named = records.find((record) => record.name === snapshot);
    if (named === undefined) {
      throw new RestoreSourceError(`EtcdBackup ${backup.metadata.name} records no backup named ${snapshot}`, {
        ...context,
        field: 'spec.source.backup.snapshot',
        snapshot,
      });
    }
    return named;
  }
  const newest = records.at(-1);
  if (newest === undefined) {
    throw new RestoreSourceError(`EtcdBackup ${backup.metadata.name} records no backup yet`, {
      ...context,
      field: 'spec.source.backup.name',
    });
  }
  return newest;
}

/** What a restore's status calls its source before the snapshot is fetched (an EtcdBackup's record says where). */
export function describeSource(source: EtcdRestore['spec']['source']): string {
  if (source.s3 !== undefined) return source.s3.url;
  const backup = source.backup;
  return `EtcdBackup ${backup?.name ?? ''}${backup?.snapshot === undefined ? ' (newest)' : `/${backup.snapshot}`}`;
}
