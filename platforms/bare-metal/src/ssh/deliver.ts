// Delivers a controller's withheld files (what the boot server must not
// serve) to the installed machine over SSH, as Typhoon copies controller
// secrets: one `sudo install -D -m <mode> /dev/stdin <path>` per file, over one
// shared connection per machine, with the file's bytes on ssh's stdin, so that
// no secret is ever on a command line, and each file is created with its exact
// mode. The host key learnt on first
// contact is pinned in the cluster directory's known_hosts (see ADR 0018).
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { logTail, ManagedProcess, waitFor } from '@strata/host';
import { decodeDataUrl, type WithheldFile } from '@strata/assets';
import { SecretDeliveryError } from './errors.ts';
import { jumpProxyCommand, type SshJump } from './jump.ts';

export const SSH = '/usr/bin/ssh';
/** The receiving side accepts exactly these paths (see the simulated machine's forced command). */
const DELIVERABLE_PATH = /^(\/[A-Za-z0-9._-]+)+$/;

export interface SshTarget {
  /** The machine's name, also the alias its host key is pinned under (so that a new address keeps the pin). */
  readonly machine: string;
  readonly host: string;
  readonly port?: number;
  /** `core` on Flatcar. */
  readonly user: string;
}

export interface DeliveryOptions {
  /** The private key whose public half is in the cluster config's sshAuthorizedKeys. */
  readonly identityFile: string;
  /** The cluster directory's known_hosts: the first contact adds the machine's key, later ones must match it. */
  readonly knownHostsFile: string;
  readonly connectTimeoutSeconds?: number;
  /** A host to hop through to machines with private addresses only; same identity, its key pinned too. */
  readonly jump?: SshJump;
}

/** The command a machine runs to receive one file: on Flatcar it writes to `/`. */
export function receiveCommand(file: Pick<WithheldFile, 'path' | 'mode'>): string {
  return `sudo install -D -m ${file.mode.toString(8).padStart(4, '0')} /dev/stdin ${file.path}`;
}

/** Options of every ssh invocation towards one machine; the destination and command follow. */
export function connectionArgs(target: SshTarget, options: DeliveryOptions): string[] {
  const timeout = options.connectTimeoutSeconds ?? 10;
  const jump =
    options.jump === undefined
      ? []
      : ['-o', `ProxyCommand=${jumpProxyCommand(SSH, options.jump, { ...options, connectTimeoutSeconds: timeout })}`];
  return [
    // The user's ~/.ssh/config must not change what the installer does.
    '-F',
    'none',
    '-i',
    options.identityFile,
    '-p',
    String(target.port ?? 22),
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'PasswordAuthentication=no',
    '-o',
    'KbdInteractiveAuthentication=no',
    '-o',
    'StrictHostKeyChecking=accept-new',
    '-o',
    `UserKnownHostsFile=${options.knownHostsFile}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    `HostKeyAlias=${target.machine}`,
    '-o',
    'UpdateHostKeys=no',
    '-o',
    `ConnectTimeout=${timeout}`,
    '-o',
    'LogLevel=ERROR',
    ...jump,
  ];
}

const destination = (target: SshTarget): string => `${target.user}@${target.host}`;

interface Connection {
  /** ssh options that send through the shared connection. */
  readonly args: readonly string[];
  close(): Promise<void>;
}

/**
 * One authenticated connection per machine (OpenSSH's connection sharing),
 * which every file's command then uses: a handshake costs far more than a
 * command. The master runs under a guardian, so a killed installer leaves no
 * ssh behind.
 */
async function openConnection(target: SshTarget, options: DeliveryOptions): Promise<Connection> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-ssh-'));
  const socket = join(dir, 'control');
  const logFile = join(dir, 'master.log');
  const common = connectionArgs(target, options);
  const master = ManagedProcess.start({
    name: `ssh-${target.machine}`,
    command: SSH,
    args: [...common, '-M', '-S', socket, '-o', 'ControlPersist=no', '-N', destination(target)],
    logFile,
    gracePeriodMs: 2_000,
  });
  const close = async () => {
    await master.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      `the SSH connection to ${target.machine}`,
      async () => {
        if (!master.running) {
          throw new SecretDeliveryError(
            `${target.machine}: connecting to ${destination(target)}:${target.port ?? 22} failed: ${(await logTail(logFile)).trim() || '(ssh said nothing)'}`,
            { machine: target.machine, host: target.host },
          );
        }
        const check = await runSsh(['-F', 'none', '-S', socket, '-O', 'check', destination(target)], new Uint8Array());
        return check.code === 0 ? true : undefined;
      },
      // Through a jump host, two handshakes.
      {
        timeoutMs: ((options.connectTimeoutSeconds ?? 10) * (options.jump === undefined ? 1 : 2) + 5) * 1_000,
        intervalMs: 50,
      },
    );
  } catch (error) {
    await close();
    throw error;
  }
  return { args: [...common, '-S', socket, '-o', 'ControlMaster=no', '-T'], close };
}

function runSsh(args: readonly string[], input: Uint8Array): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(SSH, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
    // A refused connection closes stdin early; the exit status tells the story.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/** Delivers every file, in order; the first failure stops the delivery. Resolves with the paths delivered. */
export async function deliverWithheldSecrets(
  target: SshTarget,
  files: readonly WithheldFile[],
  options: DeliveryOptions,
): Promise<string[]> {
  for (const file of files) {
    if (!DELIVERABLE_PATH.test(file.path) || file.path.split('/').some((part) => part === '.' || part === '..')) {
      throw new SecretDeliveryError(
        `${target.machine}: ${file.path} is not a clean absolute path of letters, digits, ".", "_" and "-"`,
        {
          machine: target.machine,
          path: file.path,
        },
      );
    }
  }
  await mkdir(dirname(options.knownHostsFile), { recursive: true });
  const delivered: string[] = [];
  const connection = await openConnection(target, options);
  try {
    for (const file of files) {
      const decoded = decodeDataUrl(file.source);
      if (!decoded.ok) {
        throw new SecretDeliveryError(
          `${target.machine}: ${file.path}: its rendered source is not a data URL: ${decoded.reason}`,
          { machine: target.machine, path: file.path },
        );
      }
      let result: { code: number | null; stderr: string };
      try {
        result = await runSsh([...connection.args, destination(target), receiveCommand(file)], decoded.value.data);
      } catch (error) {
        throw new SecretDeliveryError(
          `${target.machine}: could not run ${SSH}: ${error instanceof Error ? error.message : String(error)}`,
          { machine: target.machine },
          { cause: error },
        );
      }
      if (result.code !== 0) {
        throw new SecretDeliveryError(
          `${target.machine}: delivering ${file.path} to ${destination(target)}:${target.port ?? 22} failed (ssh exit ${String(result.code)}): ${result.stderr.trim() || '(ssh said nothing)'}`,
          { machine: target.machine, path: file.path, host: target.host, exitCode: result.code, delivered },
        );
      }
      delivered.push(file.path);
    }
  } finally {
    await connection.close();
  }
  return delivered;
}
