// Strata's node image booted as a machine boots it: from its own GPT disk under UEFI firmware (Debian's OVMF, TCG),
// through systemd-boot on the disk's ESP and slot A's entry, with no kernel, initramfs or command line from QEMU
// (ADR 0087). A copy of the disk with the check enabled in its root proves from inside the guest which loader and
// entry booted it, that the root is the image's and that containerd is active; the times come from the console.
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import { CONTAINERD_VERSION } from '@strata/binaries';
import {
  BOOT_TRIES,
  ensureNodeImage,
  NodeImageBootError,
  PARTITION_LABELS,
  readPartitionTable,
  SLOT_A_ENTRY_ID,
  STRATA_NODE_IMAGE_VERSION,
  type NodeImage,
} from '@strata/node-image';
import { bootDiskWithCheck, processesNaming, type CheckedBoot } from '@strata/node-image/testing';

/** Firmware and boot loader add a few seconds to the direct boot's 40–60 s under TCG; a loaded machine takes longer. */
const BOOT_TIMEOUT_MS = 300_000;
const BUILD_TIMEOUT_MS = 900_000;

const seconds = (ms: number | undefined): string => (ms === undefined ? 'never seen' : `${(ms / 1000).toFixed(1)} s`);

describe(
  "Strata's node image booted from its GPT disk under UEFI",
  { timeout: BUILD_TIMEOUT_MS + BOOT_TIMEOUT_MS },
  () => {
    let image: NodeImage;
    let boot: CheckedBoot;

    before(async () => {
      image = await ensureNodeImage();
      boot = await bootDiskWithCheck(image, {
        timeoutMs: BOOT_TIMEOUT_MS,
        tbSizeMiB: 256,
        memoryMiB: 1024,
        // Boot assessment from the guest's side: the bless service, its verdict, and the entry's name on the ESP after.
        checkScript: [
          'say "bless-boot $(systemctl is-active systemd-bless-boot.service)"',
          'say "bless-boot-status $(/lib/systemd/systemd-bless-boot status 2>&1)"',
          "say \"esp-entries $(ls /efi/loader/entries 2>&1 | tr '\\n' ' ')\"",
          // After the ls above, which triggers gpt-auto's automount if bless-boot has not.
          'say "esp-mount $(findmnt -n -o SOURCE,FSTYPE /efi | tail -n 1) $(blkid -s PARTLABEL -o value $(findmnt -n -o SOURCE /efi | tail -n 1))"',
        ].join('\n'),
      });
      const { marks } = boot;
      process.stderr.write(
        `[node-image] disk boot: power-on → systemd-boot started ${seconds(marks.bootLoader)}, → kernel's EFI stub ` +
          `${seconds(marks.efiStub)}, → kernel ${seconds(marks.kernel)}, → initramfs ${seconds(marks.initramfs)}, ` +
          `→ systemd of the root ${seconds(marks.systemd)}, → multi-user.target ${seconds(marks.multiUser)}, ` +
          `→ check done ${seconds(marks.checkEnd)} (serial console, polled every 100 ms)\n` +
          `[node-image] ${boot.check.filter((line) => line.startsWith('loader-var ')).join('; ')}\n` +
          `[node-image] guest clock: ${boot.check.filter((line) => line.startsWith('active-enter-us ')).join('; ')}\n` +
          `[node-image] ${boot.check.filter((line) => line.startsWith('failed-units')).join('; ')}\n`,
      );
    });

    const value = (key: string): string | undefined =>
      boot.check.find((line) => line.startsWith(`${key} `))?.slice(key.length + 1);

    it('is a GPT disk with the ESP and the root partition, each named', async () => {
      const table = await readPartitionTable(image.disk);
      assert.deepEqual(
        table.map((partition) => partition.name),
        [PARTITION_LABELS.esp, PARTITION_LABELS.root],
      );
    });

    it('boots through the firmware into systemd-boot and then the kernel, in that order on the console', () => {
      const { bootLoader, efiStub, kernel, systemd } = boot.marks;
      assert.ok(bootLoader !== undefined, 'the firmware never started a boot loader');
      assert.ok(efiStub !== undefined && kernel !== undefined && systemd !== undefined, JSON.stringify(boot.marks));
      assert.ok(bootLoader <= efiStub && efiStub <= kernel && kernel <= systemd, JSON.stringify(boot.marks));
      // systemd-boot hands the kernel the entry's options with the initramfs's path on the ESP: QEMU gave no -append.
      assert.match(
        boot.serialLog,
        /Command line: initrd=\\strata\\a\\initrd\.img root=LABEL=strata-root rw console=ttyS0\r?\n/,
      );
    });

    it("reports systemd-boot and slot A's counted entry in the boot loader's EFI variables", () => {
      assert.equal(value('efi'), 'yes');
      assert.match(value('loader-var LoaderInfo') ?? '', /^systemd-boot \d+/);
      // systemd-boot 252 names the entry by its file name, counter included.
      assert.equal(value('loader-var LoaderEntrySelected'), `${SLOT_A_ENTRY_ID}+${BOOT_TRIES}.conf`);
      // Boot assessment: this boot counted one try, so the entry is renamed to tries left 2, done 1.
      assert.equal(
        value('loader-var LoaderBootCountPath'),
        `\\loader\\entries\\${SLOT_A_ENTRY_ID}+${BOOT_TRIES - 1}-1.conf`,
      );
    });

    it('marks the booted entry good once the boot completes (systemd-bless-boot drops its counter on the ESP)', () => {
      assert.equal(value('bless-boot'), 'active', boot.check.join('\n'));
      assert.equal(value('bless-boot-status'), 'good');
      assert.equal(value('esp-entries')?.trim(), `${SLOT_A_ENTRY_ID}.conf`);
      // The ESP at /efi is the disk's own partition named ESP, mounted by systemd-gpt-auto-generator (no fstab line).
      assert.match(value('esp-mount') ?? '', new RegExp(`^/dev/vda1 vfat ${PARTITION_LABELS.esp}$`));
    });

    it("reaches multi-user.target on the image's root with containerd active and answering", () => {
      assert.equal(value('os-release'), `strata ${STRATA_NODE_IMAGE_VERSION}`);
      assert.ok(Number(value('active-enter-us multi-user.target')) > 0, boot.check.join('\n'));
      assert.equal(value('containerd'), 'active');
      const failed = boot.check.find((line) => line.startsWith('failed-units'));
      assert.equal(failed?.slice('failed-units'.length).trim(), '', `failed units: ${failed ?? 'not reported'}`);
      const ctr = boot.check.filter((line) => line.startsWith('ctr: '));
      const serverAt = ctr.findIndex((line) => line.trim() === 'ctr: Server:');
      assert.ok(serverAt >= 0, `ctr reached no server:\n${ctr.join('\n')}`);
      assert.ok(
        ctr.slice(serverAt).some((line) => line.includes(CONTAINERD_VERSION)),
        ctr.join('\n'),
      );
    });
  },
);

describe('a disk boot that does not finish', () => {
  it('fails with the console, and leaves neither QEMU, nor its disk copy, nor its firmware variables behind', async () => {
    const image = await ensureNodeImage();
    const error = await bootDiskWithCheck(image, { timeoutMs: 3_000 }).then(
      () => assert.fail('a boot cut at 3 s cannot have finished its check'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof NodeImageBootError, String(error));
    assert.match(error.message, /still running after \d+ ms/);
    const workDir = /file=(\/\S+)\/OVMF_VARS\.fd/.exec(error.message)?.[1];
    assert.ok(workDir !== undefined, error.message);
    assert.doesNotMatch(error.message, / -kernel | -initrd | -append /);
    await assert.rejects(access(workDir), { code: 'ENOENT' });
    assert.deepEqual(await processesNaming(workDir), [], 'a process still names the boot directory');
  });
});
