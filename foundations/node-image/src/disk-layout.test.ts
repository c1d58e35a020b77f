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
  slotAEntry,
  slotAEntryFile,
} from './disk-layout.ts';
import { NodeImageBuildError } from './errors.ts';

describe('planDiskLayout', () => {
  it('puts the ESP at 1 MiB and the root right after it, with a MiB for the backup GPT at the end', () => {
    const layout = planDiskLayout(2095 * MIB);
    const [esp, root] = layout.partitions;
    assert.deepEqual(esp, { name: 'ESP', type: GPT_TYPE.esp, startMiB: 1, sizeMiB: 256 });
    assert.deepEqual(root, { name: 'ROOT', type: GPT_TYPE.rootX86_64, startMiB: 257, sizeMiB: 2095 });
    assert.equal(layout.sizeMiB, 1 + 256 + 2095 + 1);
  });

  it('rounds a root that is not whole MiB up, so that the whole file system fits its partition', () => {
    const layout = planDiskLayout(10 * MIB + 1, 32);
    assert.equal(layout.partitions[1].sizeMiB, 11);
    assert.equal(layout.partitions[1].startMiB, 33);
    assert.equal(layout.sizeMiB, 45);
  });

  it('refuses a root of no size', () => {
    assert.throws(() => planDiskLayout(0), NodeImageBuildError);
    assert.throws(() => planDiskLayout(1.5), NodeImageBuildError);
  });
});

describe('sfdiskScript', () => {
  it('writes a GPT with each partition in 512-byte sectors, typed and named', () => {
    assert.equal(
      sfdiskScript(planDiskLayout(100 * MIB)),
      [
        'label: gpt',
        'unit: sectors',
        'sector-size: 512',
        '',
        'start=2048, size=524288, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="ESP"',
        'start=526336, size=204800, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, name="ROOT"',
        '',
      ].join('\n'),
    );
  });
});

describe("systemd-boot's files on the ESP", () => {
  it('boots slot A without a menu and without an editable command line', () => {
    assert.equal(loaderConf(), 'timeout 0\neditor no\ndefault strata-a*\n');
  });

  it("names slot A's entry with a tries counter, so that systemd-boot's boot assessment applies", () => {
    assert.equal(BOOT_TRIES, 3);
    assert.equal(slotAEntryFile(), '/loader/entries/strata-a+3.conf');
  });

  it("points slot A's entry at its kernel and initramfs under /strata/a with the root by its label", () => {
    assert.equal(
      slotAEntry('9.8.7', diskKernelOptions('strata-root')),
      [
        'title Strata node image 9.8.7 (slot A)',
        'version 9.8.7',
        'sort-key strata',
        'linux /strata/a/vmlinuz',
        'initrd /strata/a/initrd.img',
        'options root=LABEL=strata-root rw console=ttyS0',
        '',
      ].join('\n'),
    );
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
