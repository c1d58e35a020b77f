// What must hold of a cluster directory after any install run, killed or not:
// one CA, no duplicate Pulumi resource, no process outside the daemon's tree.
import { X509Certificate } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ChildProcess } from 'node:child_process';
import { InstallDirectory } from '../install/cluster-dir.ts';
import { installEventSchema, type InstallEvent } from '../install/events.ts';
import { processesOf, type ProcessInfo } from '../install/local/processes.ts';
import { exportedState, openInstallStack } from '../install/pulumi/install-stack.ts';

/** Orphans by process identity (pid and start time), each with its command line. */
export async function orphansById(orphans: readonly ProcessInfo[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const info of orphans) {
    const id = await processIdentity(info.pid);
    if (id !== undefined) found.set(id, `${info.pid} ${info.argv.join(' ')}`);
  }
  return found;
}

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

/** The CA certificates of a directory, none before the render wrote them. */
export async function caCertificatesIfRendered(dir: string): Promise<X509Certificate[]> {
  try {
    return await clusterCaCertificates(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** A process by pid and start time (field 22 of /proc/<pid>/stat): a pid the kernel reused is another process. */
export async function processIdentity(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return `${pid}@${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export interface StackState {
  readonly resources: { urn: string; type: string }[];
  readonly pending: { type: string; resource: { urn: string; type: string } }[];
}

/**
 * The directory's Pulumi state as the engine reads it (`pulumi stack export` through the Automation API), or
 * undefined while no stack exists yet: opening one would create it, which a check must not do.
 */
export async function stackState(dir: string): Promise<StackState | undefined> {
  const directory = new InstallDirectory(dir);
  const identity = await directory.identity();
  if (identity === undefined) return undefined;
  let stacks: string[];
  try {
    stacks = await readdir(join(directory.stateDir, '.pulumi', 'stacks'), { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const files = new Set([`${identity.cluster}.json`, `${identity.cluster}.json.gz`]);
  if (!stacks.some((entry) => files.has(basename(entry)))) return undefined;
  // A killed install's engine runs on until the rerun reaps it, and may be writing the checkpoint now: the file
  // backend replaces it by a rename and writes no metadata sidecar (engineBackendUrl), so a read finds the old one or
  // the new one, never a torn one. A read that fails is a failure of the state's safety, not a moment to wait out.
  return exportedState(await openInstallStack(directory, identity, () => Promise.resolve(undefined)));
}

/** Calls `onEvent` with each --json event a running CLI prints on stdout. */
export function followEvents(child: ChildProcess, onEvent: (event: InstallEvent) => void): void {
  if (child.stdout === null) throw new Error('the CLI was started without a stdout pipe');
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.trim() === '') return;
    const parsed = installEventSchema.safeParse(JSON.parse(line));
    if (parsed.success) onEvent(parsed.data);
  });
}

/** What `--json` says of the phases that failed: the CLI reports a failure there, not on stderr. */
export const failuresOf = (events: readonly InstallEvent[]): string =>
  events
    .flatMap((event) => (event.type === 'phase-failed' ? [`${event.phase} failed: ${event.error}`] : []))
    .join('; ') || 'no phase failed';

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
