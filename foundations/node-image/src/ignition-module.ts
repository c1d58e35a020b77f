// Ignition's dracut module (dracut/30ignition) comes from Ignition's Go module source, the same module and version
// the pinned `ignition` binary is built from (ADR 0081): Go's module cache holds it once the binary has been built,
// and `go mod download` finds it there (or fetches it through the module proxy) and says where.
import { readdir, stat } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { IGNITION_VERSION } from '@strata/binaries';
import { runCommand, type CommandResult } from '@strata/host';
import { z } from 'zod';
import { NodeImageBuildError } from './errors.ts';
import { IGNITION_DRACUT_EXECUTABLES } from './recipe.ts';

export const IGNITION_GO_MODULE = 'github.com/coreos/ignition/v2';

/** One file of Ignition's dracut module: its name in the module directory, where it is on this host, its mode. */
export interface IgnitionDracutFile {
  readonly name: string;
  readonly source: string;
  readonly mode: number;
}

const ModuleDownloadSchema = z.object({ Path: z.string(), Version: z.string(), Dir: z.string().min(1) });

/** The files of dracut/30ignition of Ignition `version`'s module source, sorted by name. */
export async function ignitionDracutFiles(
  env: NodeJS.ProcessEnv,
  version: string = IGNITION_VERSION,
): Promise<IgnitionDracutFile[]> {
  const dir = join(await moduleSourceDir(env, version), 'dracut', '30ignition');
  const names = (await readdir(dir).catch(() => [])).sort();
  if (!names.includes('module-setup.sh')) {
    throw new NodeImageBuildError(`${dir} holds no dracut module (no module-setup.sh): ${names.join(', ')}`, { dir });
  }
  const files: IgnitionDracutFile[] = [];
  for (const name of names) {
    const source = join(dir, name);
    if (!(await stat(source)).isFile()) {
      throw new NodeImageBuildError(`${source} is not a file: the module is expected to be flat`, { source });
    }
    // The module cache makes every file read-only; in the image, what dracut runs or installs as a program is
    // executable (dracut copies a file's mode into the initramfs).
    files.push({ name, source, mode: IGNITION_DRACUT_EXECUTABLES.includes(name) ? 0o755 : 0o644 });
  }
  return files;
}

/**
 * Where Ignition's module source is: as `go mod download -json` says, or, with no Go on PATH (a machine that only
 * uses the cached image, whose binaries come from their own cache), where Go's module cache keeps it by default.
 * The module's path has no capital letters, which the cache's directory names would escape.
 */
async function moduleSourceDir(env: NodeJS.ProcessEnv, version: string): Promise<string> {
  const module = `${IGNITION_GO_MODULE}@${version}`;
  // GOTOOLCHAIN=local as the binaries' builds: never fetch a toolchain. Run outside any module (the temporary
  // directory), so that no go.mod or go.sum is read or touched; GOFLAGS is replaced, as the caller's are about a go.mod.
  let result: CommandResult;
  try {
    result = await runCommand('go', ['mod', 'download', '-json', module], {
      cwd: tmpdir(),
      env: { ...env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new NodeImageBuildError(`cannot run \`go mod download ${module}\`: ${(error as Error).message}`, {
        module,
      });
    }
    const gopath = env['GOPATH']?.split(delimiter)[0] || join(env['HOME'] ?? homedir(), 'go');
    const dir = join(env['GOMODCACHE'] || join(gopath, 'pkg', 'mod'), module);
    if (
      await stat(dir).then(
        (found) => found.isDirectory(),
        () => false,
      )
    )
      return dir;
    throw new NodeImageBuildError(
      `Go is not on PATH and Go's module cache has no ${dir}: Ignition's dracut module comes from its Go module ` +
        'source; install Go (as the node image binaries build needs) or fill the module cache',
      { module, dir },
    );
  }
  if (result.code !== 0) {
    throw new NodeImageBuildError(
      `\`go mod download -json ${module}\` failed (exit ${String(result.code)}): ${result.stdout}${result.stderr}`,
      { module, code: result.code },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(result.stdout);
  } catch {
    json = undefined;
  }
  const parsed = ModuleDownloadSchema.safeParse(json);
  if (!parsed.success || parsed.data.Path !== IGNITION_GO_MODULE || parsed.data.Version !== version) {
    throw new NodeImageBuildError(`\`go mod download -json ${module}\` said something else: ${result.stdout}`, {
      module,
    });
  }
  return parsed.data.Dir;
}
