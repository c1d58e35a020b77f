// Builds the test initramfs: a static busybox, the virtio network modules of
// the host's kernel, and /init (see guest-init.ts), packed by Debian's cpio in
// the kernel's "newc" format and gzipped. The result is cached outside the
// clone under a hash of everything that goes in, so reruns cost nothing.
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip, zstdDecompress } from 'node:zlib';
import { defaultCacheRoot } from '@strata/binaries';
import { pipeThrough, writeFileAtomic } from '@strata/host';
import { packNewcArchive } from '@strata/lab';
import { InitrdBuildError } from './errors.ts';
import { initScript, udhcpcScript, UDHCPC_SCRIPT_PATH } from './guest-init.ts';
import type { PxeHostTools } from './host-tools.ts';
import {
  GUEST_NETWORK_MODULES,
  loadOrder,
  parseModulesBuiltin,
  parseModulesDep,
  type ModuleEntry,
} from './kernel-modules.ts';

/** Bump when the layout changes in a way the hashed inputs do not show. */
const FORMAT = 'strata-pxe-initrd/1';

export interface BuiltInitrd {
  readonly path: string;
  /** Whether this call built it (false: it came from the cache). */
  readonly built: boolean;
  readonly modules: readonly string[];
}

interface InitrdFile {
  /** Path inside the initramfs, without the leading slash. */
  readonly path: string;
  readonly content: Buffer;
  readonly mode: number;
}

export async function buildInitrd(
  tools: PxeHostTools,
  cacheDir: string = join(defaultCacheRoot(process.env), 'e2e'),
): Promise<BuiltInitrd> {
  const modules = await guestModules(tools.kernel.modulesDir);
  const moduleFiles = await Promise.all(
    modules.map(async (entry): Promise<InitrdFile> => ({
      path: `lib/modules/${entry.name}.ko`,
      content: await readModule(join(tools.kernel.modulesDir, entry.path)),
      mode: 0o644,
    })),
  );
  const files: InitrdFile[] = [
    { path: 'init', content: Buffer.from(initScript(moduleFiles.map((file) => `/${file.path}`))), mode: 0o755 },
    { path: UDHCPC_SCRIPT_PATH.slice(1), content: Buffer.from(udhcpcScript()), mode: 0o755 },
    { path: 'bin/busybox', content: await readFile(tools.busybox), mode: 0o755 },
    ...moduleFiles,
  ];

  const path = join(cacheDir, `initrd-${fingerprint(files)}.img`);
  const names = modules.map((entry) => entry.name);
  if (await exists(path)) return { path, built: false, modules: names };

  await mkdir(cacheDir, { recursive: true });
  const staging = await mkdtemp(join(tmpdir(), 'strata-initrd-'));
  try {
    await chmod(staging, 0o755);
    for (const file of files) {
      await writeFileAtomic(join(staging, file.path), file.content, file.mode);
    }
    const archive = await packNewcArchive(tools.cpio, staging);
    const partial = `${path}.${process.pid}.partial`;
    await writeFile(partial, await promisify(gzip)(archive, { level: 9 }));
    await rename(partial, path);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { path, built: true, modules: names };
}

async function guestModules(modulesDir: string): Promise<ModuleEntry[]> {
  const dep = parseModulesDep(await readFile(join(modulesDir, 'modules.dep'), 'utf8'));
  const builtinText = await readFile(join(modulesDir, 'modules.builtin'), 'utf8').catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  });
  return loadOrder(dep, GUEST_NETWORK_MODULES, parseModulesBuiltin(builtinText));
}

/** busybox's insmod takes plain ELF objects; distributions may compress them. */
async function readModule(path: string): Promise<Buffer> {
  const raw = await readFile(path);
  if (path.endsWith('.ko')) return raw;
  if (path.endsWith('.ko.gz')) return promisify(gunzip)(raw);
  if (path.endsWith('.ko.zst')) return promisify(zstdDecompress)(raw);
  if (path.endsWith('.ko.xz')) return pipeThrough('xz', ['--decompress', '--stdout'], raw);
  throw new InitrdBuildError(`kernel module ${path} has a compression this builder does not know`, { path });
}

function fingerprint(files: readonly InitrdFile[]): string {
  const hash = createHash('sha256').update(FORMAT);
  for (const file of files) {
    hash.update(`\0${file.path}\0${file.mode.toString(8)}\0${file.content.length}\0`).update(file.content);
  }
  return hash.digest('hex').slice(0, 24);
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
