// A throwaway D-Bus message bus for tests: a real dbus-daemon on a socket in a
// temporary directory, so that tests can play update_engine and logind without
// touching the machine's own buses. startPrivateBus's is open to everyone;
// startPolicyBus's enforces a system bus's policy plus the files a test
// includes, for users the test adds (dbus-daemon resolves the user names of a
// policy when it starts, so it runs in a mount namespace of its own whose
// /etc/passwd and /etc/group have them; the machine's own files are untouched).
import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ManagedProcess } from '@strata/host';
import { StrataError } from '@strata/api';

export class PrivateBusError extends StrataError {}

export interface PrivateBus {
  /** A D-Bus address, e.g. unix:path=/tmp/…/bus. */
  readonly address: string;
  stop(): Promise<void>;
}

function findDbusDaemon(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v dbus-daemon'], { encoding: 'utf8' }).trim();
  } catch (error) {
    throw new PrivateBusError(
      'dbus-daemon is not installed; install it with: apt-get install -y dbus',
      {},
      { cause: error },
    );
  }
}

const config = (socket: string) => `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;

function canConnect(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startPrivateBus(timeoutMs = 10_000): Promise<PrivateBus> {
  const command = findDbusDaemon();
  const dir = await mkdtemp(join(tmpdir(), 'strata-dbus-'));
  const socket = join(dir, 'bus');
  await writeFile(join(dir, 'bus.conf'), config(socket));
  const daemon = ManagedProcess.start({
    name: 'dbus-daemon',
    command,
    args: [`--config-file=${join(dir, 'bus.conf')}`, '--nofork', '--nopidfile'],
    logFile: join(dir, 'dbus-daemon.log'),
    removeWhenOrphaned: [dir],
    releaseWithParent: true,
  });
  return await listening(daemon, dir, socket, timeoutMs);
}

export interface PolicyBusOptions {
  /** Users to add for the daemon (name, uid), beside the machine's. */
  readonly users: readonly TestUser[];
  /** Policy files (their content), included after the bus's own policy, as system.d's files are. */
  readonly includes: readonly string[];
  /** Services that, as their own system.d files do, let everyone call them (e.g. logind, update_engine). */
  readonly openServices: readonly string[];
  /** Names users other than root may own, as their system.d files allow (polkitd drops root before it claims its name). */
  readonly owners?: readonly { readonly user: string; readonly service: string }[];
  readonly timeoutMs?: number;
}

export interface TestUser {
  readonly name: string;
  readonly uid: number;
}

/**
 * `command` with `args`, run by unshare in a mount namespace of its own where /etc/passwd and /etc/group also have
 * `users` (written into `dir`), and each [source, target] of `binds` is mounted over its target.
 */
export async function withHostFiles(
  dir: string,
  users: readonly TestUser[],
  binds: readonly (readonly [string, string])[],
  command: string,
  args: readonly string[],
): Promise<{ readonly command: string; readonly args: string[] }> {
  const passwd = users.map(({ name, uid }) => `${name}:x:${uid}:${uid}::/:/usr/sbin/nologin\n`).join('');
  const group = users.map(({ name, uid }) => `${name}:x:${uid}:\n`).join('');
  await writeFile(join(dir, 'passwd'), (await readFile('/etc/passwd', 'utf8')) + passwd);
  await writeFile(join(dir, 'group'), (await readFile('/etc/group', 'utf8')) + group);
  const mounts: (readonly [string, string])[] = [
    [join(dir, 'passwd'), '/etc/passwd'],
    [join(dir, 'group'), '/etc/group'],
    ...binds,
  ];
  // Positional parameters, so that no path is ever parsed by the shell.
  const script = [
    ...mounts.map((_, index) => `mount --bind "\${${2 * index + 1}}" "\${${2 * index + 2}}"`),
    `shift ${2 * mounts.length}`,
    'exec "$@"',
  ].join(' && ');
  return {
    command: 'unshare',
    args: ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', ...mounts.flat(), command, ...args],
  };
}

/** A system bus's default policy, as dbus's system.conf writes it, with root allowed to own names. */
const systemConfig = (
  socket: string,
  includes: readonly string[],
  openServices: readonly string[],
  owners: readonly { readonly user: string; readonly service: string }[],
) => `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
${openServices.map((service) => `    <allow send_destination="${service}"/>`).join('\n')}
  </policy>
  <policy user="root">
    <allow own="*"/>
  </policy>
${owners.map(({ user, service }) => `  <policy user="${user}">\n    <allow own="${service}"/>\n  </policy>`).join('\n')}
${includes.map((_, index) => `  <include>${join(dirname(socket), `policy-${index}.conf`)}</include>`).join('\n')}
</busconfig>
`;

/** A bus with a system bus's policy and `includes`, its socket open to every user (as the system bus's is). */
export async function startPolicyBus(options: PolicyBusOptions): Promise<PrivateBus> {
  const command = findDbusDaemon();
  const dir = await mkdtemp(join(tmpdir(), 'strata-dbus-policy-'));
  // Other users connect to the socket in here.
  await chmod(dir, 0o755);
  const socket = join(dir, 'bus');
  await writeFile(
    join(dir, 'bus.conf'),
    systemConfig(socket, options.includes, options.openServices, options.owners ?? []),
  );
  await Promise.all(options.includes.map((text, index) => writeFile(join(dir, `policy-${index}.conf`), text)));
  const daemon = ManagedProcess.start({
    name: 'dbus-daemon',
    ...(await withHostFiles(dir, options.users, [], command, [
      `--config-file=${join(dir, 'bus.conf')}`,
      '--nofork',
      '--nopidfile',
    ])),
    logFile: join(dir, 'dbus-daemon.log'),
    removeWhenOrphaned: [dir],
    releaseWithParent: true,
  });
  return await listening(daemon, dir, socket, options.timeoutMs ?? 10_000);
}

async function listening(daemon: ManagedProcess, dir: string, socket: string, timeoutMs: number): Promise<PrivateBus> {
  const deadline = Date.now() + timeoutMs;
  while (!(await canConnect(socket))) {
    if (!daemon.running) throw await daemon.failure('exited before it listened');
    if (Date.now() > deadline) {
      await daemon.stop();
      throw new PrivateBusError(`dbus-daemon did not listen on ${socket} within ${timeoutMs} ms`, { socket });
    }
    await sleep(20);
  }
  return {
    address: `unix:path=${socket}`,
    stop: async () => {
      await daemon.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
