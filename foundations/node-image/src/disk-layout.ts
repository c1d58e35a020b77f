// The node image's GPT disk (ADR 0087), as pure functions of the sizes and the version: where each partition lies,
// the sfdisk script that writes the table, and the text of systemd-boot's files on the EFI System Partition. The
// build (build.ts) packs each partition into its own file and copies it in at its offset, so that nothing is mounted
// and no loop device is needed; the boot test reads the same offsets back from the disk.
import { z } from 'zod';
import { NodeImageBuildError } from './errors.ts';

export const SECTOR_BYTES = 512;
export const MIB = 1024 * 1024;
const SECTORS_PER_MIB = MIB / SECTOR_BYTES;

/** GPT partition type GUIDs (UEFI's ESP; the Discoverable Partitions Specification's x86-64 root; Linux data). */
export const GPT_TYPE = {
  esp: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
  rootX86_64: '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709',
  /**
   * The /usr slots are plain Linux data, not the Discoverable Partitions Specification's /usr type: two partitions of
   * that type on one disk would leave systemd-gpt-auto-generator to choose one, and only the boot entry may choose.
   */
  linuxData: '0FC63DAF-8483-4772-8E79-3D69D8477DE4',
} as const;

/** The partition names (GPT labels) the machine, its boot entries and the update tool find partitions by. */
export const PARTITION_LABELS = { esp: 'ESP', usrA: 'USR-A', usrB: 'USR-B', root: 'ROOT' } as const;

/** The two /usr slots (ADR 0090): one boots, the other takes the next update. */
export const SLOTS = ['a', 'b'] as const;
export type Slot = (typeof SLOTS)[number];
export const usrPartitionLabel = (slot: Slot): string => (slot === 'a' ? PARTITION_LABELS.usrA : PARTITION_LABELS.usrB);

/** Holds two slots' kernel and initramfs (about 60 MiB each now) with room for both to grow. */
export const ESP_SIZE_MIB = 256;
/**
 * Each /usr slot's size: room for a /usr image half again as large as this version's (1,034 MiB), because a slot
 * is written by updates for the disk's whole life and a partition cannot grow in place.
 */
export const USR_SLOT_SIZE_MIB = 1536;
/** Every partition starts on a MiB boundary: the first MiB holds the protective MBR and the primary GPT. */
export const FIRST_PARTITION_MIB = 1;
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
  /** In the order of the table: the ESP, the two /usr slots, the root last (so that it can grow to the disk's end). */
  readonly partitions: readonly [esp: DiskPartition, usrA: DiskPartition, usrB: DiskPartition, root: DiskPartition];
}

export interface DiskLayoutSizes {
  readonly espSizeMiB?: number;
  readonly usrSlotSizeMiB?: number;
}

const positiveInteger = (value: number, what: string): void => {
  if (!Number.isInteger(value) || value <= 0) {
    throw new NodeImageBuildError(`${what} must be a positive integer, not ${value}`, { [what]: value });
  }
};

/**
 * The disk for a root file system of `rootBytes` and a /usr file system of `usrBytes` (their image files' sizes):
 * the ESP, USR-A (which holds the /usr image), USR-B (empty until the first update), then the root, MiB-aligned.
 */
export function planDiskLayout(rootBytes: number, usrBytes: number, sizes: DiskLayoutSizes = {}): DiskLayout {
  positiveInteger(rootBytes, "the root file system's size");
  positiveInteger(usrBytes, "the /usr file system's size");
  const espSizeMiB = sizes.espSizeMiB ?? ESP_SIZE_MIB;
  const usrSlotSizeMiB = sizes.usrSlotSizeMiB ?? USR_SLOT_SIZE_MIB;
  if (usrBytes > usrSlotSizeMiB * MIB) {
    throw new NodeImageBuildError(
      `the /usr file system (${Math.ceil(usrBytes / MIB)} MiB) does not fit a ${usrSlotSizeMiB} MiB slot: raise ` +
        'USR_SLOT_SIZE_MIB for new disks (installed machines keep their slots)',
      { usrBytes, usrSlotSizeMiB },
    );
  }
  const esp: DiskPartition = {
    name: PARTITION_LABELS.esp,
    type: GPT_TYPE.esp,
    startMiB: FIRST_PARTITION_MIB,
    sizeMiB: espSizeMiB,
  };
  const usrA: DiskPartition = {
    name: PARTITION_LABELS.usrA,
    type: GPT_TYPE.linuxData,
    startMiB: esp.startMiB + esp.sizeMiB,
    sizeMiB: usrSlotSizeMiB,
  };
  const usrB: DiskPartition = { ...usrA, name: PARTITION_LABELS.usrB, startMiB: usrA.startMiB + usrA.sizeMiB };
  const root: DiskPartition = {
    name: PARTITION_LABELS.root,
    type: GPT_TYPE.rootX86_64,
    startMiB: usrB.startMiB + usrB.sizeMiB,
    sizeMiB: Math.ceil(rootBytes / MIB),
  };
  return { sizeMiB: root.startMiB + root.sizeMiB + BACKUP_GPT_MIB, partitions: [esp, usrA, usrB, root] };
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

/** Where each slot's kernel and initramfs lie on the ESP. */
export const slotDir = (slot: Slot): string => `/strata/${slot}`;
/** systemd-boot as the removable-media path: firmware boots it without a boot entry in its NVRAM. */
export const ESP_BOOT_LOADER_PATH = '/EFI/BOOT/BOOTX64.EFI';
/** systemd-boot in the image's own tree (Debian's systemd-boot-efi), so that its version is the image's systemd's. */
export const SYSTEMD_BOOT_EFI_IN_TREE = 'usr/lib/systemd/boot/efi/systemd-bootx64.efi';
/**
 * Where the /usr image keeps the kernel and initramfs it was built with: an update's /usr brings its own, which the
 * update tool copies to its slot's directory on the ESP.
 */
export const USR_BOOT_DIR_IN_USR = 'lib/strata/boot';
export const USR_BOOT_DIR = `/usr/${USR_BOOT_DIR_IN_USR}`;
/**
 * Boot counting (systemd's automatic boot assessment): systemd-boot counts the tries left down in the file's name at
 * each boot of the entry, and systemd-bless-boot drops the counter once boot-complete.target is reached; an entry at
 * +0 sorts last, so the other slot boots (the A/B rollback, ADR 0090). The image's own entry gets three tries.
 */
export const BOOT_TRIES = 3;
/**
 * An update's entry gets one try, as Container Linux gave a new partition: a boot that does not complete falls back
 * to the slot that booted before, at the next boot.
 */
export const UPDATE_BOOT_TRIES = 1;
export const slotEntryId = (slot: Slot): string => `strata-${slot}`;
export const SLOT_A_ENTRY_ID = slotEntryId('a');
export const slotAEntryFile = (): string => `/loader/entries/${SLOT_A_ENTRY_ID}+${BOOT_TRIES}.conf`;

/**
 * No menu (timeout 0: the machine boots unattended; a key held at power-on still shows it), no editing of the command
 * line (it would let anyone at the console boot into a shell), and either slot's entry: systemd-boot sorts entries
 * that have run out of tries last and, among entries of one sort key, the newest version first, so the default is the
 * newest slot that has not failed.
 */
export function loaderConf(): string {
  return ['timeout 0', 'editor no', 'default strata-*', ''].join('\n');
}

/** A slot's Boot Loader Specification entry (type 1): paths are on the ESP, the options the kernel's. */
export function slotEntry(slot: Slot, version: string, options: readonly string[]): string {
  return [
    `title Strata node image ${version} (slot ${slot.toUpperCase()})`,
    `version ${version}`,
    'sort-key strata',
    `linux ${slotDir(slot)}/vmlinuz`,
    `initrd ${slotDir(slot)}/initrd.img`,
    `options ${options.join(' ')}`,
    '',
  ].join('\n');
}

/**
 * The kernel command line of a slot's entry: the root by its file system label, read-write; /usr from the slot's
 * partition, read-only (systemd's fstab generator in the initramfs mounts it at /sysroot/usr before the switch);
 * a panic reboots after 10 s, so that a slot whose kernel cannot start its root uses up its try and the other slot
 * boots; the console on the first serial port.
 */
export function diskKernelOptions(rootLabel: string, slot: Slot): string[] {
  return [
    `root=LABEL=${rootLabel}`,
    'rw',
    `mount.usr=PARTLABEL=${usrPartitionLabel(slot)}`,
    'mount.usrfstype=ext4',
    'mount.usrflags=ro',
    'panic=10',
    'console=ttyS0',
  ];
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
    { path: slotAEntryFile(), content: { text: slotEntry('a', version, diskKernelOptions(rootLabel, 'a')) } },
    { path: `${slotDir('a')}/vmlinuz`, content: { from: 'vmlinuz' } },
    { path: `${slotDir('a')}/initrd.img`, content: { from: 'initrd.img' } },
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
