// The build itself: mmdebstrap makes a Debian root with systemd as init and the kernel (whose package runs
// initramfs-tools), the pinned binaries and the image's files are added, and mkfs.ext4 packs the tree into a file
// system image without mounting anything. The kernel and the initramfs are copied out for a direct kernel boot.
import { chmod, copyFile, mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runCommand, writeFileAtomic } from '@strata/host';
import { NodeImageBuildError } from './errors.ts';
import { findHostTool } from './host-tools.ts';
import type { NodeImagePlan, Progress } from './image.ts';
import { IMAGE_FILES, IMAGE_SYMLINKS } from './recipe.ts';

/** Free space left in the root file system beyond its contents, for containerd's images and the logs. */
const FREE_SPACE_BYTES = 1024 * 1024 * 1024;
const MIB = 1024 * 1024;

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

  started = performance.now();
  for (const binary of inputs.binaries) {
    const source = plan.binarySources[binary.name];
    if (source === undefined) throw new NodeImageBuildError(`no source for ${binary.name}`, { binary: binary.name });
    const target = join(tree, binary.path);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(source, target);
    await chmod(target, 0o755);
  }
  for (const file of IMAGE_FILES) {
    const target = join(tree, file.path);
    await mkdir(dirname(target), { recursive: true });
    // Replaced, not written through: the file may be a link the package put there.
    await rm(target, { force: true });
    await writeFileAtomic(target, file.content, file.mode);
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
  progress(`binaries, units and kernel placed in ${seconds()} s`);

  started = performance.now();
  const used = Number((await run(du, ['-s', '--block-size=1', tree], 'du')).split(/\s/)[0]);
  if (!Number.isFinite(used) || used <= 0) throw new NodeImageBuildError(`du gave no size for ${tree}`, { tree });
  // ext4's metadata and the blocks of small files: a fifth more than du counts, plus the free space.
  const sizeMiB = Math.ceil((used * 1.2 + FREE_SPACE_BYTES) / MIB);
  const rootfs = join(outDir, 'rootfs.ext4');
  progress(`mkfs.ext4 -d: ${Math.round(used / MIB)} MiB of files into a ${sizeMiB} MiB file system`);
  await run(mkfs, ['-q', '-F', '-t', 'ext4', '-L', inputs.rootLabel, '-d', tree, rootfs, `${sizeMiB}M`], 'mkfs.ext4');
  progress(`mkfs.ext4 done in ${seconds()} s`);
}
