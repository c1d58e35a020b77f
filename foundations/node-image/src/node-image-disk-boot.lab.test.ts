// Strata's node image booted as a machine boots it: from its own GPT disk under UEFI firmware (Debian's OVMF, TCG),
// through systemd-boot on the disk's ESP, with no kernel, initramfs or command line from QEMU (ADR 0087), and then
// updated A/B (ADR 0090). The machine boots slot A, /usr read-only from USR-A; `strata-usr-update` refuses a payload
// whose SHA-256 is wrong, then writes a good one (the image's /usr with another version) into USR-B and arms slot
// B's entry with one try; the machine reboots into slot B, whose /usr is the payload's, and systemd-bless-boot marks
// it good. It then writes a payload that cannot boot (its initramfs is no archive) into USR-A; slot A's one try
// panics and the machine comes back on slot B, whose tool reports the rollback. One QEMU process throughout: the
// reboots are the guest's own, the firmware's variables and the disk live on. The check (a copy of the disk's root
// with the check enabled) reports from inside the guest at each boot that reaches it; the times come from the console.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CONTAINERD_VERSION } from '@strata/binaries';
import {
  BOOT_TRIES,
  ensureNodeImage,
  PARTITION_LABELS,
  readPartitionTable,
  SLOT_A_ENTRY_ID,
  UPDATE_BOOT_TRIES,
  type NodeImage,
} from '@strata/node-image';
import { slotStatusSchema } from '@strata/update-engine';
import { bootDiskWithCheck, deriveUsrPayload, type CheckedBoot, type UsrPayload } from '@strata/node-image/testing';

/** Three boots that reach the check and one that panics, with two writes of the /usr image, under TCG. */
const TEST_TIMEOUT_MS = 40 * 60_000;
const BOOTS_TIMEOUT_MS = 30 * 60_000;
const WRONG_SUM = '0'.repeat(64);
/** The payload the wrong digest is given for: small, since the tool reads all of it before it refuses. */
const SMALL_PAYLOAD_BYTES = 1024 * 1024;

const seconds = (ms: number | undefined): string => (ms === undefined ? 'never seen' : `${(ms / 1000).toFixed(1)} s`);

/** The check's lines for each boot: `boot <n> <key> <value>`; the tool's and the kernel's answers as they printed. */
function checkScript(good: UsrPayload, broken: UsrPayload): string {
  return String.raw`
S=/var/lib/strata-ab-test
mkdir -p $S
n=$(( $(cat $S/boots 2>/dev/null || echo 0) + 1 ))
echo $n > $S/boots
sync
say "boot $n entry $(loader_var LoaderEntrySelected)"
say "boot $n usr-partlabel $(blkid -s PARTLABEL -o value $(findmnt -n -o SOURCE /usr | tail -n 1))"
say "boot $n usr-options $(findmnt -n -o OPTIONS /usr | tail -n 1)"
say "boot $n usr-write $(touch /usr/strata-ab-test 2>&1 || true)"
say "boot $n version $(. /etc/os-release && echo $VERSION_ID)"
# A counted entry is blessed at boot-complete.target; a good one has nothing to bless.
if [ "$(loader_var LoaderBootCountPath)" != none ]; then
  i=0
  while [ "$(systemctl is-active systemd-bless-boot.service)" != active ] && [ $i -lt 180 ]; do sleep 1; i=$((i+1)); done
fi
say "boot $n bless $(systemctl is-active systemd-bless-boot.service)"
say "boot $n status $(strata-usr-update status --json 2>&1)"
try_install() {
  started=$(date +%s)
  strata-usr-update install "$1" "$2" >$S/out 2>&1
  rc=$?
  say "boot $n $3 rc $rc seconds $(( $(date +%s) - started )) $(tr '\n' ' ' <$S/out)"
  say "boot $n $3-status $(strata-usr-update status --json 2>&1)"
  say "boot $n $3-entries $(ls /efi/loader/entries | tr '\n' ' ')"
}
case $n in
  1)
    try_install /dev/vdd ${WRONG_SUM} wrong-sum
    try_install /dev/vdb ${good.sha256} install
    systemctl reboot
    sleep 600
    ;;
  2)
    try_install /dev/vdc ${broken.sha256} install
    systemctl reboot
    sleep 600
    ;;
  *)
    say "boot $n entries $(ls /efi/loader/entries | tr '\n' ' ')"
    ;;
esac
`;
}

describe(
  "Strata's node image booted from its GPT disk under UEFI, updated A/B and rolled back",
  { timeout: TEST_TIMEOUT_MS },
  () => {
    let image: NodeImage;
    let workDir: string;
    let good: UsrPayload;
    let broken: UsrPayload;
    let small: string;
    let boot: CheckedBoot;

    // Its own limit: a hook takes the runner's --test-timeout (npm test's lanes: 10 minutes), not its suite's, and the
    // boots alone take about 8.5 minutes on an idle machine.
    before(
      async () => {
        image = await ensureNodeImage();
        workDir = await mkdtemp(join(tmpdir(), 'strata-ab-update-'));
        good = await deriveUsrPayload(image, join(workDir, 'good-usr.ext4'), { version: `${image.version}.1` });
        broken = await deriveUsrPayload(image, join(workDir, 'broken-usr.ext4'), {
          version: `${image.version}.2`,
          breakInitramfs: true,
        });
        small = join(workDir, 'small.img');
        await writeFile(small, Buffer.alloc(SMALL_PAYLOAD_BYTES));
        boot = await bootDiskWithCheck(image, {
          timeoutMs: BOOTS_TIMEOUT_MS,
          tbSizeMiB: 256,
          memoryMiB: 1024,
          allowReboot: true,
          extraDrives: [good.path, broken.path, small],
          checkScript: checkScript(good, broken),
        });
        const { marks } = boot;
        process.stderr.write(
          `[node-image] disk boot: power-on → systemd-boot started ${seconds(marks.bootLoader)}, → kernel's EFI stub ` +
            `${seconds(marks.efiStub)}, → kernel ${seconds(marks.kernel)}, → initramfs ${seconds(marks.initramfs)}, ` +
            `→ systemd of the root ${seconds(marks.systemd)}, → multi-user.target ${seconds(marks.multiUser)} ` +
            `(the first boot; serial console, polled every 100 ms)\n` +
            `[node-image] A/B update: ${seconds(boot.durationMs)} from the first power-on to the check's end on the third ` +
            `boot that reached it; the tool's runs:\n${boot.check.filter((line) => / rc \d+ seconds /.test(line)).join('\n')}\n`,
        );
      },
      { timeout: TEST_TIMEOUT_MS },
    );

    after(async () => {
      if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
    });

    const value = (bootNumber: number, key: string): string => {
      const prefix = `boot ${bootNumber} ${key} `;
      const line = boot.check.find((candidate) => candidate.startsWith(prefix) || candidate === prefix.trimEnd());
      assert.ok(line !== undefined, `boot ${bootNumber} printed no ${key}:\n${boot.check.join('\n')}`);
      return line.slice(prefix.length);
    };
    const status = (bootNumber: number, key = 'status') => slotStatusSchema.parse(JSON.parse(value(bootNumber, key)));

    it('lays the disk out as ESP, USR-A, USR-B and ROOT', async () => {
      const table = await readPartitionTable(image.disk);
      assert.deepEqual(
        table.map((partition) => partition.name),
        [PARTITION_LABELS.esp, PARTITION_LABELS.usrA, PARTITION_LABELS.usrB, PARTITION_LABELS.root],
      );
    });

    const first = (key: string): string | undefined =>
      boot.check.find((line) => line.startsWith(`${key} `))?.slice(key.length + 1);

    it('boots through the firmware into systemd-boot and then the kernel, in that order on the console', () => {
      const { bootLoader, efiStub, kernel, systemd } = boot.marks;
      assert.ok(bootLoader !== undefined, 'the firmware never started a boot loader');
      assert.ok(efiStub !== undefined && kernel !== undefined && systemd !== undefined, JSON.stringify(boot.marks));
      assert.ok(bootLoader <= efiStub && efiStub <= kernel && kernel <= systemd, JSON.stringify(boot.marks));
      // systemd-boot hands the kernel the entry's options with the initramfs's path on the ESP: QEMU gave no -append.
      assert.match(
        boot.serialLog,
        /Command line: initrd=\\strata\\a\\initrd\.img root=LABEL=strata-root rw mount\.usr=PARTLABEL=USR-A mount\.usrfstype=ext4 mount\.usrflags=ro panic=10 console=ttyS0\r?\n/,
      );
    });

    it("reports systemd-boot and slot A's counted entry in the boot loader's EFI variables", () => {
      assert.equal(first('efi'), 'yes');
      assert.match(first('loader-var LoaderInfo') ?? '', /^systemd-boot \d+/);
      // systemd-boot 252 names the entry by its file name, counter included.
      assert.equal(first('loader-var LoaderEntrySelected'), `${SLOT_A_ENTRY_ID}+${BOOT_TRIES}.conf`);
      // Boot assessment: this boot counted one try, so the entry is renamed to tries left 2, done 1.
      assert.equal(
        first('loader-var LoaderBootCountPath'),
        `\\loader\\entries\\${SLOT_A_ENTRY_ID}+${BOOT_TRIES - 1}-1.conf`,
      );
    });

    it("reaches multi-user.target on the image's root with containerd active and answering", () => {
      assert.equal(first('os-release'), `strata ${image.version}`);
      assert.ok(Number(first('active-enter-us multi-user.target')) > 0, boot.check.join('\n'));
      assert.equal(first('containerd'), 'active');
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

    it('boots slot A first, with /usr read-only from USR-A, and marks its entry good', () => {
      assert.equal(value(1, 'entry'), `${SLOT_A_ENTRY_ID}+${BOOT_TRIES}.conf`);
      assert.equal(value(1, 'usr-partlabel'), PARTITION_LABELS.usrA);
      assert.match(value(1, 'usr-options'), /^ro(,|$)/);
      assert.match(value(1, 'usr-write'), /Read-only file system/);
      assert.equal(value(1, 'version'), image.version);
      assert.equal(value(1, 'bless'), 'active');
      assert.deepEqual(status(1), {
        booted: 'a',
        version: image.version,
        slots: { a: { state: 'good', version: image.version }, b: { state: 'empty', version: '' } },
        rolledBackFrom: null,
      });
    });

    it('refuses a payload whose SHA-256 is not the one given, and arms nothing', () => {
      const answer = value(1, 'wrong-sum');
      assert.match(answer, /^rc 1 /);
      const smallSum = createHash('sha256').update(Buffer.alloc(SMALL_PAYLOAD_BYTES)).digest('hex');
      assert.ok(answer.includes(`the payload's SHA-256 is ${smallSum}, not ${WRONG_SUM}: nothing was written`), answer);
      assert.equal(status(1, 'wrong-sum-status').slots.b.state, 'empty');
      assert.equal(value(1, 'wrong-sum-entries').trim(), `${SLOT_A_ENTRY_ID}.conf`);
    });

    it("writes a good payload into USR-B and arms slot B's entry with one try", () => {
      assert.match(value(1, 'install'), new RegExp(`^rc 0 .* ${good.version.replaceAll('.', '\\.')} is in slot B`));
      assert.equal(value(1, 'install-entries').trim(), `${SLOT_A_ENTRY_ID}.conf strata-b+${UPDATE_BOOT_TRIES}.conf`);
      assert.deepEqual(status(1, 'install-status').slots.b, { state: 'pending', version: good.version });
    });

    it("reboots into slot B: the payload's version, /usr from USR-B read-only, blessed", () => {
      assert.equal(value(2, 'entry'), `strata-b+${UPDATE_BOOT_TRIES}.conf`);
      assert.equal(value(2, 'usr-partlabel'), PARTITION_LABELS.usrB);
      assert.match(value(2, 'usr-options'), /^ro(,|$)/);
      assert.equal(value(2, 'version'), good.version);
      assert.equal(value(2, 'bless'), 'active');
      assert.deepEqual(status(2), {
        booted: 'b',
        version: good.version,
        slots: { a: { state: 'good', version: image.version }, b: { state: 'good', version: good.version } },
        rolledBackFrom: null,
      });
    });

    it('falls back to slot B when the next payload, in slot A, does not boot, and reports the rollback', () => {
      assert.match(value(2, 'install'), /^rc 0 .* is in slot A/);
      // The broken slot's one try: its kernel found no root and panicked (the entry's panic=10 rebooted it).
      const afterSecondInstall = boot.serialLog.slice(boot.serialLog.indexOf('boot 2 install-entries'));
      assert.match(afterSecondInstall, /Kernel panic - not syncing/);
      assert.equal(value(3, 'entry'), 'strata-b.conf');
      assert.equal(value(3, 'usr-partlabel'), PARTITION_LABELS.usrB);
      assert.equal(value(3, 'version'), good.version);
      assert.deepEqual(status(3), {
        booted: 'b',
        version: good.version,
        slots: { a: { state: 'bad', version: broken.version }, b: { state: 'good', version: good.version } },
        rolledBackFrom: broken.version,
      });
      assert.equal(value(3, 'entries').trim(), `strata-a+0-${UPDATE_BOOT_TRIES}.conf strata-b.conf`);
    });
  },
);
