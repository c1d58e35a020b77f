// The built console for the browser tests: `next build` once per content of its sources (a hash stamped into
// .next, under a lock so that concurrent runs build once), then `next start` on 127.0.0.1 and a free port.
import { createHash } from 'node:crypto';
import { glob, mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, ManagedProcess, runCommand, waitFor, withLockFile } from '@strata/host';

const CONSOLE_DIR = fileURLToPath(new URL('..', import.meta.url));
const ROOT = join(CONSOLE_DIR, '..');
const NEXT = join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');
const STAMP = join(CONSOLE_DIR, '.next', 'strata-build-hash');
/** Next.js must not phone home, in tests least of all. */
const NEXT_ENV = { NEXT_TELEMETRY_DISABLED: '1' };

/** Every input of the build: the console's sources (not its tests), the workspace packages it bundles, the lockfile. */
async function sourceHash(): Promise<string> {
  const hash = createHash('sha256');
  const inputs: string[] = [join(ROOT, 'package-lock.json')];
  for (const dir of [CONSOLE_DIR, join(ROOT, 'foundations', 'api'), join(ROOT, 'foundations', 'kube')]) {
    for await (const file of glob('**/*', {
      cwd: dir,
      exclude: (name) => ['node_modules', '.next', 'testing'].includes(name) || /\.test\.tsx?$/.test(name),
    })) {
      inputs.push(join(dir, file));
    }
  }
  inputs.sort();
  for (const input of inputs) {
    const content = await readFile(input).catch((error: unknown) => {
      // Directories are listed too; only files count.
      if (error instanceof Error && 'code' in error && error.code === 'EISDIR') return undefined;
      throw error;
    });
    if (content === undefined) continue;
    hash.update(relative(ROOT, input)).update('\0').update(content).update('\0');
  }
  return hash.digest('hex');
}

async function stampedHash(): Promise<string | undefined> {
  return readFile(STAMP, 'utf8').then(
    (text) => text.trim(),
    (error: unknown) => {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return undefined;
      throw error;
    },
  );
}

/** Builds the console unless the last build was of the same sources; answers whether it built. */
export async function ensureConsoleBuilt(): Promise<boolean> {
  const lockDir = join(homedir(), '.cache', 'strata');
  await mkdir(lockDir, { recursive: true });
  return withLockFile(join(lockDir, 'console-build.lock'), async () => {
    const hash = await sourceHash();
    if ((await stampedHash()) === hash) return false;
    const result = await runCommand(process.execPath, [NEXT, 'build', CONSOLE_DIR], {
      cwd: CONSOLE_DIR,
      env: { PATH: process.env['PATH'] ?? '', HOME: homedir(), ...NEXT_ENV },
    });
    if (result.code !== 0)
      throw new Error(
        `next build failed (exit ${result.code}):\n${result.stdout.slice(-4000)}${result.stderr.slice(-4000)}`,
      );
    await writeFile(STAMP, `${hash}\n`);
    return true;
  });
}

export interface RunningConsole {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * `next start` for the built console, with a fresh session secret and either `kubeconfigPath`'s cluster or the
 * configuration in `environment` (the API server's address, OpenID sign-in). `port` is chosen free unless given (a
 * test that registers the console's callback with an OpenID provider needs to know it first).
 */
export async function startConsole(options: {
  kubeconfigPath?: string;
  environment?: Readonly<Record<string, string>>;
  port?: number;
  logFile: string;
}): Promise<RunningConsole> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
  const process_ = ManagedProcess.start({
    name: 'console',
    command: process.execPath,
    args: [NEXT, 'start', CONSOLE_DIR, '--hostname', '127.0.0.1', '--port', String(port)],
    cwd: CONSOLE_DIR,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: homedir(),
      ...NEXT_ENV,
      ...(options.kubeconfigPath === undefined ? {} : { STRATA_CONSOLE_KUBECONFIG: options.kubeconfigPath }),
      ...options.environment,
      STRATA_CONSOLE_SESSION_SECRET: secret,
    },
    logFile: options.logFile,
  });
  await waitFor(
    'the console to answer',
    async () => {
      if (!process_.running) throw await process_.failure('next start exited');
      const answer = await fetch(`${url}/login`).catch(() => undefined);
      return answer?.ok === true ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  return {
    url,
    stop: async () => {
      await process_.stop();
    },
  };
}
