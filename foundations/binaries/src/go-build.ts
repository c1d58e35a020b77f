import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { GoBuildError } from './errors.ts';
import { runCommand } from '@strata/host';
import type { ComponentSpec, EmptiedPackage, MainModuleSpec, ReleaseSpec } from './components.ts';

export type Progress = (message: string) => void;

interface GoVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly text: string;
}

function parseGoVersion(text: string): GoVersion | undefined {
  const match = /go(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0), text: match[0] };
}

function atLeast(found: GoVersion, required: GoVersion): boolean {
  if (found.major !== required.major) return found.major > required.major;
  if (found.minor !== required.minor) return found.minor > required.minor;
  return found.patch >= required.patch;
}

/**
 * Finds a Go toolchain new enough for the wrapper module. Returns a reason
 * instead of throwing, because a missing Go is one of several fall-backs.
 */
export async function findGo(
  release: ReleaseSpec,
  env: NodeJS.ProcessEnv,
): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  const goLine =
    release.mainModule?.go ??
    /^go (\S+)$/m.exec(await readFile(join(release.wrapperModuleDir, 'go.mod'), 'utf8'))?.[1] ??
    '1.0';
  const required = parseGoVersion(`go${goLine}`);
  let found: GoVersion | undefined;
  try {
    const result = await runCommand('go', ['env', 'GOVERSION'], { env });
    found = parseGoVersion(result.stdout);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === 'ENOENT' ? '`go` was not found on PATH' : `\`go\` failed to start (${code})` };
  }
  if (!found) return { ok: false, reason: '`go env GOVERSION` printed no version' };
  if (required && !atLeast(found, required)) {
    return {
      ok: false,
      reason: `found ${found.text}, but ${release.name} ${release.version} needs ${required.text} or newer`,
    };
  }
  return { ok: true, version: found.text };
}

const PROGRESS_INTERVAL_MS = 15_000;

const downloadedModuleSchema = z.object({ Dir: z.string().min(1), Sum: z.string().min(1) });

/**
 * A writable copy of a main-module release's module directory, fetched (or found in Go's module cache) at the pinned
 * version and checked against the pinned checksum. A copy, because the module cache is read-only and must stay as Go
 * verified it.
 */
async function mainModuleCopy(module: MainModuleSpec, version: string, env: NodeJS.ProcessEnv): Promise<string> {
  const scratch = await mkdtemp(join(tmpdir(), 'strata-go-main-module-'));
  // Outside any module, so that no go.mod around the clone decides what is fetched.
  const result = await runCommand('go', ['mod', 'download', '-json', `${module.path}@${version}`], {
    cwd: scratch,
    env: { ...env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' },
  });
  const context = { module: module.path, version };
  if (result.code !== 0) {
    await rm(scratch, { recursive: true, force: true });
    throw new GoBuildError(
      `go mod download ${module.path}@${version} failed: ${result.stdout}${result.stderr}`,
      context,
    );
  }
  const downloaded = downloadedModuleSchema.safeParse(JSON.parse(result.stdout));
  if (!downloaded.success || downloaded.data.Sum !== module.sum) {
    await rm(scratch, { recursive: true, force: true });
    throw new GoBuildError(
      `go mod download ${module.path}@${version} reported ${downloaded.success ? downloaded.data.Sum : 'no checksum'}, not the pinned ${module.sum}`,
      context,
    );
  }
  const copy = join(scratch, 'module');
  try {
    await cp(downloaded.data.Dir, copy, { recursive: true });
    await makeWritable(copy);
    for (const emptied of module.emptiedPackages ?? []) await emptyPackage(copy, emptied);
  } catch (error) {
    await rm(scratch, { recursive: true, force: true });
    throw error;
  }
  return copy;
}

/**
 * Replaces the Go files of a package in a module copy with one file that declares the same package and nothing else,
 * which says why: a blank import of it still compiles, and nothing it imported is fetched or compiled.
 */
export async function emptyPackage(moduleDir: string, emptied: EmptiedPackage): Promise<void> {
  const dir = join(moduleDir, emptied.dir);
  const context = { dir: emptied.dir, moduleDir };
  const goFiles = (
    await readdir(dir).catch((error: unknown) => {
      throw new GoBuildError(`cannot empty ${emptied.dir}: ${String(error)}`, context);
    })
  )
    .filter((name) => name.endsWith('.go'))
    .sort();
  let name: string | undefined;
  for (const file of goFiles.filter((file) => !file.endsWith('_test.go'))) {
    name = /^package (\w+)/m.exec(await readFile(join(dir, file), 'utf8'))?.[1];
    if (name !== undefined) break;
  }
  if (name === undefined) throw new GoBuildError(`${emptied.dir} has no Go package to empty`, context);
  for (const file of goFiles) await rm(join(dir, file));
  await writeFile(
    join(dir, 'emptied.go'),
    `// Emptied by Strata's build (foundations/binaries): ${emptied.why}.\npackage ${name}\n`,
  );
}

/** The module cache's files are read-only; the copy's must be removable. */
async function makeWritable(dir: string): Promise<void> {
  const result = await runCommand('chmod', ['-R', 'u+w', dir]);
  if (result.code !== 0) throw new GoBuildError(`chmod -R u+w ${dir} failed: ${result.stderr}`, { dir });
}

/**
 * `go build`'s arguments for one component: stripped, without local paths, stamped with the release's version, with
 * the build tags of its own release build. A cgo release is linked as a static PIE by the external linker, as runc's
 * release build does.
 */
export function goBuildArgs(release: ReleaseSpec, component: ComponentSpec, outputPath: string): string[] {
  const cgo = release.cgo;
  const tags = cgo?.tags ?? release.tags ?? [];
  const link = cgo === undefined ? [] : ['-linkmode', 'external', '-extldflags', '-static-pie'];
  const ldflags = ['-s', '-w', ...link, ...release.versionLdflags].join(' ');
  return [
    'build',
    '-v',
    '-trimpath',
    ...(cgo === undefined ? [] : ['-buildmode=pie']),
    ...(tags.length === 0 ? [] : ['-tags', tags.join(',')]),
    '-ldflags',
    ldflags,
    '-o',
    outputPath,
    component.goPackage,
  ];
}

/**
 * The environment of a release's `go build`: CGO_ENABLED=0, as the Kubernetes release builds its server components,
 * unless the release needs cgo (runc, for libseccomp); always the local toolchain and the pinned go.sum only.
 */
export function goBuildEnvironment(release: ReleaseSpec, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...env,
    CGO_ENABLED: release.cgo === undefined ? '0' : '1',
    // Never let `go` fetch another toolchain: there may be no network.
    GOTOOLCHAIN: 'local',
    GOFLAGS: [env['GOFLAGS'] ?? '', '-mod=readonly'].join(' ').trim(),
  };
}

/**
 * Builds one component from the wrapper module into `outputPath`. Go's own
 * build cache makes an interrupted build resume where it stopped.
 */
export async function goBuild(
  release: ReleaseSpec,
  component: ComponentSpec,
  outputPath: string,
  env: NodeJS.ProcessEnv,
  progress: Progress,
): Promise<void> {
  const args = goBuildArgs(release, component, outputPath);
  const started = Date.now();
  let compiled = 0;
  const tail: string[] = [];
  const buildEnv = goBuildEnvironment(release, env);
  progress(`building ${component.name} ${release.version} from Go modules (${component.goPackage})`);
  const mainModule =
    release.mainModule === undefined ? undefined : await mainModuleCopy(release.mainModule, release.version, env);
  for (const emptied of release.mainModule?.emptiedPackages ?? []) {
    progress(`  ${component.name}: ${emptied.dir} emptied: ${emptied.why}`);
  }
  const cwd = mainModule ?? release.wrapperModuleDir;
  const timer = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    progress(`  ${component.name}: ${compiled} packages compiled, ${seconds}s elapsed`);
  }, PROGRESS_INTERVAL_MS);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn('go', args, {
        cwd,
        env: buildEnv,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let pending = '';
      child.stderr.on('data', (chunk: Buffer) => {
        pending += chunk.toString();
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          // `go build -v` names each package as it compiles it.
          if (/^[\w.-]+(\/[\w.~-]+)*$/.test(line)) compiled += 1;
          tail.push(line);
          if (tail.length > 40) tail.shift();
        }
      });
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) {
      // A cgo build's usual failure is a missing compiler, header or static library: say which packages provide them.
      const hint =
        release.cgo === undefined
          ? ''
          : `\n${release.name} is built with cgo and linked static: it needs the Debian packages ${release.cgo.debianPackages.join(', ')} (apt-get install ${release.cgo.debianPackages.join(' ')})`;
      throw new GoBuildError(
        `go build of ${component.name} ${release.version} failed (exit ${code}):\n${tail.join('\n')}${hint}`,
        { component: component.name, version: release.version, exitCode: code, cwd },
      );
    }
  } finally {
    clearInterval(timer);
    if (mainModule !== undefined) await rm(join(mainModule, '..'), { recursive: true, force: true });
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  progress(`built ${component.name} ${release.version} in ${seconds}s (${compiled} packages compiled)`);
}
