// The local cluster as a background process: `strata up` detached from the
// installer, so that the cluster outlives `strata install`. Its pid file
// (platform-local's ClusterDirectory) says which process runs the directory.
import { spawn } from 'node:child_process';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StrataError } from '@strata/api';
import { isGuardianCommandLine, waitFor, WaitTimeoutError } from '@strata/host';
import { ClusterDirectory } from '@strata/platform-local';
import { isAlive, processesOf, type ProcessInfo } from './processes.ts';

export class LocalDaemonError extends StrataError {}

const STRATA_BIN = fileURLToPath(new URL('../../../bin/strata.js', import.meta.url));
export const DAEMON_LOG = 'daemon.log';
const START_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 90_000;
/** How long the guardians a daemon left may take to stop their components (a pod's grace period is 30 s by default). */
const COMPONENTS_STOP_TIMEOUT_MS = 60_000;

export interface DaemonSpec {
  readonly dir: string;
  readonly configPath: string;
}

/** The last lines of the daemon's log, for an error message. */
export async function daemonLogTail(dir: string, lines = 15): Promise<string[]> {
  try {
    const text = await readFile(join(dir, 'logs', DAEMON_LOG), 'utf8');
    return text.trimEnd().split('\n').slice(-lines);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** A `strata up` for this directory that has not written its pid file yet (one a killed install started). */
async function startingDaemon(dir: string): Promise<number | undefined> {
  const candidates = await processesOf(dir);
  return candidates.find(
    (info) =>
      info.argv.includes('up') && info.argv.some((word) => word.endsWith('strata.js')) && info.argv.includes(dir),
  )?.pid;
}

/**
 * Starts `strata up` for the directory in the background, or adopts the one
 * already running it, and resolves with its pid once it runs the cluster
 * (its pid file written: checks passed, assets rendered).
 */
export async function startDaemon(spec: DaemonSpec): Promise<{ pid: number; adopted: boolean }> {
  const directory = new ClusterDirectory(spec.dir);
  const running = await directory.runningPid();
  if (running !== undefined) return { pid: running, adopted: true };
  const starting = await startingDaemon(spec.dir);
  if (starting !== undefined) return { pid: await untilRunning(directory, starting), adopted: true };

  await mkdir(directory.logsDir, { recursive: true });
  const log = await open(join(directory.logsDir, DAEMON_LOG), 'a');
  // The engine's environment carries the stack's passphrase; the cluster has no use for it.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PULUMI_')));
  // Not the web console (yet, ADR 0061): its fixed port would make this cluster clash with a `strata up` beside it,
  // and a first build in the daemon would run unseen in its log.
  const args = [STRATA_BIN, 'up', '--config', spec.configPath, '--dir', spec.dir, '--no-console'];
  const child = spawn(process.execPath, args, {
    cwd: spec.dir,
    detached: true,
    stdio: ['ignore', log.fd, log.fd],
    env,
  });
  await log.close();
  child.unref();
  if (child.pid === undefined) {
    throw new LocalDaemonError(`could not start strata up for ${spec.dir}`, { dir: spec.dir });
  }
  return { pid: await untilRunning(directory, child.pid), adopted: false };
}

async function untilRunning(directory: ClusterDirectory, pid: number): Promise<number> {
  try {
    return await waitFor(
      `strata up (pid ${pid}) to run the cluster in ${directory.path}`,
      async () => {
        const running = await directory.runningPid();
        if (running === pid) return pid;
        // It lost the start to another `strata up` of the directory (one a killed install had started), which runs
        // the cluster now: that one is adopted.
        if (!isAlive(pid) && running !== undefined) return running;
        if (!isAlive(pid)) {
          const tail = await daemonLogTail(directory.path);
          throw new LocalDaemonError(
            `strata up (pid ${pid}) for ${directory.path} exited before the cluster ran; the end of ${join(directory.logsDir, DAEMON_LOG)}:\n${tail.join('\n')}`,
            { dir: directory.path, pid },
          );
        }
        return undefined;
      },
      { timeoutMs: START_TIMEOUT_MS, intervalMs: 200 },
    );
  } catch (error) {
    if (error instanceof LocalDaemonError) throw error;
    throw new LocalDaemonError(
      `strata up (pid ${pid}) did not start the cluster in ${directory.path}`,
      { dir: directory.path, pid },
      { cause: error },
    );
  }
}

/** The guardians of the directory's components, and those components. */
async function componentProcesses(dir: string): Promise<ProcessInfo[]> {
  const all = await processesOf(dir);
  // Guardians (in the daemon's cwd) outlive their component; the CLI and the engine naming the dir are neither.
  const guardians = new Set(all.filter((info) => isGuardianCommandLine(info.argv)).map((info) => info.pid));
  return all.filter((info) => guardians.has(info.pid) || guardians.has(info.ppid));
}

/**
 * Waits until the components of the directory have stopped (their guardians stop them once the daemon is gone,
 * one that was still starting before it bound any port), SIGKILLs what is left after the bound, and fails naming
 * what survives even that.
 */
async function untilComponentsStopped(dir: string): Promise<void> {
  let left: ProcessInfo[] = [];
  try {
    await waitFor(
      `the components of ${dir} to stop`,
      async () => {
        left = await componentProcesses(dir);
        return left.length === 0 ? true : undefined;
      },
      { timeoutMs: COMPONENTS_STOP_TIMEOUT_MS, intervalMs: 200 },
    );
    return;
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error;
  }
  for (const { pid } of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
  try {
    await waitFor(
      `the components of ${dir} to die after SIGKILL`,
      () => (left.some(({ pid }) => isAlive(pid)) ? undefined : true),
      { timeoutMs: 10_000, intervalMs: 100 },
    );
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error;
    const alive = left.filter(({ pid }) => isAlive(pid));
    throw new LocalDaemonError(
      `processes of ${dir} outlived SIGKILL: ${alive.map(({ pid, argv }) => `${pid} (${argv.join(' ')})`).join(', ')}`,
      { dir, pids: alive.map(({ pid }) => pid) },
      { cause: error },
    );
  }
}

/**
 * Stops the daemon running the directory, if any: SIGTERM (it stops every
 * component and node), then SIGKILL if it hangs (its components' guardians
 * stop them when it dies). Resolves once no process of it is left: the daemon,
 * the guardians and their components, even those of a daemon already gone.
 */
export async function stopDaemon(dir: string): Promise<{ stopped: number | undefined }> {
  const directory = new ClusterDirectory(dir);
  const pid = (await directory.runningPid()) ?? (await startingDaemon(dir));
  if (pid === undefined) {
    await untilComponentsStopped(dir);
    return { stopped: undefined };
  }
  process.kill(pid, 'SIGTERM');
  try {
    await waitFor(`strata up (pid ${pid}) to stop`, () => (isAlive(pid) ? undefined : true), {
      timeoutMs: STOP_TIMEOUT_MS,
      intervalMs: 200,
    });
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error;
    // It ignored SIGTERM for the whole grace period: what it holds is released by force.
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    await waitFor(`strata up (pid ${pid}) to die after SIGKILL`, () => (isAlive(pid) ? undefined : true), {
      timeoutMs: 10_000,
      intervalMs: 100,
    });
  }
  await untilComponentsStopped(dir);
  await directory.removePid();
  return { stopped: pid };
}
