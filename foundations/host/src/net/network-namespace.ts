// A network namespace that lives exactly as long as its owner: a guarded process (`unshare --net sleep infinity`)
// holds it, nothing is mounted under /run/netns, so when the owner stops, or dies by SIGKILL and its guardian stops
// the holder, the kernel destroys the namespace with every interface in it (taps, bridges, and the peers of veth
// pairs that cross into it). A named namespace (`ip netns add`) would outlive a killed owner.
import { readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { StrataError } from '@strata/api';
import { logTail, ManagedProcess } from '../process/managed-process.ts';
import { runCommand, type CommandResult } from '../process/run-command.ts';
import { waitFor } from '../wait/wait-for.ts';

/** A command in or about a network namespace failed. `context`: the command, its exit code and output. */
export class NetworkNamespaceError extends StrataError {}

export interface NetworkNamespaceOptions {
  /** For messages and the holder's name, e.g. "lab". */
  readonly name: string;
  /** Where the holder's log goes (it writes nothing unless it fails). */
  readonly logDir: string;
  /** Removed by the holder's guardian if the owner dies without closing the namespace. */
  readonly removeWhenOrphaned?: readonly string[];
}

export interface CommandInNamespace {
  readonly command: string;
  readonly args: readonly string[];
}

export class NetworkNamespace {
  readonly name: string;
  /** The holder's pid: `ip link set X netns <pid>` moves an interface in. */
  readonly pid: number;
  /** /proc/<pid>/ns/net, what nsenter enters. */
  readonly path: string;
  readonly #holder: ManagedProcess;

  private constructor(name: string, pid: number, holder: ManagedProcess) {
    this.name = name;
    this.pid = pid;
    this.path = `/proc/${pid}/ns/net`;
    this.#holder = holder;
  }

  /** Starts the holder and waits until its namespace is a new one, with its loopback up. */
  static async create(options: NetworkNamespaceOptions): Promise<NetworkNamespace> {
    const holder = ManagedProcess.start({
      name: `network namespace holder (${options.name})`,
      command: 'unshare',
      args: ['--net', '--', 'sleep', 'infinity'],
      logFile: join(options.logDir, `netns-${options.name}.log`),
      gracePeriodMs: 1_000,
      removeWhenOrphaned: [...(options.removeWhenOrphaned ?? [])],
    });
    try {
      const pid = await holder.pid;
      const ours = await readlink('/proc/self/ns/net');
      // The pid is known as soon as unshare is spawned; the namespace is new only once unshare(2) has run.
      await waitFor(
        `the network namespace of process ${pid} (${options.name})`,
        async () => {
          if (!holder.running) throw await holder.failure('it exited before its namespace was made');
          const theirs = await readlink(`/proc/${pid}/ns/net`).catch(() => undefined);
          return theirs !== undefined && theirs !== ours ? theirs : undefined;
        },
        { timeoutMs: 10_000, intervalMs: 10 },
      );
      const namespace = new NetworkNamespace(options.name, pid, holder);
      await namespace.ip(['link', 'set', 'lo', 'up']);
      return namespace;
    } catch (error) {
      await holder.stop();
      throw error;
    }
  }

  get alive(): boolean {
    return this.#holder.running;
  }

  /** `command args` as a command that runs inside this namespace (nsenter execs it: the pid stays the command's). */
  commandIn(command: string, args: readonly string[]): CommandInNamespace {
    return { command: 'nsenter', args: [`--net=${this.path}`, '--', command, ...args] };
  }

  /** Runs a command inside; its result, whatever the exit code. */
  async run(command: string, args: readonly string[]): Promise<CommandResult> {
    const inside = this.commandIn(command, args);
    return runCommand(inside.command, inside.args);
  }

  /** Runs `ip` inside and fails with its output if it fails. */
  async ip(args: readonly string[]): Promise<string> {
    return checked(`ip ${args.join(' ')} (in namespace ${this.name})`, await this.run('ip', args));
  }

  /** Stops the holder; the kernel then destroys the namespace and its interfaces. */
  async close(): Promise<void> {
    await this.#holder.stop();
  }

  /** The holder's log, for a failure's message. */
  async logTail(): Promise<string> {
    return logTail(this.#holder.spec.logFile);
  }
}

/** Runs `ip` in this process's own namespace and fails with its output if it fails. */
export async function hostIp(args: readonly string[]): Promise<string> {
  return checked(`ip ${args.join(' ')}`, await runCommand('ip', args));
}

function checked(what: string, result: CommandResult): string {
  if (result.code !== 0) {
    throw new NetworkNamespaceError(`${what} failed (exit ${String(result.code)}): ${result.stderr.trim()}`, {
      command: what,
      code: result.code,
      stderr: result.stderr,
    });
  }
  return result.stdout;
}
