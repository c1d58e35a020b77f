// The condition reason for each kind of backup failure, so that a person can tell them apart at a glance. Shared by
// the controller (a backup it takes itself) and the backup pod (which reports the reason in its result).
import { ClusterTlsError } from '../tls/cluster-tls.ts';
import { EtcdRequestError } from '../etcd/errors.ts';
import { BackupPodError } from './backup-pod.ts';
import { BackupSpecError } from './open-store.ts';
import { CorruptSnapshotError } from './snapshot-file.ts';
import { BackupStoreError } from './store.ts';
import { NoSnapshotSourceError } from './take-snapshot.ts';

export function failureReason(error: unknown): string {
  if (error instanceof BackupPodError) return error.reason;
  if (error instanceof NoSnapshotSourceError) return 'NoHealthyMember';
  if (error instanceof CorruptSnapshotError) return 'SnapshotCorrupt';
  if (error instanceof EtcdRequestError) return 'SnapshotFailed';
  if (error instanceof BackupStoreError) return 'StoreFailed';
  if (error instanceof ClusterTlsError) return 'ClientTLSInvalid';
  if (error instanceof BackupSpecError) return 'SpecInvalid';
  return 'BackupFailed';
}
