// Where backups go. A store receives a verified snapshot file and makes it appear under its final name only whole:
// a partial write or an interrupted upload never exists under a backup's name, so it can never be the latest.
import { StrataError } from '@strata/api';

/** A destination refused or could not be reached. The message quotes the server's or the file system's answer. */
export class BackupStoreError extends StrataError {}

export interface StoredObject {
  /** The backup's name, as chosen by `backupName`. */
  readonly name: string;
  /** Where it is, for people and for a restore: a path or an s3:// URL. */
  readonly location: string;
}

export interface BackupStore {
  /** Stores the file at `path` under `name`; resolves once it is whole and durable, with its location. */
  put(path: string, name: string, metadata: { readonly sha256: string; readonly revision: number }): Promise<string>;
  /** The backups the store holds (only whole ones: temporary names are not listed). */
  list(): Promise<StoredObject[]>;
  /** Removes one backup; one that is already gone counts as removed. */
  remove(name: string): Promise<void>;
  /** Copies one backup into the local file `path`, in a directory only its owner can enter (snapshots hold Secrets). */
  get(name: string, path: string): Promise<void>;
  /** Releases connections; the store is not used after. */
  close(): void;
}

/** A snapshot's file name ends so; temporary files start with a dot and are never listed. */
export const SNAPSHOT_SUFFIX = '.db';
