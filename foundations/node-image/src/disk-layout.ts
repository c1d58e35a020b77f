// The node image's GPT disk (ADR 0087), as pure functions of the sizes and the version: where each partition lies,
// the sfdisk script that writes the table, and the text of systemd-boot's files on the EFI System Partition. The
// build (build.ts) packs each partition into its own file and copies it in at its offset, so that nothing is mounted
// and no loop device is needed; the boot test reads the same offsets back from the disk.
import { z } from 'zod';
import { NodeImageBuildError } from './errors.ts';

export const SECTOR_BYTES = 512;
export const MIB = 1024 * 1024;
const SECTORS_PER_MIB = MIB / SECTOR_BYTES;

/** GPT partition type GUIDs (UEFI's ESP; the Discoverable Partitions Specification's x86-64 root). */
export const GPT_TYPE = {
  esp: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
  rootX86_64: '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709',
} as const;

/**
 * The partition names (GPT labels) the machine and the update agent find partitions by. USR-A and USR-B are
 * reserved for the A/B step (read-only /usr file systems, one per slot, between the ESP and ROOT); they are not made
 * yet, and nothing else may take these names.
 */
export const PARTITION_LABELS = { esp: 'ESP', root: 'ROOT' } as const;

/** Holds two slots' kernel and initramfs (about 60 MiB each now) with room for both to grow. */
export const ESP_SIZE_MIB = 256;
/** Every partition starts on a MiB boundary: the first MiB holds the protective MBR and the primary GPT. */
const FIRST_PARTITION_MIB = 1;
/** The backup GPT (33 sectors) at the disk's end, rounded up to a MiB. */
const BACKUP_GPT_MIB = 1;

export const DiskPartitionSchema = z.object({
  name: z.string(),
  type: z.string(),
  startMiB: z.number().int().positive(),
  sizeMiB: z.number().int().positive(),
});
export type DiskPartition = z.infer<typeof DiskPartitionSchema>;

export interface DiskLayout {
  readonly sizeMiB: number;
  /** In the order of the table: 1 is the ESP, 2 the root. */
  readonly partitions: readonly [esp: DiskPartition, root: DiskPartition];
}

/** The disk for a root file system of `rootBytes` (its image file's size): the ESP, then the root, MiB-aligned. */
export function planDiskLayout(rootBytes: number, espSizeMiB: number = ESP_SIZE_MIB): DiskLayout {
  if (!Number.isInteger(rootBytes) || rootBytes <= 0) {
    throw new NodeImageBuildError(`the root file system's size must be a positive integer, not ${rootBytes}`, {
      rootBytes,
    });
  }
  const esp: DiskPartition = {
    name: PARTITION_LABELS.esp,
    type: GPT_TYPE.esp,
    startMiB: FIRST_PARTITION_MIB,
    sizeMiB: espSizeMiB,
  };
  const root: DiskPartition = {
    name: PARTITION_LABELS.root,
    type: GPT_TYPE.rootX86_64,
    startMiB: esp.startMiB + esp.sizeMiB,
    sizeMiB: Math.ceil(rootBytes / MIB),
  };
  return { sizeMiB: root.startMiB + root.sizeMiB + BACKUP_GPT_MIB, partitions: [esp, root] };
}

/**
 * sfdisk's input for the layout, in sectors. sfdisk writes the protective MBR, both GPT headers and a random disk
 * and partition GUID each: a machine's partitions are found by name, never by GUID, so that every copy of the image
 * is the same to the boot.
 */
export function sfdiskScript(layout: DiskLayout): string {
  const lines = ['label: gpt', 'unit: sectors', `sector-size: ${SECTOR_BYTES}`, ''];
  for (const partition of layout.partitions) {
    lines.push(
      `start=${partition.startMiB * SECTORS_PER_MIB}, size=${partition.sizeMiB * SECTORS_PER_MIB}, ` +
        `type=${partition.type}, name="${partition.name}"`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Where slot A's kernel and initramfs lie on the ESP (slot B's will be /strata/b). */
export const SLOT_A_DIR = '/strata/a';
/** systemd-boot as the removable-media path: firmware boots it without a boot entry in its NVRAM. */
export const ESP_BOOT_LOADER_PATH = '/EFI/BOOT/BOOTX64.EFI';
/** systemd-boot in the image's own tree (Debian's systemd-boot-efi), so that its version is the image's systemd's. */
export const SYSTEMD_BOOT_EFI_IN_TREE = 'usr/lib/systemd/boot/efi/systemd-bootx64.efi';
/**
 * Boot counting (systemd's automatic boot assessment): systemd-boot counts the tries left down in the file's name at
 * each boot of the entry, and systemd-bless-boot (Debian's systemd-boot package, not installed yet) drops the counter
 * once boot-complete.target is reached; an entry at +0 is tried last. The A/B rollback builds on it.
 */
export const BOOT_TRIES = 3;
export const SLOT_A_ENTRY_ID = 'strata-a';
export const slotAEntryFile = (): string => `/loader/entries/${SLOT_A_ENTRY_ID}+${BOOT_TRIES}.conf`;

/**
 * No menu (timeout 0: the machine boots unattended; a key held at power-on still shows it), no editing of the command
 * line (it would let anyone at the console boot into a shell), and slot A by default until the update agent
 * chooses.
 */
export function loaderConf(): string {
  return ['timeout 0', 'editor no', `default ${SLOT_A_ENTRY_ID}*`, ''].join('\n');
}

/** The Boot Loader Specification entry of slot A (type 1): paths are on the ESP, the options the kernel's. */
export function slotAEntry(version: string, options: readonly string[]): string {
  return [
    `title Strata node image ${version} (slot A)`,
    `version ${version}`,
    'sort-key strata',
    `linux ${SLOT_A_DIR}/vmlinuz`,
    `initrd ${SLOT_A_DIR}/initrd.img`,
    `options ${options.join(' ')}`,
    '',
  ].join('\n');
}

/**
 * The kernel command line a disk boot passes: the root by its file system label, as the direct boot finds it (a
 * disk's ROOT partition holds the same ext4), read-write, the console on the first serial port.
 */
export function diskKernelOptions(rootLabel: string): string[] {
  return [`root=LABEL=${rootLabel}`, 'rw', 'console=ttyS0'];
}

export interface EspFile {
  /** On the ESP, absolute. */
  readonly path: string;
  /** Text, or a file of the build (the kernel, the initramfs, systemd-boot) by name. */
  readonly content: { readonly text: string } | { readonly from: 'systemd-boot' | 'vmlinuz' | 'initrd.img' };
}

/** What the ESP holds, in the order it is written (a directory before its files). */
export function espFiles(version: string, rootLabel: string): EspFile[] {
  return [
    { path: ESP_BOOT_LOADER_PATH, content: { from: 'systemd-boot' } },
    { path: '/loader/loader.conf', content: { text: loaderConf() } },
    { path: slotAEntryFile(), content: { text: slotAEntry(version, diskKernelOptions(rootLabel)) } },
    { path: `${SLOT_A_DIR}/vmlinuz`, content: { from: 'vmlinuz' } },
    { path: `${SLOT_A_DIR}/initrd.img`, content: { from: 'initrd.img' } },
  ];
}

/** The directories `mmd` must make before `mcopy` writes the files, parents first. */
export function espDirectories(files: readonly EspFile[]): string[] {
  const dirs = new Set<string>();
  for (const file of files) {
    const parts = file.path.split('/').filter((part) => part.length > 0);
    for (let depth = 1; depth < parts.length; depth += 1) dirs.add(`/${parts.slice(0, depth).join('/')}`);
  }
  return [...dirs].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
}
