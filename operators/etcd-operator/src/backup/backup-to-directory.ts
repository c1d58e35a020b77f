// What a backup pod runs (`etcd-operator backup-to-directory`, ADR 0053): the same backup as the controller's own
// (runBackup: rule 11's member, the verified snapshot, a store that only ever shows whole files, then retention), into
// the claim's directory mounted in this pod, and its result written to the termination log for the operator to read.
import { readFile, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { z } from 'zod';
import type { EtcdClientTls } from '../etcd/tls.ts';
import { ClusterTlsError } from '../tls/cluster-tls.ts';
import { TERMINATION_MESSAGE_LIMIT, type BackupPodResult } from './backup-pod.ts';
import { DirectoryStore } from './directory-store.ts';
import { failureReason } from './failure-reason.ts';
import { BackupSpecError } from './open-store.ts';
import type { RetentionPolicy } from './retention.ts';
import { runBackup } from './run-backup.ts';
import type { BackupStore } from './store.ts';

export const recordedArgumentSchema = z.array(z.strictObject({ name: z.string(), takenAt: z.string() }));
export const retentionArgumentSchema = z.strictObject({
  maxBackups: z.int().min(1).optional(),
  maxAge: z.string().optional(),
});

export interface BackupToDirectoryOptions {
  readonly name: string;
  readonly endpoints: readonly string[];
  readonly claim: string;
  /** Where the claim is mounted; the backups go to `<claimMount>/<path>`. */
  readonly claimMount: string;
  readonly path: string;
  readonly scratchDirectory: string;
  /** Where the result goes: the pod's terminationMessagePath. */
  readonly resultFile: string;
  /** `--recorded` and `--retention` as given: JSON, parsed here so that a bad value is reported as a result too. */
  readonly recorded: string;
  readonly retention?: string | undefined;
  /** A directory with ca.crt, tls.crt and tls.key (the mounted client Secret) for https endpoints. */
  readonly tlsDirectory?: string | undefined;
  readonly signal?: AbortSignal;
}

function parseArgument<T>(schema: z.ZodType<T>, flag: string, value: string): T {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch (error) {
    throw new BackupSpecError(`${flag} is not JSON`, { flag }, { cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new BackupSpecError(`${flag}: ${z.prettifyError(parsed.error)}`, { flag });
  return parsed.data;
}

async function readTls(directory: string): Promise<EtcdClientTls> {
  const [ca, cert, key] = await Promise.all(
    ['ca.crt', 'tls.crt', 'tls.key'].map(async (file) => {
      try {
        return await readFile(join(directory, file), 'utf8');
      } catch (error) {
        throw new ClusterTlsError(
          `the client TLS Secret mounted at ${directory} has no ${file}`,
          { file },
          { cause: error },
        );
      }
    }),
  );
  return { ca: ca ?? '', cert: cert ?? '', key: key ?? '' };
}

/**
 * How many expired backups one run removes: as many names as fit in the termination message beside the record (the
 * rest stay listed, and expire again at the next backup). Names are `<backup>-<16>-r<revision>.db`.
 */
export const removalBudget = (backup: string): number =>
  Math.floor((TERMINATION_MESSAGE_LIMIT - 1024) / (backup.length + 48));

/** `pvc://<claim>/<path>/<name>`: where the backup is, named the same from any pod that mounts the claim. */
const locationOf = (claim: string, path: string, name: string): string =>
  `pvc://${claim}/${posix.join(path === '' ? '.' : path, name).replace(/^\.\//, '')}`;

/** Runs the backup and writes its result; resolves with the result (a failure included: it is reported, not thrown). */
export async function backupToDirectory(options: BackupToDirectoryOptions): Promise<BackupPodResult> {
  let result: BackupPodResult;
  try {
    const relative = options.path.replace(/^\/+/, '');
    if (relative.split('/').includes('..')) {
      throw new BackupSpecError(`destination.pvc.path ${relative} leaves the claim`, { claim: options.claim });
    }
    const recorded = parseArgument(recordedArgumentSchema, '--recorded', options.recorded);
    const retention: RetentionPolicy =
      options.retention === undefined ? {} : parseArgument(retentionArgumentSchema, '--retention', options.retention);
    const tls = options.tlsDirectory === undefined ? undefined : await readTls(options.tlsDirectory);
    const directory = new DirectoryStore(join(options.claimMount, relative));
    // The location recorded is the claim's, not this pod's mount path.
    const store: BackupStore = {
      put: async (path, name) => {
        await directory.put(path, name);
        return locationOf(options.claim, relative, name);
      },
      list: () => directory.list(),
      remove: (name) => directory.remove(name),
      get: (name, path) => directory.get(name, path),
      close: () => directory.close(),
    };
    const outcome = await runBackup({
      name: options.name,
      source: { endpoints: options.endpoints, ...(tls === undefined ? {} : { tls }) },
      store,
      recorded,
      retention,
      maxRemovals: removalBudget(options.name),
      scratchDirectory: options.scratchDirectory,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    result = { outcome: 'stored', record: outcome.record, removed: [...outcome.removed] };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // The message is cut so that the whole result stays within what the kubelet reports.
    result = {
      outcome: 'failed',
      reason: failureReason(error),
      message: message.slice(0, TERMINATION_MESSAGE_LIMIT - 512),
    };
  }
  await writeFile(options.resultFile, JSON.stringify(result));
  return result;
}
