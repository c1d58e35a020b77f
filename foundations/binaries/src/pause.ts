// Kubernetes' pause, the process that holds a pod sandbox's namespaces, built from the pause.c of the pinned
// Kubernetes release (its module is already pinned, with its checksum, by the kubernetes wrapper's go.sum) with
// Debian's gcc, static, as build/pause/Makefile builds it; cached and checksummed beside the Go binaries.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { runCommand, withLockFile } from '@strata/host';
import { BinaryCache, defaultCacheRoot } from './cache.ts';
import { KUBERNETES_VERSION, RELEASES } from './components.ts';
import { BinaryResolutionError } from './errors.ts';
import type { Progress } from './go-build.ts';
import type { ImageSpec } from './oci/image.ts';

/** The pause release of the pinned Kubernetes: build/pause/Makefile's TAG (checked at build time). */
export const PAUSE_VERSION = '3.10.2';

/** pause.c could not be found or compiled. `context`: the command and its output. */
export class PauseBuildError extends BinaryResolutionError {}

export interface PauseOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cacheRoot?: string;
  readonly progress?: Progress;
}

const downloadedSchema = z.object({ Dir: z.string().min(1) });

/**
 * build/pause of the pinned k8s.io/kubernetes module. `go mod download` inside the kubernetes wrapper checks the
 * module against the wrapper's go.sum, so the C source is as pinned as the Go binaries.
 */
async function pauseSourceDir(env: NodeJS.ProcessEnv): Promise<string> {
  const args = ['mod', 'download', '-json', `k8s.io/kubernetes@${KUBERNETES_VERSION}`];
  const cwd = RELEASES.kubernetes.wrapperModuleDir;
  const result = await runCommand('go', args, { cwd, env: { ...env, GOTOOLCHAIN: 'local' } }).catch(
    (error: unknown) => {
      throw new PauseBuildError(
        `go ${args.join(' ')} could not run (${String(error)}); pause.c comes from Go's module cache`,
        {
          args,
          cwd,
        },
      );
    },
  );
  if (result.code !== 0) {
    throw new PauseBuildError(`go ${args.join(' ')} failed in ${cwd}: ${result.stdout}${result.stderr}`, {
      args,
      cwd,
      code: result.code,
    });
  }
  return join(downloadedSchema.parse(JSON.parse(result.stdout)).Dir, 'build', 'pause');
}

/**
 * The flags of build/pause/Makefile (`-Os -Wall -Werror -static`), with the version Kubernetes stamps (`v<tag>-<git
 * describe>`): here the tag and the Kubernetes release it comes from.
 */
export function pauseCompilerArgs(source: string, output: string): string[] {
  return [
    '-Os',
    '-Wall',
    '-Werror',
    '-static',
    `-DVERSION=v${PAUSE_VERSION}-${KUBERNETES_VERSION}`,
    '-o',
    output,
    source,
  ];
}

async function buildPause(env: NodeJS.ProcessEnv, output: string, progress: Progress): Promise<void> {
  const dir = await pauseSourceDir(env);
  const makefile = await readFile(join(dir, 'Makefile'), 'utf8');
  const tag = /^TAG \?= (\S+)$/m.exec(makefile)?.[1];
  if (tag !== PAUSE_VERSION) {
    throw new PauseBuildError(
      `Kubernetes ${KUBERNETES_VERSION}'s build/pause/Makefile has TAG ${String(tag)}, not PAUSE_VERSION ${PAUSE_VERSION}: update PAUSE_VERSION`,
      { tag, expected: PAUSE_VERSION },
    );
  }
  const args = pauseCompilerArgs(join(dir, 'linux', 'pause.c'), output);
  const started = Date.now();
  progress(`building pause ${PAUSE_VERSION} from Kubernetes ${KUBERNETES_VERSION}'s build/pause/linux/pause.c`);
  const result = await runCommand('gcc', args, { env }).catch((error: unknown) => {
    throw new PauseBuildError(`gcc could not run (${String(error)}): apt-get install gcc libc6-dev`, { args });
  });
  if (result.code !== 0) {
    throw new PauseBuildError(
      `gcc ${args.join(' ')} failed (exit ${String(result.code)}): ${result.stderr.trim()}\n` +
        "a static build needs Debian's gcc and libc6-dev (apt-get install gcc libc6-dev)",
      { args, code: result.code, stderr: result.stderr },
    );
  }
  progress(`built pause ${PAUSE_VERSION} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

/** The pause binary: from the cache (its SHA-256 checked), else compiled and cached. Returns its path. */
export async function resolvePause(options: PauseOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const progress = options.progress ?? ((message: string) => process.stderr.write(`[binaries] ${message}\n`));
  const cache = new BinaryCache(options.cacheRoot ?? defaultCacheRoot(env));
  const lookup = async (): Promise<string | undefined> => {
    const found = await cache.lookup('pause', PAUSE_VERSION);
    if (found.state === 'valid') return found.path;
    if (found.state === 'corrupt') {
      progress(`cached pause ${PAUSE_VERSION} is unusable (${found.reason}); it will be rebuilt`);
      await cache.remove('pause', PAUSE_VERSION);
    }
    return undefined;
  };
  const cached = await lookup();
  if (cached !== undefined) return cached;
  await mkdir(cache.binRoot, { recursive: true });
  return withLockFile(join(cache.binRoot, `.lock-pause-${PAUSE_VERSION}`), async () => {
    // Another process may have built it while this one waited.
    const built = await lookup();
    if (built !== undefined) return built;
    const scratch = await mkdtemp(join(tmpdir(), 'strata-pause-'));
    try {
      const output = join(scratch, 'pause');
      await buildPause(env, output, progress);
      return await cache.install(output, {
        component: 'pause',
        version: PAUSE_VERSION,
        source: 'c-build',
        detail: `gcc ${pauseCompilerArgs('pause.c', 'pause').join(' ')} from k8s.io/kubernetes@${KUBERNETES_VERSION} build/pause/linux/pause.c`,
        createdAt: new Date().toISOString(),
      });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
}

/** Where the pause image lives in a registry: `<registry>/strata/pause:3.10.2`. */
export const PAUSE_IMAGE_REPOSITORY = 'strata/pause';

/** The pause image as Kubernetes' Dockerfile makes it: the binary alone at /pause, run as 65535:65535. */
export function pauseImageSpec(pauseBinary: string): ImageSpec {
  return {
    files: [{ path: 'pause', hostFile: pauseBinary, mode: 0o755 }],
    entrypoint: ['/pause'],
    user: '65535:65535',
  };
}
