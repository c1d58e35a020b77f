// What must hold of a cluster directory after any install run, killed or not:
// one CA, no duplicate Pulumi resource, no process outside the daemon's tree.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { processesOf, type ProcessInfo } from '../install/local/processes.ts';

/** The parent pid of a process, from /proc/<pid>/stat (the field after the state). */
async function parentOf(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function descendsFrom(pid: number, ancestor: number): Promise<boolean> {
  for (
    let current: number | undefined = pid, depth = 0;
    current !== undefined && current > 1 && depth < 64;
    depth += 1
  ) {
    if (current === ancestor) return true;
    current = await parentOf(current);
  }
  return false;
}

export interface ProcessCensus {
  /** The `strata up` daemons of the directory. */
  readonly daemons: ProcessInfo[];
  /** Processes of the directory that belong to no daemon: orphans of a killed run. */
  readonly orphans: ProcessInfo[];
}

export async function processCensus(dir: string): Promise<ProcessCensus> {
  const all = await processesOf(dir);
  const daemons = all.filter(
    (info) => info.argv.includes('up') && info.argv.some((word) => word.endsWith('strata.js')),
  );
  const orphans: ProcessInfo[] = [];
  for (const info of all) {
    if (daemons.includes(info)) continue;
    let owned = false;
    for (const daemon of daemons) if (await descendsFrom(info.pid, daemon.pid)) owned = true;
    if (!owned) orphans.push(info);
  }
  return { daemons, orphans };
}

/** The certificates in the cluster CA file (a second CA would be a second certificate or another key). */
export async function clusterCaCertificates(dir: string): Promise<X509Certificate[]> {
  const pem = await readFile(join(dir, 'assets', 'tls', 'ca.crt'), 'utf8');
  return (pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map(
    (block) => new X509Certificate(block),
  );
}

/** URNs that occur more than once in a list of resources. */
export function duplicateUrns(resources: readonly { urn: string }[]): string[] {
  const seen = new Set<string>();
  return resources.map(({ urn }) => urn).filter((urn) => (seen.has(urn) ? true : (seen.add(urn), false)));
}

/** A small seeded generator (mulberry32): the same seed gives the same kill moments. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
