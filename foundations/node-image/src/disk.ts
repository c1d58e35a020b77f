// Assembles the node image's GPT disk from files, as an unprivileged build could: the ESP is a FAT file system made
// in a file (mkfs.vfat -C) and filled with mtools, /usr and the root are the ext4 files the build packed, sfdisk writes
// the table into a sparse file, and dd copies each partition in at its offset without writing its holes. No loop
// device, no mount: the same build runs in a container or a CI job without CAP_SYS_ADMIN.
import { rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '@strata/host';
import { z } from 'zod';
import {
  espDirectories,
  espFiles,
  MIB,
  planDiskLayout,
  SECTOR_BYTES,
  sfdiskScript,
  type DiskLayout,
  type EspFile,
} from './disk-layout.ts';
import { NodeImageBuildError } from './errors.ts';
import { findHostTool } from './host-tools.ts';

async function run(command: string, args: readonly string[], input?: string): Promise<string> {
  const result = await runCommand(command, args, input === undefined ? {} : { input });
  if (result.code !== 0) {
    throw new NodeImageBuildError(
      `${command} ${args.join(' ')} failed (exit ${String(result.code)}):\n${`${result.stdout}${result.stderr}`.trim()}`,
      { command, args, code: result.code },
    );
  }
  return result.stdout;
}

const SfdiskJsonSchema = z.object({
  partitiontable: z.object({
    label: z.literal('gpt'),
    sectorsize: z.number().int().optional(),
    partitions: z.array(
      z.object({ start: z.number().int(), size: z.number().int(), type: z.string(), name: z.string().optional() }),
    ),
  }),
});

export interface TablePartition {
  readonly name: string;
  readonly type: string;
  readonly startBytes: number;
  readonly sizeBytes: number;
}

/** The GPT of a disk image file as sfdisk reads it back (no device, no kernel involved). */
export async function readPartitionTable(
  disk: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<TablePartition[]> {
  const sfdisk = await findHostTool('sfdisk', env);
  const parsed = SfdiskJsonSchema.safeParse(JSON.parse(await run(sfdisk, ['--json', disk])));
  if (!parsed.success) {
    throw new NodeImageBuildError(`sfdisk --json ${disk} gave no GPT: ${parsed.error.message}`, { disk });
  }
  const sector = parsed.data.partitiontable.sectorsize ?? SECTOR_BYTES;
  return parsed.data.partitiontable.partitions.map((partition) => ({
    name: partition.name ?? '',
    type: partition.type.toUpperCase(),
    startBytes: partition.start * sector,
    sizeBytes: partition.size * sector,
  }));
}

/** The partition named `name`, or a typed error naming the ones there are. */
export function partitionNamed(table: readonly TablePartition[], name: string, disk: string): TablePartition {
  const found = table.find((partition) => partition.name === name);
  if (found === undefined) {
    throw new NodeImageBuildError(
      `${disk} has no partition named ${name} (it has: ${table.map((p) => p.name).join(', ') || 'none'})`,
      { disk, name },
    );
  }
  return found;
}

/** Copies `from` into `disk` at `startMiB` without truncating the disk or writing `from`'s holes (zeros) as data. */
export async function copyIntoDisk(
  from: string,
  disk: string,
  startMiB: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const dd = await findHostTool('dd', env);
  await run(dd, [`if=${from}`, `of=${disk}`, 'bs=1M', `seek=${startMiB}`, 'conv=notrunc,sparse', 'status=none']);
}

/** Which build file each ESP file's content names. */
export interface EspSources {
  readonly 'systemd-boot': string;
  readonly vmlinuz: string;
  readonly 'initrd.img': string;
}

/** A FAT32 file system of `sizeMiB` in `espImage`, holding `files`. */
async function packEsp(
  espImage: string,
  sizeMiB: number,
  files: readonly EspFile[],
  sources: EspSources,
  workDir: string,
): Promise<void> {
  const [mkfsVfat, mmd, mcopy] = [
    await findHostTool('mkfs.vfat'),
    await findHostTool('mmd'),
    await findHostTool('mcopy'),
  ];
  await rm(espImage, { force: true });
  // -C makes the file (its size in KiB); FAT32, which UEFI requires every firmware to read.
  await run(mkfsVfat, ['-C', '-F', '32', '-n', 'ESP', espImage, String(sizeMiB * 1024)]);
  const dirs = espDirectories(files);
  if (dirs.length > 0) await run(mmd, ['-i', espImage, ...dirs.map((dir) => `::${dir}`)]);
  for (const [index, file] of files.entries()) {
    let source: string;
    if ('text' in file.content) {
      source = join(workDir, `esp-file-${index}`);
      await writeFile(source, file.content.text);
    } else {
      source = sources[file.content.from];
    }
    await run(mcopy, ['-i', espImage, '-o', source, `::${file.path}`]);
  }
}

export interface BuiltDisk {
  readonly layout: DiskLayout;
  readonly apparentBytes: number;
  readonly allocatedBytes: number;
}

/**
 * Writes `disk` (sparse): the GPT of planDiskLayout, the ESP with systemd-boot and slot A's entry, kernel and
 * initramfs, `usr` as USR-A, USR-B empty (holes), and `rootfs` (the root without /usr) as the ROOT partition; checks
 * the table sfdisk reads back against the plan.
 */
export async function buildDiskImage(options: {
  readonly disk: string;
  readonly rootfs: string;
  readonly usr: string;
  readonly version: string;
  readonly rootLabel: string;
  readonly sources: EspSources;
  readonly workDir: string;
}): Promise<BuiltDisk> {
  const { disk, rootfs, workDir } = options;
  const sfdisk = await findHostTool('sfdisk');
  const layout = planDiskLayout((await stat(rootfs)).size, (await stat(options.usr)).size);
  const [esp, usrA, , root] = layout.partitions;
  const espImage = join(workDir, 'esp.img');
  await packEsp(espImage, esp.sizeMiB, espFiles(options.version, options.rootLabel), options.sources, workDir);

  await rm(disk, { force: true });
  await writeFile(disk, '');
  await truncate(disk, layout.sizeMiB * MIB);
  // A file, not a device: nothing for the kernel to re-read.
  await run(sfdisk, ['--quiet', '--no-reread', '--no-tell-kernel', disk], sfdiskScript(layout));
  await copyIntoDisk(espImage, disk, esp.startMiB);
  await copyIntoDisk(options.usr, disk, usrA.startMiB);
  await copyIntoDisk(rootfs, disk, root.startMiB);
  await rm(espImage, { force: true });

  const table = await readPartitionTable(disk);
  for (const planned of layout.partitions) {
    const found = partitionNamed(table, planned.name, disk);
    if (
      found.startBytes !== planned.startMiB * MIB ||
      found.sizeBytes !== planned.sizeMiB * MIB ||
      found.type !== planned.type
    ) {
      throw new NodeImageBuildError(`sfdisk wrote ${planned.name} otherwise than planned`, { planned, found });
    }
  }
  const written = await stat(disk);
  if (written.size !== layout.sizeMiB * MIB) {
    throw new NodeImageBuildError(`${disk} is ${written.size} bytes, not ${layout.sizeMiB} MiB`, { disk });
  }
  return { layout, apparentBytes: written.size, allocatedBytes: written.blocks * 512 };
}
