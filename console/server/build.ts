// The console's production build, made once per content of its inputs: `next build` into console/.next (gitignored),
// the inputs' hash stamped there, under a lock in the user's cache so that concurrent `strata up`s and test runs
// build once. `strata up`, `npm run build -w console` users and the browser tests all come through here.
import { createHash } from 'node:crypto';
import { glob, mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StrataError } from '@strata/api';
import { runCommand, withLockFile, writeFileAtomic } from '@strata/host';

export class ConsoleBuildError extends StrataError {}

/** The console package's directory. */
export const CONSOLE_DIR = fileURLToPath(new URL('..', import.meta.url));
const ROOT = join(CONSOLE_DIR, '..');
/** Next.js's own CLI, run with this Node. */
export const NEXT_CLI = join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');
/** Where `next build` writes (gitignored), and the hash of the inputs it was built from. */
export const CONSOLE_BUILD_DIR = join(CONSOLE_DIR, '.next');
const STAMP = join(CONSOLE_BUILD_DIR, 'strata-build-hash');
/** Next.js must not phone home. */
export const NEXT_ENV = { NEXT_TELEMETRY_DISABLED: '1' } as const;

/**
 * Not inputs of the Next.js build: tests and their helpers, benchmarks, documentation, this server and its entry point, build output, and what
 * `next build` itself writes (next-env.d.ts, gitignored): counted, it made a fresh clone's second build differ from its
 * first, and that rebuild removed `.next` under a console another test was starting.
 */
const NOT_INPUTS = new Set(['node_modules', '.next', 'next-env.d.ts', 'testing']);
/**
 * Not inputs where they are top-level entries of the console only: `glob`'s exclude sees a bare name, and
 * excluding `server` by name also dropped `src/server/` (the BFF's code), so a change there did not rebuild. The
 * benchmark, the docs and the README are not part of the build either.
 */
const NOT_INPUT_ROOTS = new Set(['server', 'bin', 'bench', 'docs', 'README.md']);

/** Every input of the build: the console's sources (not its tests), the workspace packages it bundles, the lockfile. */
export async function consoleSourceHash(): Promise<string> {
  const hash = createHash('sha256');
  const inputs: string[] = [join(ROOT, 'package-lock.json')];
  for (const dir of [
    CONSOLE_DIR,
    join(ROOT, 'foundations', 'api'),
    // The update server's client brings @strata/host/http into the bundle (the change feed's reader).
    join(ROOT, 'foundations', 'host'),
    join(ROOT, 'foundations', 'kube'),
    join(ROOT, 'foundations', 'omaha'),
    join(ROOT, 'operators', 'update-server'),
  ]) {
    for await (const file of glob('**/*', {
      cwd: dir,
      exclude: (name) => NOT_INPUTS.has(name) || /\.test\.tsx?$/.test(name),
    })) {
      if (dir === CONSOLE_DIR && NOT_INPUT_ROOTS.has(file.split(sep)[0] ?? '')) continue;
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

export interface ConsoleBuildOptions {
  /** Told what happens: whether a build is needed, then `next build`'s own lines as they come. */
  readonly progress?: (line: string) => void;
}

/** Builds the console unless the last build was of the same inputs; answers whether it built. */
export async function ensureConsoleBuilt(options: ConsoleBuildOptions = {}): Promise<boolean> {
  const progress = options.progress ?? (() => undefined);
  const lockDir = join(homedir(), '.cache', 'strata');
  await mkdir(lockDir, { recursive: true });
  const lock = join(lockDir, 'console-build.lock');
  progress('checking whether the console build is current …');
  let waitSaid = false;
  return withLockFile(
    lock,
    async () => {
      const hash = await consoleSourceHash();
      if ((await stampedHash()) === hash) {
        progress(`the console build is current (${hash.slice(0, 12)})`);
        return false;
      }
      progress('building the console (next build): its sources changed or it was never built; this takes minutes');
      const started = performance.now();
      const result = await runCommand(process.execPath, [NEXT_CLI, 'build', CONSOLE_DIR], {
        cwd: CONSOLE_DIR,
        env: { PATH: process.env['PATH'] ?? '', HOME: homedir(), NODE_ENV: 'production', ...NEXT_ENV },
        onLine: (line) => {
          if (line.trim() !== '') progress(`next build: ${line.trimEnd()}`);
        },
      });
      if (result.code !== 0)
        throw new ConsoleBuildError(
          `next build failed (exit ${result.code}):\n${result.stdout.slice(-4000)}${result.stderr.slice(-4000)}`,
          { code: result.code, dir: CONSOLE_DIR },
        );
      await writeFileAtomic(STAMP, `${hash}\n`);
      progress(`the console is built (${((performance.now() - started) / 1000).toFixed(0)} s)`);
      return true;
    },
    {
      onWait: (holder) => {
        if (waitSaid) return;
        waitSaid = true;
        progress(`waiting for the console build of another process (pid ${holder.pid}) …`);
      },
    },
  );
}
