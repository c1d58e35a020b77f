// The build itself: mmdebstrap makes a Debian root with systemd as init and the kernel, whose package's postinst runs
// dracut with the image's configuration and modules (staged into the tree before the packages are configured), the
// pinned binaries and the image's files are added, and mkfs.ext4 packs the tree into a file system image without
// mounting anything. The kernel and the initramfs are copied out for a direct kernel boot, and all of it is assembled
// into a GPT disk that boots through systemd-boot under UEFI (disk.ts, ADR 0087).
import {
  access,
  chmod,
  copyFile,
  link,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runCommand, writeFileAtomic } from '@strata/host';
import { SYSTEMD_BOOT_EFI_IN_TREE, USR_BOOT_DIR } from './disk-layout.ts';
import { buildDiskImage } from './disk.ts';
import { NodeImageBuildError } from './errors.ts';
import { findHostTool } from './host-tools.ts';
import type { NodeImagePlan, Progress } from './image.ts';
import {
  IGNITION_DRACUT_MODULE_DIR,
  IMAGE_DIRECTORIES,
  IMAGE_FILES,
  IMAGE_SYMLINKS,
  INITRAMFS_FILES,
  installPathOf,
  USR_LABEL,
  type ImageFile,
} from './recipe.ts';

/** Free space left in the root file system beyond its contents, for containerd's images and the logs. */
const FREE_SPACE_BYTES = 1024 * 1024 * 1024;
const MIB = 1024 * 1024;
/** Free space in the /usr file system: a little, for ext4's own needs; nothing writes there once it is mounted. */
const USR_FREE_MIB = 32;

async function run(
  command: string,
  args: readonly string[],
  what: string,
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void,
): Promise<string> {
  const result = await runCommand(command, args, onLine === undefined ? {} : { onLine });
  if (result.code !== 0) {
    const output = `${result.stdout}${result.stderr}`.trim().split('\n').slice(-30).join('\n');
    throw new NodeImageBuildError(
      `${what} failed (exit ${String(result.code)}): ${command} ${args.join(' ')}\n${output}`,
      {
        command,
        args,
        code: result.code,
      },
    );
  }
  return result.stdout;
}

/** For mmdebstrap's hooks, which a shell runs. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The one file in the tree's /boot that starts with `prefix` (the kernel package installs exactly one). */
async function onlyBootFile(tree: string, prefix: string): Promise<string> {
  const found = (await readdir(join(tree, 'boot'))).filter((name) => name.startsWith(prefix));
  if (found.length !== 1 || found[0] === undefined) {
    throw new NodeImageBuildError(
      `expected one ${prefix}* in the image's /boot, found: ${found.join(', ') || 'none'}`,
      {
        prefix,
        found,
      },
    );
  }
  return join(tree, 'boot', found[0]);
}

/** Writes files into a tree (replacing, not writing through, what is there: it may be a link a package put there). */
async function writeFiles(tree: string, files: readonly ImageFile[]): Promise<void> {
  for (const file of files) {
    const target = join(tree, file.path);
    await mkdir(dirname(target), { recursive: true });
    // Replaced, not written through: the file may be a link the package put there.
    await rm(target, { force: true });
    await writeFileAtomic(target, file.content, file.mode);
  }
}

/**
 * What the initramfs must hold for Ignition to run in it, checked in lsinitrd's listing after the build: paths under
 * /usr may also be listed without it (the image's root is merged-/usr, which dracut follows).
 */
const INITRAMFS_MUST_HOLD: readonly string[] = [
  'bin/ignition',
  'lib/systemd/system-generators/ignition-generator',
  'lib/systemd/system/ignition-files.service',
  'lib/systemd/system/ignition-fetch.service.d/10-strata-network.conf',
  'lib/systemd/system/strata-ignition-presets.service',
  'sbin/dhclient',
  // The install from the network (ADR 0092) and what it runs besides the shell's builtins.
  'sbin/strata-install',
  'lib/dracut/hooks/cmdline/95-strata-install-cmdline.sh',
  'bin/zstd',
  'bin/curl',
  'bin/mcopy',
  'sbin/blkdiscard',
  'sbin/sfdisk',
  'lib/x86_64-linux-gnu/gconv/IBM850.so',
];

/**
 * The dracut configuration, Strata's module and Ignition's module with its binary, as a directory the essential hook
 * copies into the tree: after the Essential packages, before the kernel and dracut are installed and configured.
 */
async function stageInitramfsFiles(plan: NodeImagePlan, stage: string): Promise<void> {
  await writeFiles(stage, INITRAMFS_FILES);
  const moduleDir = join(stage, IGNITION_DRACUT_MODULE_DIR);
  await mkdir(moduleDir, { recursive: true });
  for (const file of plan.ignitionDracutFiles) {
    await writeFileAtomic(join(moduleDir, file.name), await readFile(file.source), file.mode);
  }
  // Ignition's module-setup.sh installs $moddir/ignition as /usr/bin/ignition in the initramfs.
  const ignition = plan.binarySources['ignition'];
  if (ignition === undefined) throw new NodeImageBuildError('no source for ignition', { binary: 'ignition' });
  await copyFile(ignition, join(moduleDir, 'ignition'));
  await chmod(join(moduleDir, 'ignition'), 0o755);
}

/**
 * mkfs.ext4's arguments for a /usr file system of `tree` in `file`: read-only once mounted, so no journal and nothing
 * reserved (an update replaces it whole). The image's own /usr and the update payloads the tests make share them.
 */
export function usrFileSystemArgs(tree: string, file: string, sizeMiB: number): string[] {
  return ['-q', '-F', '-t', 'ext4', '-L', USR_LABEL, '-m', '0', '-O', '^has_journal', '-d', tree, file, `${sizeMiB}M`];
}

export async function buildNodeImageTree(
  plan: NodeImagePlan,
  outDir: string,
  workDir: string,
  progress: Progress,
): Promise<void> {
  const { inputs } = plan;
  const [mmdebstrap, mkfs, du] = [
    await findHostTool('mmdebstrap'),
    await findHostTool('mkfs.ext4'),
    await findHostTool('du'),
  ];
  const tree = join(workDir, 'tree');
  const stage = join(workDir, 'initramfs-stage');
  const initrdListing = join(workDir, 'initrd-listing.txt');
  await stageInitramfsFiles(plan, stage);
  let started = performance.now();
  const seconds = () => ((performance.now() - started) / 1000).toFixed(0);
  progress(`mmdebstrap ${inputs.suite}: ${inputs.packages.length} packages (a few minutes)`);
  await run(
    mmdebstrap,
    [
      '--variant=minbase',
      '--mode=auto',
      `--include=${inputs.packages.join(',')}`,
      ...inputs.dpkgOptions.map((option) => `--dpkgopt=${option}`),
      // Hooks are shell commands run on the host with the tree as $1 (and /proc, /sys, /dev mounted in it).
      `--essential-hook=cp -a ${shellQuote(`${stage}/.`)} "$1"/`,
      // The initramfs the kernel's postinst (and dracut's trigger) wrote, listed while the chroot can run lsinitrd.
      `--customize-hook=chroot "$1" sh -c 'lsinitrd /boot/initrd.img-*' > ${shellQuote(initrdListing)}`,
      inputs.suite,
      tree,
      plan.aptSourcesPath,
    ],
    `mmdebstrap (it needs the Debian mirror that ${plan.aptSourcesPath} names: npm test builds the image in its ` +
      "binaries phase, before the integration tests' network namespaces, which have no route out)",
    // Its own progress lines ("I: ..."), warnings and errors; apt's and dpkg's chatter stays in the error output.
    (line) => {
      if (/^[IWE]: /.test(line)) progress(`mmdebstrap ${line}`);
    },
  );
  progress(`mmdebstrap done in ${seconds()} s`);
  // dracut and initramfs-tools both provide linux-initramfs-tool; had apt chosen the latter, the initramfs would have
  // no Ignition.
  if (
    await access(join(tree, 'var/lib/dpkg/info/initramfs-tools.list')).then(
      () => true,
      () => false,
    )
  ) {
    throw new NodeImageBuildError('apt installed initramfs-tools rather than dracut', { tree });
  }
  const listing = await readFile(initrdListing, 'utf8').catch(() => '');
  const missing = INITRAMFS_MUST_HOLD.filter((path) => !new RegExp(` (usr/)?${path}( ->|$)`, 'm').test(listing));
  if (missing.length > 0) {
    throw new NodeImageBuildError(
      `the initramfs dracut wrote lacks ${missing.join(', ')}; lsinitrd's listing:\n${listing.split('\n').slice(0, 60).join('\n')}`,
      { missing },
    );
  }

  started = performance.now();
  for (const binary of inputs.binaries) {
    const source = plan.binarySources[binary.name];
    if (source === undefined) throw new NodeImageBuildError(`no source for ${binary.name}`, { binary: binary.name });
    const target = join(tree, binary.path);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(source, target);
    await chmod(target, 0o755);
  }
  // Ignition's dracut module keeps its own `ignition` (a node may rebuild its initramfs), as a hard link to the one in
  // /usr/bin (the same bytes, both copied from the pinned binary): mkfs.ext4 -d keeps hard links, so it costs nothing.
  const moduleIgnition = join(tree, IGNITION_DRACUT_MODULE_DIR, 'ignition');
  await rm(moduleIgnition);
  await link(join(tree, installPathOf('ignition')), moduleIgnition);
  await writeFiles(tree, IMAGE_FILES);
  for (const directory of IMAGE_DIRECTORIES) {
    const target = join(tree, directory.path);
    await mkdir(target, { recursive: true, mode: directory.mode });
    // mkdir's mode passes through the umask: a directory that came out otherwise is a build error, not fixed later.
    const made = (await stat(target)).mode & 0o7777;
    if (made !== directory.mode) {
      throw new NodeImageBuildError(
        `${directory.path} was made with mode ${made.toString(8)}, not ${directory.mode.toString(8)}`,
        {
          path: directory.path,
        },
      );
    }
  }
  for (const link of IMAGE_SYMLINKS) {
    const target = join(tree, link.path);
    await mkdir(dirname(target), { recursive: true });
    await rm(target, { force: true });
    await symlink(link.target, target);
  }
  // systemd makes a machine id at first boot; an image shares none.
  await writeFile(join(tree, 'etc/machine-id'), '');
  await copyFile(await onlyBootFile(tree, 'vmlinuz-'), join(outDir, 'vmlinuz'));
  await copyFile(await onlyBootFile(tree, 'initrd.img-'), join(outDir, 'initrd.img'));
  // dracut writes its image 0600; this one holds no secret (it is built for any machine) and QEMU may run as anyone.
  await chmod(join(outDir, 'initrd.img'), 0o644);
  const initrdMiB = (await stat(join(outDir, 'initrd.img'))).size / MIB;
  progress(`binaries, units and kernel placed in ${seconds()} s; dracut's initramfs: ${initrdMiB.toFixed(1)} MiB`);

  // The kernel and initramfs travel in /usr too, so that an A/B update's /usr image brings the ones it was built
  // with (the update tool copies them to its slot's directory on the ESP, ADR 0090).
  const usrBoot = join(tree, USR_BOOT_DIR);
  await mkdir(usrBoot, { recursive: true });
  await copyFile(join(outDir, 'vmlinuz'), join(usrBoot, 'vmlinuz'));
  await copyFile(join(outDir, 'initrd.img'), join(usrBoot, 'initrd.img'));
  await chmod(join(usrBoot, 'initrd.img'), 0o644);

  started = performance.now();
  const duBytes = async (dir: string): Promise<number> => {
    const bytes = Number((await run(du, ['-s', '--block-size=1', dir], 'du')).split(/\s/)[0]);
    if (!Number.isFinite(bytes) || bytes <= 0) throw new NodeImageBuildError(`du gave no size for ${dir}`, { dir });
    return bytes;
  };
  const used = await duBytes(tree);
  // ext4's metadata and the blocks of small files: a fifth more than du counts, plus the free space.
  const sizeMiB = Math.ceil((used * 1.2 + FREE_SPACE_BYTES) / MIB);
  const rootfs = join(outDir, 'rootfs.ext4');
  progress(`mkfs.ext4 -d: ${Math.round(used / MIB)} MiB of files into a ${sizeMiB} MiB file system`);
  await run(mkfs, ['-q', '-F', '-t', 'ext4', '-L', inputs.rootLabel, '-d', tree, rootfs, `${sizeMiB}M`], 'mkfs.ext4');

  // The disk's split (ADR 0090): /usr in a file system of its own, read-only once mounted (no journal, nothing
  // reserved, little free space: an update replaces it whole), and the root without it, /usr an empty mount point.
  const systemdBoot = join(workDir, 'systemd-bootx64.efi');
  await copyFile(join(tree, SYSTEMD_BOOT_EFI_IN_TREE), systemdBoot);
  const usrTree = join(workDir, 'usr-tree');
  await rename(join(tree, 'usr'), usrTree);
  await mkdir(join(tree, 'usr'), { mode: 0o755 });
  const usrUsed = await duBytes(usrTree);
  const usrSizeMiB = Math.ceil((usrUsed * 1.1) / MIB) + USR_FREE_MIB;
  const usr = join(outDir, 'usr.ext4');
  await run(mkfs, usrFileSystemArgs(usrTree, usr, usrSizeMiB), 'mkfs.ext4 (/usr)');
  const diskRoot = join(workDir, 'disk-root.ext4');
  const rootSizeMiB = Math.ceil(((used - usrUsed) * 1.2 + FREE_SPACE_BYTES) / MIB);
  await run(
    mkfs,
    ['-q', '-F', '-t', 'ext4', '-L', inputs.rootLabel, '-d', tree, diskRoot, `${rootSizeMiB}M`],
    "mkfs.ext4 (the disk's root)",
  );
  progress(
    `mkfs.ext4 done in ${seconds()} s: rootfs.ext4 ${sizeMiB} MiB; for the disk, usr.ext4 ${usrSizeMiB} MiB ` +
      `(${Math.round(usrUsed / MIB)} MiB of files) and a root of ${rootSizeMiB} MiB`,
  );

  started = performance.now();
  const disk = await buildDiskImage({
    disk: join(outDir, 'disk.img'),
    rootfs: diskRoot,
    usr,
    version: inputs.version,
    rootLabel: inputs.rootLabel,
    sources: {
      'systemd-boot': systemdBoot,
      vmlinuz: join(outDir, 'vmlinuz'),
      'initrd.img': join(outDir, 'initrd.img'),
    },
    workDir,
  });
  progress(
    `disk.img (GPT: ${disk.layout.partitions.map((p) => `${p.name} ${p.sizeMiB} MiB`).join(', ')}) in ${seconds()} s: ` +
      `${Math.round(disk.apparentBytes / MIB)} MiB apparent, ${Math.round(disk.allocatedBytes / MIB)} MiB allocated`,
  );

  // The install image (ADR 0092): level 3, zstd's default, on every core; the guest unpacks it under emulation, where
  // a higher level would not unpack faster and would take the build longer.
  started = performance.now();
  const installImage = join(outDir, 'disk.img.zst');
  await run(
    await findHostTool('zstd'),
    ['-q', '-3', '-T0', '--no-progress', join(outDir, 'disk.img'), '-o', installImage],
    'zstd (disk.img.zst)',
  );
  progress(`disk.img.zst in ${seconds()} s: ${Math.round((await stat(installImage)).size / MIB)} MiB`);
}
