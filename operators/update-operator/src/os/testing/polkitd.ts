// A real polkitd for tests, on a test's bus, judging with the machine's action
// definitions and only the rules a test gives it: it runs in a mount namespace
// of its own whose /etc/polkit-1/rules.d holds those rules (and whose
// /etc/passwd has the test's users), so the machine's own files are untouched.
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StrataError } from '@strata/api';
import { ManagedProcess, runCommand, waitFor } from '@strata/host';
import { withHostFiles, type TestUser } from '@strata/update-engine/testing';

export class PolkitdError extends StrataError {}

const POLKITD_CANDIDATES = ['/usr/lib/polkit-1/polkitd', '/usr/libexec/polkitd', '/usr/lib/polkit/polkitd'];
export const POLKIT_SERVICE = 'org.freedesktop.PolicyKit1';
/** The user polkitd switches to after it starts as root, and who must own POLKIT_SERVICE on the bus. */
export const POLKITD_USER = 'polkitd';

export interface RunningPolkitd {
  /** pkcheck's verdict on `actionId` for the process `pid`: its exit code (0 authorized, 1 not, 2 challenge) and words. */
  check(actionId: string, pid: number): Promise<{ readonly code: number | null; readonly output: string }>;
  /** Every action polkitd knows (the machine's action definitions), as pkaction lists them. */
  actions(): Promise<string[]>;
  stop(): Promise<void>;
}

function findPolkitd(): string {
  for (const candidate of POLKITD_CANDIDATES) {
    try {
      execFileSync('test', ['-x', candidate]);
      return candidate;
    } catch {
      // Not this one; try the next place distributions put it.
    }
  }
  throw new PolkitdError(`polkitd is not installed (looked in ${POLKITD_CANDIDATES.join(', ')}); install polkitd`, {
    candidates: POLKITD_CANDIDATES,
  });
}

/** Starts polkitd on `busAddress` with `rules` (file name to JavaScript) as its only local rules. */
export async function startPolkitd(options: {
  readonly busAddress: string;
  readonly rules: Readonly<Record<string, string>>;
  readonly users: readonly TestUser[];
}): Promise<RunningPolkitd> {
  const command = findPolkitd();
  const dir = await mkdtemp(join(tmpdir(), 'strata-polkitd-'));
  const rulesDir = join(dir, 'rules.d');
  // polkitd reads its rules as its own user, not as root.
  await chmod(dir, 0o755);
  await mkdir(rulesDir, { mode: 0o755 });
  await Promise.all(Object.entries(options.rules).map(([name, text]) => writeFile(join(rulesDir, name), text)));
  const env = { DBUS_SYSTEM_BUS_ADDRESS: options.busAddress };
  const daemon = ManagedProcess.start({
    name: 'polkitd',
    ...(await withHostFiles(dir, options.users, [[rulesDir, '/etc/polkit-1/rules.d']], command, ['--no-debug'])),
    env,
    logFile: join(dir, 'polkitd.log'),
    removeWhenOrphaned: [dir],
    releaseWithParent: true,
  });
  const stop = async (): Promise<void> => {
    await daemon.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(`polkitd to own ${POLKIT_SERVICE}`, async () => {
      if (!daemon.running) throw await daemon.failure('exited before it owned its name');
      const { stdout } = await runCommand(
        'dbus-send',
        [
          '--system',
          '--print-reply',
          '--dest=org.freedesktop.DBus',
          '/',
          'org.freedesktop.DBus.NameHasOwner',
          `string:${POLKIT_SERVICE}`,
        ],
        { env: { ...process.env, ...env } },
      );
      return stdout.includes('boolean true') ? true : undefined;
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    check: async (actionId, pid) => {
      const result = await runCommand('pkcheck', ['--action-id', actionId, '--process', String(pid)], {
        env: { ...process.env, ...env },
      });
      return { code: result.code, output: `${result.stdout}${result.stderr}`.trim() };
    },
    actions: async () => {
      const result = await runCommand('pkaction', [], { env: { ...process.env, ...env } });
      if (result.code !== 0) throw new PolkitdError(`pkaction failed: ${result.stderr}`, { code: result.code });
      return result.stdout.split('\n').filter((line) => line.trim() !== '');
    },
    stop,
  };
}
