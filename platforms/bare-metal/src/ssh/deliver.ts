// Delivers a controller's withheld files (what the boot server must not
// serve) to the installed machine over SSH, as Typhoon copies controller
// secrets: one `sudo install -D -m <mode> /dev/stdin <path>` per file, with
// the file's bytes on ssh's stdin, so that no secret is ever on a command line,
// and each file is created with its exact mode. The host key learnt on first
// contact is pinned in the cluster directory's known_hosts (see ADR 0018).
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { decodeDataUrl, type WithheldFile } from '@strata/assets';
import { SecretDeliveryError } from './errors.ts';

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
}

/** The command a machine runs to receive one file: on Flatcar it writes to `/`. */
export function receiveCommand(file: Pick<WithheldFile, 'path' | 'mode'>): string {
  return `sudo install -D -m ${file.mode.toString(8).padStart(4, '0')} /dev/stdin ${file.path}`;
}

function sshArgs(target: SshTarget, options: DeliveryOptions, command: string): string[] {
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
    `ConnectTimeout=${options.connectTimeoutSeconds ?? 10}`,
    '-o',
    'LogLevel=ERROR',
    '-T',
    `${target.user}@${target.host}`,
    command,
  ];
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
  for (const file of files) {
    const decoded = decodeDataUrl(file.source);
    if (!decoded.ok) {
      throw new SecretDeliveryError(
        `${target.machine}: ${file.path}: its rendered source is not a data URL: ${decoded.reason}`,
        {
          machine: target.machine,
          path: file.path,
        },
      );
    }
    const command = receiveCommand(file);
    let result: { code: number | null; stderr: string };
    try {
      result = await runSsh(sshArgs(target, options, command), decoded.value.data);
    } catch (error) {
      throw new SecretDeliveryError(
        `${target.machine}: could not run ${SSH}: ${error instanceof Error ? error.message : String(error)}`,
        {
          machine: target.machine,
        },
        { cause: error },
      );
    }
    if (result.code !== 0) {
      throw new SecretDeliveryError(
        `${target.machine}: delivering ${file.path} to ${target.user}@${target.host}:${target.port ?? 22} failed (ssh exit ${String(result.code)}): ${result.stderr.trim() || '(ssh said nothing)'}`,
        { machine: target.machine, path: file.path, host: target.host, exitCode: result.code, delivered },
      );
    }
    delivered.push(file.path);
  }
  return delivered;
}
