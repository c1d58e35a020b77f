import { homedir } from 'node:os';
import { join } from 'node:path';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { formatChecksumLine, parseChecksumLine, sha256File } from './checksum.ts';
import type { BinaryName } from './components.ts';

/** How a cached binary came to be, recorded beside it. */
export interface Provenance {
  readonly component: BinaryName;
  readonly version: string;
  readonly source: 'go-build' | 'download';
  readonly detail: string;
  readonly createdAt: string;
}

export type CacheLookup =
  | { readonly state: 'valid'; readonly path: string }
  | { readonly state: 'missing' }
  | { readonly state: 'corrupt'; readonly reason: string };

export function defaultCacheRoot(env: NodeJS.ProcessEnv): string {
  if (env['STRATA_CACHE_DIR']) return env['STRATA_CACHE_DIR'];
  const xdg = env['XDG_CACHE_HOME'];
  return join(xdg && xdg.length > 0 ? xdg : join(homedir(), '.cache'), 'strata');
}

/**
 * The binary cache outside the clone: `<root>/bin/<component>-<version>/`
 * holds the binary, its SHA-256 in sha256sum format, and its provenance.
 */
export class BinaryCache {
  readonly binRoot: string;

  constructor(root: string) {
    this.binRoot = join(root, 'bin');
  }

  entryDir(component: BinaryName, version: string): string {
    return join(this.binRoot, `${component}-${version}`);
  }

  binaryPath(component: BinaryName, version: string): string {
    return join(this.entryDir(component, version), component);
  }

  /** Re-hashes the binary every time: a checksum that is not checked protects nothing. */
  async lookup(component: BinaryName, version: string): Promise<CacheLookup> {
    const dir = this.entryDir(component, version);
    const binary = join(dir, component);
    try {
      await stat(binary);
    } catch {
      return { state: 'missing' };
    }
    let recorded: string | undefined;
    try {
      recorded = parseChecksumLine(await readFile(join(dir, `${component}.sha256`), 'utf8'));
    } catch {
      recorded = undefined;
    }
    if (recorded === undefined) return { state: 'corrupt', reason: 'no checksum was recorded' };
    const actual = await sha256File(binary);
    if (actual !== recorded) {
      return { state: 'corrupt', reason: `checksum mismatch: recorded ${recorded}, found ${actual}` };
    }
    return { state: 'valid', path: binary };
  }

  async remove(component: BinaryName, version: string): Promise<void> {
    await rm(this.entryDir(component, version), { recursive: true, force: true });
  }

  /**
   * Moves a finished binary into the cache. The entry appears whole or not at
   * all: it is assembled in a temporary directory and renamed into place.
   */
  async install(builtBinary: string, provenance: Provenance): Promise<string> {
    const { component, version } = provenance;
    const finalDir = this.entryDir(component, version);
    const assembling = `${finalDir}.partial-${process.pid}`;
    await rm(assembling, { recursive: true, force: true });
    await mkdir(assembling, { recursive: true });
    const binary = join(assembling, component);
    await rename(builtBinary, binary);
    await chmod(binary, 0o755);
    await writeFile(join(assembling, `${component}.sha256`), formatChecksumLine(await sha256File(binary), component));
    await writeFile(join(assembling, 'provenance.json'), JSON.stringify(provenance, null, 2) + '\n');
    await rm(finalDir, { recursive: true, force: true });
    await rename(assembling, finalDir);
    return join(finalDir, component);
  }
}
