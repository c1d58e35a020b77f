// Safety rule 11: a backup comes from the healthy member with the highest revision, and it counts only once the file
// is verified (sha256 trailer, readable revision). The snapshot is streamed into a local file first so that every
// destination receives a checked, whole file.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StrataError } from '@strata/api';
import { EtcdClient, type EtcdEndpointStatus } from '../etcd/gateway-client.ts';
import { streamSnapshot } from '../etcd/snapshot-stream.ts';
import type { EtcdClientTls } from '../etcd/tls.ts';
import { readSnapshotRevision, SnapshotHasher, type VerifiedSnapshot } from './snapshot-file.ts';

/** No member could give a snapshot. `context.answers` quotes what each endpoint said. */
export class NoSnapshotSourceError extends StrataError {}

export interface SnapshotSource {
  /** Client URLs of the members to choose from. */
  readonly endpoints: readonly string[];
  readonly tls?: EtcdClientTls;
}

export interface TakenSnapshot extends VerifiedSnapshot {
  /** The verified file; the caller stores it and removes it. */
  readonly path: string;
  /** The member's etcd release (`status.version`), e.g. 3.6.16. */
  readonly etcdVersion: string;
  /** The member it came from, and the cluster it belongs to (decimal, as etcd sends them). */
  readonly endpoint: string;
  readonly memberId: string;
  readonly clusterId: string;
}

interface Candidate {
  readonly endpoint: string;
  readonly status: EtcdEndpointStatus;
}

const WRITE_BATCH = 1 << 20;

const revisionOf = (status: EtcdEndpointStatus): bigint => BigInt(status.header.revision ?? '0');

/** The healthy member (it answered, reports no error and knows a leader) with the highest revision. */
export function chooseSnapshotMember(candidates: readonly Candidate[]): Candidate | undefined {
  const healthy = candidates.filter(({ status }) => status.errors.length === 0 && status.leader !== '0');
  return healthy.reduce<Candidate | undefined>(
    (best, candidate) =>
      best === undefined || revisionOf(candidate.status) > revisionOf(best.status) ? candidate : best,
    undefined,
  );
}

/**
 * Streams a snapshot of the best member of `source` into `directory` and verifies it. A stream that breaks off or a
 * file that fails verification is removed and throws: nothing half-written is handed on.
 */
export async function takeSnapshot(
  source: SnapshotSource,
  directory: string,
  options: { readonly signal?: AbortSignal; readonly statusTimeoutMs?: number } = {},
): Promise<TakenSnapshot> {
  const client = new EtcdClient({
    timeoutMs: options.statusTimeoutMs ?? 2000,
    ...(source.tls === undefined ? {} : { tls: source.tls }),
  });
  const answers = await Promise.allSettled(source.endpoints.map((endpoint) => client.status(endpoint)));
  const candidates: Candidate[] = [];
  const refusals: Record<string, string> = {};
  answers.forEach((answer, index) => {
    const endpoint = source.endpoints[index] ?? '';
    if (answer.status === 'fulfilled') candidates.push({ endpoint, status: answer.value });
    else refusals[endpoint] = answer.reason instanceof Error ? answer.reason.message : String(answer.reason);
  });
  const chosen = chooseSnapshotMember(candidates);
  if (chosen === undefined) {
    throw new NoSnapshotSourceError(
      `no healthy etcd member among ${source.endpoints.join(', ')}: ${Object.values(refusals).join('; ') || 'every member reports errors or no leader'}`,
      { endpoints: source.endpoints, refusals },
    );
  }
  // Snapshots hold the cluster's Secrets; they may be far larger than memory, so they are streamed into a directory
  // only its owner can enter rather than written whole through writeFileAtomic.
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const path = join(directory, `.snapshot-${randomBytes(6).toString('hex')}.part`);
  try {
    const hasher = new SnapshotHasher();
    const file = await open(path, 'wx');
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    try {
      for await (const chunk of streamSnapshot(chosen.endpoint, {
        ...(source.tls === undefined ? {} : { tls: source.tls }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      })) {
        hasher.update(chunk.blob);
        // etcd sends 32 KiB chunks; writing them in batches of about 1 MiB saves most of the system calls.
        pending.push(chunk.blob);
        pendingBytes += chunk.blob.length;
        if (pendingBytes >= WRITE_BATCH) {
          await file.writev(pending);
          pending = [];
          pendingBytes = 0;
        }
      }
      if (pending.length > 0) await file.writev(pending);
      await file.sync();
    } finally {
      await file.close();
    }
    const { size, sha256 } = hasher.finish(path);
    const verified = { size, sha256, revision: await readSnapshotRevision(path, size) };
    return {
      ...verified,
      path,
      etcdVersion: chosen.status.version,
      endpoint: chosen.endpoint,
      memberId: chosen.status.header.member_id,
      clusterId: chosen.status.header.cluster_id,
    };
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
}
