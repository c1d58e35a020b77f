import { homedir } from 'node:os';
import { join } from 'node:path';
import type { BigIntStats } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { formatChecksumLine, parseChecksumLine, sha256File } from './checksum.ts';
import type { CachedBinaryName } from './components.ts';

/** How a cached binary came to be, recorded beside it. */
export interface Provenance {
  readonly component: CachedBinaryName;
  readonly version: string;
  readonly source: 'go-build' | 'download' | 'c-build';
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

  entryDir(component: CachedBinaryName, version: string): string {
    return join(this.binRoot, `${component}-${version}`);
  }

  binaryPath(component: CachedBinaryName, version: string): string {
    return join(this.entryDir(component, version), component);
  }

  /**
   * Hashes the binary unless this very file was hashed before: a verification stamp beside it records the file's
   * identity (device, inode, size, modification and change times, in nanoseconds) and the checksum it matched.
   * Any write, chmod, rename or replacement moves the change time, which user space cannot set back, so a stamp
   * that still matches means the bytes are the ones hashed. Saves hashing ~700 MB at every CLI start.
   */
  async lookup(component: CachedBinaryName, version: string): Promise<CacheLookup> {
    const dir = this.entryDir(component, version);
    const binary = join(dir, component);
    let recorded: string | undefined;
    try {
      recorded = parseChecksumLine(await readFile(join(dir, `${component}.sha256`), 'utf8'));
    } catch {
      recorded = undefined;
    }
    const verdict = await checkFileSum(binary, recorded, join(dir, `${component}.verified`));
    return verdict.state === 'valid' ? { state: 'valid', path: binary } : verdict;
  }

  async remove(component: CachedBinaryName, version: string): Promise<void> {
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

/**
 * Whether `path` still has the SHA-256 `recorded`, hashing it unless this very file was hashed before: a verification
 * stamp at `stampPath` records the file's identity (device, inode, size, modification and change times, in
 * nanoseconds) and the checksum it matched. Any write, chmod, rename or replacement moves the change time, which user
 * space cannot set back, so a stamp that still matches means the bytes are the ones hashed (ADR 0041). Shared by the
 * binaries' cache and the node image's.
 */
export async function checkFileSum(
  path: string,
  recorded: string | undefined,
  stampPath: string,
): Promise<
  { readonly state: 'valid' } | { readonly state: 'missing' } | { readonly state: 'corrupt'; readonly reason: string }
> {
  let before: FileIdentity;
  try {
    before = identityOf(await stat(path, { bigint: true }));
  } catch {
    return { state: 'missing' };
  }
  if (recorded === undefined) return { state: 'corrupt', reason: 'no checksum was recorded' };
  const stamp = parseStamp(await readFile(stampPath, 'utf8').catch(() => ''));
  if (stamp !== undefined && stamp.sha256 === recorded && sameIdentity(stamp.identity, before)) {
    return { state: 'valid' };
  }
  const actual = await sha256File(path);
  if (actual !== recorded) {
    return { state: 'corrupt', reason: `checksum mismatch: recorded ${recorded}, found ${actual}` };
  }
  // Stamped only if nothing touched the file while it was hashed.
  const after = identityOf(await stat(path, { bigint: true }));
  if (sameIdentity(before, after)) await writeStamp(stampPath, { identity: after, sha256: actual });
  return { state: 'valid' };
}

const decimal = z.string().regex(/^\d+$/);
/** What the file system says of one file's bytes and place; decimal strings, as JSON has no 64-bit integers. */
const FileIdentitySchema = z.object({ dev: decimal, ino: decimal, size: decimal, mtimeNs: decimal, ctimeNs: decimal });
type FileIdentity = z.infer<typeof FileIdentitySchema>;
const VerificationStampSchema = z.object({ identity: FileIdentitySchema, sha256: z.string() });
type VerificationStamp = z.infer<typeof VerificationStampSchema>;

function identityOf(stats: BigIntStats): FileIdentity {
  return {
    dev: stats.dev.toString(),
    ino: stats.ino.toString(),
    size: stats.size.toString(),
    mtimeNs: stats.mtimeNs.toString(),
    ctimeNs: stats.ctimeNs.toString(),
  };
}

function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

/** A stamp read back; anything malformed counts as no stamp, and the binary is hashed. */
function parseStamp(text: string): VerificationStamp | undefined {
  try {
    return VerificationStampSchema.parse(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** Written whole (temporary name, then rename), so a reader never sees half a stamp. */
async function writeStamp(path: string, stamp: VerificationStamp): Promise<void> {
  const partial = `${path}.partial-${process.pid}`;
  try {
    await writeFile(partial, `${JSON.stringify(stamp)}\n`);
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    // A cache this process may read but not write still works: each lookup then hashes, as it would anyway.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM') throw error;
  }
}
