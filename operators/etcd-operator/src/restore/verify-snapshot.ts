// What a verifying pod runs (`etcd-operator verify-snapshot`, ADR 0053): the snapshot on the claim mounted read-only is
// read whole (etcd's trailer, its revision, its sha256) and held against what was recorded for it, with the same
// checks as a restore the operator verifies itself; the figures or the failure go to the termination log.
import { writeFile } from 'node:fs/promises';
import { TERMINATION_MESSAGE_LIMIT } from '../backup/backup-pod.ts';
import { failureReason } from '../backup/failure-reason.ts';
import { CorruptSnapshotError, verifySnapshotFile, type VerifiedSnapshot } from '../backup/snapshot-file.ts';
import { BackupStoreError } from '../backup/store.ts';
import { checkVerified } from './fetch-verified.ts';
import type { VerifyPodResult } from './verify-pod.ts';

export interface VerifySnapshotOptions {
  readonly file: string;
  /** Where the snapshot is as recorded (`pvc://…`), for messages. */
  readonly location: string;
  readonly sha256: string;
  readonly revision?: number | undefined;
  /** Where the result goes: the pod's terminationMessagePath. */
  readonly resultFile: string;
}

/** Verifies and writes the result; resolves with it (a failure included: it is reported, not thrown). */
export async function verifySnapshot(options: VerifySnapshotOptions): Promise<VerifyPodResult> {
  let result: VerifyPodResult;
  try {
    let read: VerifiedSnapshot;
    try {
      read = await verifySnapshotFile(options.file);
    } catch (error) {
      if (error instanceof CorruptSnapshotError) throw error;
      // A file that is not there or cannot be read: the store's failure, retried, not a corrupt snapshot.
      throw new BackupStoreError(
        `cannot read ${options.location}: ${error instanceof Error ? error.message : String(error)}`,
        { location: options.location },
        { cause: error },
      );
    }
    const verified = checkVerified(options.location, read, options.sha256, options.revision);
    result = { outcome: 'verified', sha256: verified.sha256, revision: verified.revision, size: verified.size };
  } catch (error) {
    // A corrupt snapshot says only why: the operator names the location again when it reads the result.
    const message =
      error instanceof CorruptSnapshotError ? error.reason : error instanceof Error ? error.message : String(error);
    result = {
      outcome: 'failed',
      reason: failureReason(error),
      message: message.slice(0, TERMINATION_MESSAGE_LIMIT - 512),
    };
  }
  await writeFile(options.resultFile, JSON.stringify(result));
  return result;
}
