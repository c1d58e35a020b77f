// `strata lab up` runs the lab in a detached `strata lab run`, so that the machines outlive the command; the lab's
// state file (written by that process once every machine is on) says which process runs it. `strata lab down` stops
// that process and removes what is left, also after it was killed with SIGKILL.
import { spawn } from 'node:child_process';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StrataError } from '@strata/api';
import { waitFor, WaitTimeoutError } from '@strata/host';
import { readLabState, removeLabLeftovers, type LabLeftovers, type LabState } from '@strata/lab';
import { isAlive } from '../install/local/processes.ts';

export class LabDaemonError extends StrataError {}

const STRATA_BIN = fileURLToPath(new URL('../../bin/strata.js', import.meta.url));
export const LAB_LOG = 'lab.log';
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 60_000;

async function logTailOf(dir: string, lines = 20): Promise<string> {
  const text = await readFile(join(dir, LAB_LOG), 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** The lab's state if the process it names still runs. */
export async function runningLab(dir: string): Promise<LabState | undefined> {
  const state = await readLabState(dir);
  return state !== undefined && isAlive(state.pid) ? state : undefined;
}

/** Starts `strata lab run <args>` detached and resolves with the state it writes once its machines are on. */
export async function startLabDaemon(dir: string, runArgs: readonly string[]): Promise<LabState> {
  await mkdir(dir, { recursive: true });
  const log = await open(join(dir, LAB_LOG), 'a');
  const child = spawn(process.execPath, [STRATA_BIN, 'lab', 'run', ...runArgs, '--dir', dir], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', log.fd, log.fd],
  });
  await log.close();
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new LabDaemonError(`could not start strata lab run for ${dir}`, { dir });
  try {
    return await waitFor(
      `strata lab run (pid ${pid}) to start the lab in ${dir}`,
      async () => {
        const state = await readLabState(dir);
        if (state?.pid === pid) return state;
        if (!isAlive(pid)) {
          throw new LabDaemonError(
            `strata lab run (pid ${pid}) exited before the lab ran; the end of ${join(dir, LAB_LOG)}:\n${await logTailOf(dir)}`,
            { dir, pid },
          );
        }
        return undefined;
      },
      { timeoutMs: START_TIMEOUT_MS, intervalMs: 200 },
    );
  } catch (error) {
    if (error instanceof LabDaemonError) throw error;
    // It did not finish in time: it is stopped, and its guardians remove what it made.
    if (isAlive(pid)) process.kill(pid, 'SIGTERM');
    throw new LabDaemonError(
      `strata lab run (pid ${pid}) did not start the lab in ${START_TIMEOUT_MS / 1000} s; it was stopped. The end of ${join(dir, LAB_LOG)}:\n${await logTailOf(dir)}`,
      { dir, pid },
      { cause: error },
    );
  }
}

export interface LabStopped {
  /** The pid of the lab's process if it was running, and how it was stopped. */
  readonly stopped?: { readonly pid: number; readonly how: 'SIGTERM' | 'SIGKILL' };
  readonly leftovers: LabLeftovers;
  readonly state: LabState;
}

/** Stops the lab's process (SIGTERM, SIGKILL if it hangs) and removes what is left; undefined if there is no lab. */
export async function stopLab(dir: string): Promise<LabStopped | undefined> {
  const state = await readLabState(dir);
  if (state === undefined) return undefined;
  let stopped: LabStopped['stopped'];
  if (isAlive(state.pid)) {
    process.kill(state.pid, 'SIGTERM');
    stopped = { pid: state.pid, how: 'SIGTERM' };
    try {
      await waitFor(`strata lab run (pid ${state.pid}) to stop`, () => (isAlive(state.pid) ? undefined : true), {
        timeoutMs: STOP_TIMEOUT_MS,
        intervalMs: 100,
      });
    } catch (error) {
      if (!(error instanceof WaitTimeoutError)) throw error;
      if (isAlive(state.pid)) process.kill(state.pid, 'SIGKILL');
      stopped = { pid: state.pid, how: 'SIGKILL' };
      await waitFor(`strata lab run (pid ${state.pid}) to die`, () => (isAlive(state.pid) ? undefined : true), {
        timeoutMs: 10_000,
        intervalMs: 100,
      });
    }
  }
  // The guardians stop QEMU, dnsmasq and the namespace's holder when the lab's process dies; their own exits follow.
  try {
    await waitFor(
      `the machines of lab ${state.name} to power off`,
      () => (state.machines.some((machine) => isAlive(machine.pid)) ? undefined : true),
      { timeoutMs: 20_000, intervalMs: 100 },
    );
  } catch (error) {
    // Those still on are killed by removeLabLeftovers, which reports them.
    if (!(error instanceof WaitTimeoutError)) throw error;
  }
  const leftovers = await removeLabLeftovers(dir, state);
  return { ...(stopped === undefined ? {} : { stopped }), leftovers, state };
}
