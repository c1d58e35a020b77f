// A throwaway D-Bus message bus for tests: a real dbus-daemon on a socket in a
// temporary directory, open to everyone, so that tests can play update_engine
// and logind without touching the machine's own buses.
import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
