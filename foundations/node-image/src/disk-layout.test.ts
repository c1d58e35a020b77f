// The disk's plan as the build and the boot read it: offsets, sizes, sfdisk's input and systemd-boot's files.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BOOT_TRIES,
  diskKernelOptions,
  espDirectories,
  espFiles,
  GPT_TYPE,
  loaderConf,
  MIB,
  planDiskLayout,
  sfdiskScript,
  slotAEntryFile,
  slotEntry,
  UPDATE_BOOT_TRIES,
  USR_SLOT_SIZE_MIB,
} from './disk-layout.ts';
import { NodeImageBuildError } from './errors.ts';

describe('planDiskLayout', () => {
  it('puts the ESP at 1 MiB, then the two /usr slots, then the root, with a MiB for the backup GPT at the end', () => {
    const layout = planDiskLayout(1152 * MIB, 900 * MIB);
    const [esp, usrA, usrB, root] = layout.partitions;
    assert.deepEqual(esp, { name: 'ESP', type: GPT_TYPE.esp, startMiB: 1, sizeMiB: 256 });
    assert.deepEqual(usrA, { name: 'USR-A', type: GPT_TYPE.linuxData, startMiB: 257, sizeMiB: USR_SLOT_SIZE_MIB });
    assert.deepEqual(usrB, {
      name: 'USR-B',
      type: GPT_TYPE.linuxData,
      startMiB: 257 + USR_SLOT_SIZE_MIB,
      sizeMiB: USR_SLOT_SIZE_MIB,
    });
    assert.deepEqual(root, {
      name: 'ROOT',
      type: GPT_TYPE.rootX86_64,
      startMiB: 257 + 2 * USR_SLOT_SIZE_MIB,
      sizeMiB: 1152,
    });
    assert.equal(layout.sizeMiB, 1 + 256 + 2 * USR_SLOT_SIZE_MIB + 1152 + 1);
  });

  it('rounds a root that is not whole MiB up, so that the whole file system fits its partition', () => {
    const layout = planDiskLayout(10 * MIB + 1, MIB, { espSizeMiB: 32, usrSlotSizeMiB: 4 });
    assert.equal(layout.partitions[3].sizeMiB, 11);
    assert.equal(layout.partitions[3].startMiB, 1 + 32 + 4 + 4);
    assert.equal(layout.sizeMiB, 41 + 11 + 1);
  });

  it('refuses a root or a /usr of no size, and a /usr larger than its slot, naming the constant to raise', () => {
    assert.throws(() => planDiskLayout(0, MIB), NodeImageBuildError);
    assert.throws(() => planDiskLayout(1.5, MIB), NodeImageBuildError);
    assert.throws(() => planDiskLayout(MIB, 0), NodeImageBuildError);
    assert.throws(
      () => planDiskLayout(MIB, 4 * MIB + 1, { usrSlotSizeMiB: 4 }),
      (error: unknown) =>
        error instanceof NodeImageBuildError &&
        /5 MiB\) does not fit a 4 MiB slot: raise USR_SLOT_SIZE_MIB/.test(error.message),
    );
  });
});

describe('sfdiskScript', () => {
  it('writes a GPT with each partition in 512-byte sectors, typed and named', () => {
    assert.equal(
      sfdiskScript(planDiskLayout(100 * MIB, MIB, { usrSlotSizeMiB: 8 })),
      [
        'label: gpt',
        'unit: sectors',
        'sector-size: 512',
        '',
        'start=2048, size=524288, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="ESP"',
        'start=526336, size=16384, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name="USR-A"',
        'start=542720, size=16384, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name="USR-B"',
        'start=559104, size=204800, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, name="ROOT"',
        '',
      ].join('\n'),
    );
  });
});

describe("systemd-boot's files on the ESP", () => {
  it("boots either slot's entry (the newest that has tries left) without a menu or an editable command line", () => {
    assert.equal(loaderConf(), 'timeout 0\neditor no\ndefault strata-*\n');
  });

  it("names slot A's entry with a tries counter, so that systemd-boot's boot assessment applies", () => {
    assert.equal(BOOT_TRIES, 3);
    assert.equal(slotAEntryFile(), '/loader/entries/strata-a+3.conf');
    // An update's entry: one try, then the slot that booted before.
    assert.equal(UPDATE_BOOT_TRIES, 1);
  });

  it("points a slot's entry at its kernel and initramfs, the root by its label and /usr read-only from the slot", () => {
    assert.equal(
      slotEntry('a', '9.8.7', diskKernelOptions('strata-root', 'a')),
      [
        'title Strata node image 9.8.7 (slot A)',
        'version 9.8.7',
        'sort-key strata',
        'linux /strata/a/vmlinuz',
        'initrd /strata/a/initrd.img',
        'options root=LABEL=strata-root rw mount.usr=PARTLABEL=USR-A mount.usrfstype=ext4 mount.usrflags=ro panic=10 ' +
          'console=ttyS0',
        '',
      ].join('\n'),
    );
    assert.match(slotEntry('b', '9.8.8', diskKernelOptions('strata-root', 'b')), /^linux \/strata\/b\/vmlinuz$/m);
    assert.match(diskKernelOptions('strata-root', 'b').join(' '), / mount\.usr=PARTLABEL=USR-B /);
  });

  it('holds systemd-boot at the removable-media path, the loader config, the entry and the slot files', () => {
    const files = espFiles('9.8.7', 'strata-root');
    assert.deepEqual(
      files.map((file) => [file.path, 'text' in file.content ? 'text' : file.content.from]),
      [
        ['/EFI/BOOT/BOOTX64.EFI', 'systemd-boot'],
        ['/loader/loader.conf', 'text'],
        ['/loader/entries/strata-a+3.conf', 'text'],
        ['/strata/a/vmlinuz', 'vmlinuz'],
        ['/strata/a/initrd.img', 'initrd.img'],
      ],
    );
    assert.deepEqual(espDirectories(files), [
      '/EFI',
      '/loader',
      '/strata',
      '/EFI/BOOT',
      '/loader/entries',
      '/strata/a',
    ]);
  });
});
