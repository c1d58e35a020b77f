// The node image as a cached artifact: its inputs, their hash, and ensureNodeImage, which returns a verified image
// from the cache or builds one under a lock.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultCacheRoot, parseChecksumLine, resolveBinary, sha256File } from '@strata/binaries';
import { withLockFile } from '@strata/host';
import { z } from 'zod';
import { buildNodeImageTree } from './build.ts';
import { ESP_SIZE_MIB, espFiles, MIB, planDiskLayout, USR_SLOT_SIZE_MIB } from './disk-layout.ts';
import { INPUTS_FILE, NODE_IMAGE_CACHE_RETAIN, NodeImageCache } from './cache.ts';
import { NodeImageBuildError } from './errors.ts';
import {
  DEBIAN_PACKAGES,
  DEBIAN_SUITE,
  DPKG_OPTIONS,
  IGNITION_DRACUT_MODULE_DIR,
  IMAGE_BINARIES,
  IMAGE_DIRECTORIES,
  IMAGE_FILES,
  IMAGE_SYMLINKS,
  INITRAMFS_FILES,
  installPathOf,
  ROOT_LABEL,
} from './recipe.ts';
import { ignitionDracutFiles, type IgnitionDracutFile } from './ignition-module.ts';
import { strataPrograms } from './strata-programs.ts';
import { STRATA_NODE_IMAGE_VERSION } from './version.ts';

export type Progress = (message: string) => void;
const defaultProgress: Progress = (message) => process.stderr.write(`[node-image] ${message}\n`);

/** The apt sources the image is built from: this machine's own, so the build reaches the mirror the host does. */
export const DEFAULT_APT_SOURCES = '/etc/apt/sources.list.d/debian.sources';

/** Everything that decides an image's bytes (up to the Debian mirror's state): hashed into its cache key. */
export const NodeImageInputsSchema = z.object({
  /** Raised when the layout of this record or of the build changes (2: dracut's initramfs with Ignition; 3: the
   * GPT disk; 4: the A/B /usr slots and usr.ext4; 5: disk.img.zst, the install image). */
  format: z.literal(5),
  version: z.string(),
  suite: z.string(),
  aptSources: z.string(),
  packages: z.array(z.string()),
  dpkgOptions: z.array(z.string()),
  rootLabel: z.string(),
  binaries: z.array(z.object({ name: z.string(), path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })),
  files: z.array(z.object({ path: z.string(), mode: z.number().int(), sha256: z.string() })),
  /** In the tree before the packages are configured, for the dracut run of the kernel's postinst: the image's dracut
   * configuration, Strata's module, and Ignition's module from its Go module source. */
  initramfsFiles: z.array(z.object({ path: z.string(), mode: z.number().int(), sha256: z.string() })),
  symlinks: z.array(z.object({ path: z.string(), target: z.string() })),
  directories: z.array(z.object({ path: z.string(), mode: z.number().int() })),
  /** The GPT disk (ADR 0087): the ESP's size, the partitions' names and types, and what the ESP holds (its text
   * files by SHA-256, the build's files by name). */
  disk: z.object({
    espSizeMiB: z.number().int().positive(),
    usrSlotSizeMiB: z.number().int().positive(),
    partitions: z.array(z.object({ name: z.string(), type: z.string() })),
    espFiles: z.array(z.object({ path: z.string(), content: z.string() })),
  }),
});
export type NodeImageInputs = z.infer<typeof NodeImageInputsSchema>;

/** The inputs plus where the build finds each binary on this host (paths do not change the image). */
export interface NodeImagePlan {
  readonly inputs: NodeImageInputs;
  readonly binarySources: Readonly<Record<string, string>>;
  readonly aptSourcesPath: string;
  /** Ignition's dracut module on this host (the Go module cache). */
  readonly ignitionDracutFiles: readonly IgnitionDracutFile[];
}

/** Of the inputs as their schema orders them, so that a record read back hashes as the one written. */
export function inputsHash(inputs: NodeImageInputs): string {
  return createHash('sha256')
    .update(JSON.stringify(NodeImageInputsSchema.parse(inputs)))
    .digest('hex');
}

const sha256Text = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The sum the binaries' cache recorded beside a binary (checked by the resolver just now), else the file's own. */
async function binarySum(path: string): Promise<string> {
  const recorded = parseChecksumLine(await readFile(`${path}.sha256`, 'utf8').catch(() => ''));
  return recorded ?? (await sha256File(path));
}

/** What decides the disk's bytes beyond the artifacts it is made of (the root's size follows from the rootfs). */
export function diskInputs(version: string, rootLabel: string): NodeImageInputs['disk'] {
  const layout = planDiskLayout(MIB, MIB);
  return {
    espSizeMiB: ESP_SIZE_MIB,
    usrSlotSizeMiB: USR_SLOT_SIZE_MIB,
    partitions: layout.partitions.map((partition) => ({ name: partition.name, type: partition.type })),
    espFiles: espFiles(version, rootLabel).map((file) => ({
      path: file.path,
      content: 'text' in file.content ? `sha256:${sha256Text(file.content.text)}` : `file:${file.content.from}`,
    })),
  };
}

export interface PlanOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly aptSourcesPath?: string;
}

/** Resolves the node image's binaries (building any that are missing) and records what the image is made of. */
export async function planNodeImage(options: PlanOptions = {}): Promise<NodeImagePlan> {
  const env = options.env ?? process.env;
  const aptSourcesPath = options.aptSourcesPath ?? DEFAULT_APT_SOURCES;
  const aptSources = await readFile(aptSourcesPath, 'utf8').catch((error: unknown) => {
    throw new NodeImageBuildError(
      `cannot read the apt sources ${aptSourcesPath} the image is built from: ${(error as Error).message}`,
      { aptSourcesPath },
    );
  });
  const binarySources: Record<string, string> = {};
  const binaries: NodeImageInputs['binaries'] = [];
  for (const name of IMAGE_BINARIES) {
    const source = await resolveBinary(name, { env });
    binarySources[name] = source;
    binaries.push({ name, path: installPathOf(name), sha256: await binarySum(source) });
  }
  for (const program of await strataPrograms()) {
    binarySources[program.name] = program.source;
    binaries.push({ name: program.name, path: program.path, sha256: await sha256File(program.source) });
  }
  const ignitionModule = await ignitionDracutFiles(env);
  const initramfsFiles: NodeImageInputs['initramfsFiles'] = [
    ...INITRAMFS_FILES.map((file) => ({ path: file.path, mode: file.mode, sha256: sha256Text(file.content) })),
  ];
  for (const file of ignitionModule) {
    initramfsFiles.push({
      path: `${IGNITION_DRACUT_MODULE_DIR}/${file.name}`,
      mode: file.mode,
      sha256: await sha256File(file.source),
    });
  }
  const inputs: NodeImageInputs = {
    format: 5,
    version: STRATA_NODE_IMAGE_VERSION,
    suite: DEBIAN_SUITE,
    aptSources,
    packages: [...DEBIAN_PACKAGES],
    dpkgOptions: [...DPKG_OPTIONS],
    rootLabel: ROOT_LABEL,
    binaries,
    files: IMAGE_FILES.map((file) => ({ path: file.path, mode: file.mode, sha256: sha256Text(file.content) })),
    initramfsFiles,
    symlinks: IMAGE_SYMLINKS.map((link) => ({ ...link })),
    directories: IMAGE_DIRECTORIES.map((directory) => ({ ...directory })),
    disk: diskInputs(STRATA_NODE_IMAGE_VERSION, ROOT_LABEL),
  };
  return { inputs, binarySources, aptSourcesPath, ignitionDracutFiles: ignitionModule };
}

/** Writes vmlinuz, initrd.img, rootfs.ext4, usr.ext4, disk.img and disk.img.zst into `outDir`; `workDir` is its scratch space, removed afterwards. */
export type NodeImageBuilder = (
  plan: NodeImagePlan,
  outDir: string,
  workDir: string,
  progress: Progress,
) => Promise<void>;

export interface NodeImage {
  readonly version: string;
  readonly inputsHash: string;
  readonly dir: string;
  readonly kernel: string;
  readonly initrd: string;
  /** The whole root, /usr included: what a direct kernel boot (the lab's network boots) runs on. */
  readonly rootfs: string;
  /**
   * The /usr file system alone (ext4, read-only once mounted), with the kernel and initramfs it was built with: what
   * the disk's USR-A slot holds, and the payload an A/B update writes to the other slot (ADR 0090).
   */
  readonly usr: string;
  /** The GPT disk (sparse) that boots under UEFI through systemd-boot on its own ESP (ADR 0087). */
  readonly disk: string;
  /**
   * The disk compressed with zstd: what an install boot streams onto a machine's disk (ADR 0092), its holes only a few
   * bytes each.
   */
  readonly installImage: string;
  readonly rootLabel: string;
  readonly source: 'cache' | 'build';
}

export interface EnsureOptions {
  readonly cacheRoot?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly progress?: Progress;
  /** Defaults to planNodeImage(). */
  readonly plan?: NodeImagePlan;
  /** Defaults to the mmdebstrap build; tests pass a small one. */
  readonly build?: NodeImageBuilder;
}

/**
 * The node image for this version and these inputs: from the cache when its sums match, else built (once: concurrent
 * callers wait on a lock and then take the result). A cached image whose sums do not match is removed and rebuilt.
 */
export async function ensureNodeImage(options: EnsureOptions = {}): Promise<NodeImage> {
  const env = options.env ?? process.env;
  const progress = options.progress ?? defaultProgress;
  const plan = options.plan ?? (await planNodeImage({ env }));
  const build = options.build ?? buildNodeImageTree;
  const cache = new NodeImageCache(options.cacheRoot ?? defaultCacheRoot(env));
  const { version } = plan.inputs;
  const hash = inputsHash(plan.inputs);
  const image = (dir: string, source: NodeImage['source']): NodeImage => ({
    version,
    inputsHash: hash,
    dir,
    kernel: join(dir, 'vmlinuz'),
    initrd: join(dir, 'initrd.img'),
    rootfs: join(dir, 'rootfs.ext4'),
    usr: join(dir, 'usr.ext4'),
    disk: join(dir, 'disk.img'),
    installImage: join(dir, 'disk.img.zst'),
    rootLabel: plan.inputs.rootLabel,
    source,
  });
  const look = async (): Promise<string | undefined> => {
    const found = await cache.lookup(version, hash);
    if (found.state === 'valid') {
      // The entry's name holds 16 hex digits of the hash; the inputs recorded beside it must give all 64.
      const recorded = await recordedInputsHash(join(found.dir, INPUTS_FILE));
      if (recorded === hash) return found.dir;
      progress(
        `cached image ${found.dir} was built from other inputs (${recorded ?? 'unreadable'}); it will be rebuilt`,
      );
      await cache.remove(version, hash);
      return undefined;
    }
    if (found.state === 'corrupt') {
      progress(`cached image ${cache.entryDir(version, hash)} is unusable (${found.reason}); it will be rebuilt`);
      await cache.remove(version, hash);
    }
    return undefined;
  };
  const cached = await look();
  if (cached !== undefined) return image(cached, 'cache');
  await mkdir(cache.root, { recursive: true });
  const lockPath = join(cache.root, `.lock-${version}-${hash.slice(0, 16)}`);
  return withLockFile(
    lockPath,
    async () => {
      // Another process may have built it while we waited.
      const again = await look();
      if (again !== undefined) return image(again, 'cache');
      const prefix = `.build-${version}-${hash.slice(0, 16)}-`;
      // We hold the lock: any other build directory of this entry is a leftover of an interrupted build.
      for (const entry of await readdir(cache.root)) {
        if (entry.startsWith(prefix)) await removeBuildDir(join(cache.root, entry));
      }
      const buildDir = join(cache.root, `${prefix}${process.pid}`);
      const outDir = join(buildDir, 'out');
      const workDir = join(buildDir, 'work');
      await mkdir(outDir, { recursive: true });
      await mkdir(workDir, { recursive: true });
      const started = performance.now();
      try {
        progress(`building node image ${version} (inputs ${hash.slice(0, 16)}) in ${buildDir}`);
        await build(plan, outDir, workDir, progress);
        const dir = await cache.install(outDir, version, hash, `${JSON.stringify(plan.inputs, null, 2)}\n`);
        progress(`built node image ${version} in ${((performance.now() - started) / 1000).toFixed(0)} s: ${dir}`);
        for (const removed of await cache.prune(dir))
          progress(`removed the older cached node image ${removed} (the cache keeps ${NODE_IMAGE_CACHE_RETAIN})`);
        return image(dir, 'build');
      } finally {
        await removeBuildDir(buildDir);
      }
    },
    {
      onWait: (holder) =>
        progress(`waiting for process ${holder.pid} that is building node image ${version} (since ${holder.since})`),
    },
  );
}

/**
 * mmdebstrap mounts /proc, /sys and device nodes into the tree while it works and unmounts them when it ends, even on
 * SIGTERM. Should one stay (a SIGKILL), a recursive removal would reach through it into the host's: refuse instead.
 */
async function removeBuildDir(dir: string): Promise<void> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const mounted = mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined && (point === dir || point.startsWith(`${dir}/`)));
  if (mounted.length > 0) {
    throw new NodeImageBuildError(
      `${dir} still has file systems mounted in it (${mounted.join(', ')}); unmount them (umount -R ${dir}) and remove it`,
      { dir, mounted },
    );
  }
  await rm(dir, { recursive: true, force: true });
}

/** The hash of the inputs an entry records, read through their schema; undefined if they are missing or malformed. */
async function recordedInputsHash(path: string): Promise<string | undefined> {
  try {
    return inputsHash(NodeImageInputsSchema.parse(JSON.parse(await readFile(path, 'utf8'))));
  } catch {
    return undefined;
  }
}
