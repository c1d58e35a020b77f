// A controller's sshd: Debian's OpenSSH server on the machine's own loopback
// address, with a host key the machine generates at first boot (as Flatcar's
// sshd-keygen does), the keys Ignition wrote for `core`, no passwords, and a
// forced command that accepts only the delivery of a withheld file.
import { connect } from 'node:net';
import { join } from 'node:path';
import { mkdir, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { ManagedProcess, PUBLIC_FILE_MODE, logTail, runCommand, waitFor, writeFileAtomic } from '@strata/host';
import { authorizedKeysPath } from './apply-ignition.ts';
import { MachineSshError } from './errors.ts';
import { RECEIVE_SCRIPT } from './receive-command.ts';

export const SSHD = '/usr/sbin/sshd';
const SSH_KEYGEN = '/usr/bin/ssh-keygen';
/** Debian's sshd refuses to start as root without its privilege separation directory (systemd creates it there). */
const PRIVSEP_DIR = '/run/sshd';
export const HOST_KEY_PATH = '/etc/ssh/ssh_host_ed25519_key';

export interface MachineSshdOptions {
  readonly machine: string;
  readonly root: string;
  /** Where the machine keeps what is not on its disk: sshd's config, the receive command, logs. */
  readonly stateDir: string;
  readonly address: string;
  readonly port: number;
  /** The Ignition user whose keys may log in. */
  readonly keysOf?: string;
  readonly startTimeoutMs?: number;
  /**
   * A bastion's: the `address:port` pairs a client may open through this sshd (`ssh -W`, OpenSSH's ProxyJump);
   * none when absent.
   */
  readonly forwardTo?: readonly string[];
}

export interface MachineSshd {
  readonly address: string;
  readonly port: number;
  /** The account the installer logs in as: sshd can only log in the user it runs as, or anyone when root. */
  readonly loginUser: string;
  readonly hostPublicKey: string;
  stop(): Promise<void>;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function listening(address: string, port: number): Promise<true | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(undefined));
  });
}

export async function startMachineSshd(options: MachineSshdOptions): Promise<MachineSshd> {
  const { root, stateDir, address, port, machine } = options;
  const hostKey = join(root, HOST_KEY_PATH);
  if (!(await exists(hostKey))) {
    await mkdir(join(root, '/etc/ssh'), { recursive: true });
    const made = await runCommand(SSH_KEYGEN, ['-q', '-t', 'ed25519', '-N', '', '-C', machine, '-f', hostKey]);
    if (made.code !== 0)
      throw new MachineSshError(`${machine}: ssh-keygen could not make a host key: ${made.stderr.trim()}`, { machine });
  }
  const loginUser = userInfo().username;
  const receive = join(stateDir, 'sshd', 'strata-receive');
  await writeFileAtomic(receive, RECEIVE_SCRIPT, 0o755);
  const config = join(stateDir, 'sshd', 'sshd_config');
  await writeFileAtomic(
    config,
    [
      `ListenAddress ${address}:${port}`,
      `HostKey ${hostKey}`,
      'PidFile none',
      `AuthorizedKeysFile ${join(root, authorizedKeysPath(options.keysOf ?? 'core'))}`,
      `AllowUsers ${loginUser}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      // Keys only; ForceCommand restricts every session, whoever logs in.
      'PermitRootLogin prohibit-password',
      'PermitEmptyPasswords no',
      'UsePAM no',
      // The machine's root lives under a temporary directory (mode 1777), which strict modes would refuse.
      'StrictModes no',
      `ForceCommand ${receive} ${root}`,
      'PermitTTY no',
      ...(options.forwardTo === undefined || options.forwardTo.length === 0
        ? ['AllowTcpForwarding no']
        : ['AllowTcpForwarding local', `PermitOpen ${options.forwardTo.join(' ')}`]),
      'AllowAgentForwarding no',
      'X11Forwarding no',
      'PermitUserEnvironment no',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
    PUBLIC_FILE_MODE,
  );
  if (process.getuid?.() === 0 && !(await exists(PRIVSEP_DIR))) await mkdir(PRIVSEP_DIR, { mode: 0o755 });
  const checked = await runCommand(SSHD, ['-t', '-f', config]);
  if (checked.code !== 0)
    throw new MachineSshError(`${machine}: sshd refuses its configuration: ${checked.stderr.trim()}`, {
      machine,
      config,
    });

  const logFile = join(stateDir, 'logs', 'sshd.log');
  const sshd = ManagedProcess.start({
    name: `sshd-${machine}`,
    command: SSHD,
    args: ['-D', '-e', '-f', config],
    logFile,
    gracePeriodMs: 2_000,
  });
  try {
    await Promise.race([
      waitFor(`sshd of ${machine} on ${address}:${port}`, () => listening(address, port), {
        timeoutMs: options.startTimeoutMs ?? 10_000,
      }),
      sshd.exited.then(async (status) => {
        throw new MachineSshError(
          `${machine}: sshd exited (code ${String(status.code)}) before listening on ${address}:${port}:\n${await logTail(logFile)}`,
          { machine, address, port },
        );
      }),
    ]);
  } catch (error) {
    await sshd.stop();
    throw error;
  }
  const publicKey = await runCommand(SSH_KEYGEN, ['-y', '-f', hostKey]);
  return {
    address,
    port,
    loginUser,
    hostPublicKey: publicKey.stdout.trim(),
    stop: async () => {
      await sshd.stop();
    },
  };
}
