// A lab machine installed from the network, as a bare-metal machine is (ADR 0092): its disk is empty, so its UEFI
// firmware boots the NIC's iPXE, which the lab's DHCP points at Strata's boot server; the machine's group selects the
// install profile (the image's kernel and initramfs with strata.install.* arguments), whose initramfs streams the
// compressed disk image from the boot server onto the disk and reboots. From then on the firmware boots the disk: its
// systemd-boot picks slot A, whose entry now asks Ignition for the machine's config with os=installed, which the boot
// server answers from the installed group's profile. The config holds the check: on the first boot it reports and
// reboots, on the second it reports that Ignition did not run again. The launcher never chooses a kernel. The lab's
// install mode (testing/node-image-lab.ts) is the lab cluster's too.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureNodeImage, FIRSTBOOT_ARGS, PARTITION_LABELS, type NodeImage } from '@strata/node-image';
import { ignitionConfig, type CheckedBoot } from '@strata/node-image/testing';
import { nodeImageAssetPaths } from '@strata/platform-bare-metal';
import { slotStatusSchema } from '@strata/update-engine';
import { z } from 'zod';
import { startNodeImageLab, type NodeImageLab } from './testing/node-image-lab.ts';

/** The install's download and write, and two boots of the installed disk, under TCG. */
const TEST_TIMEOUT_MS = 40 * 60_000;
const BOOTS_TIMEOUT_MS = 35 * 60_000;
const MAC = '52:54:00:1a:0c:01';
const HOSTNAME = 'install-1';
/** The lab's installed machines have 8 GiB disks, larger than the image (4.4 GiB), as a real disk is. */
const DISK_SECTORS = (8 * 1024 ** 3) / 512;

const seconds = (ms: number | undefined): string => (ms === undefined ? 'never seen' : `${(ms / 1000).toFixed(1)} s`);

/**
 * The installed machine's part of the check (which comes with its Ignition config): `boot <n> <key> <value>` lines;
 * the first boot reboots, the second ends the test.
 */
const CHECK_SCRIPT = String.raw`
S=/var/lib/strata-install-check
mkdir -p $S
n=$(( $(cat $S/boots 2>/dev/null || echo 0) + 1 ))
echo $n > $S/boots
sync
say "boot $n uptime $(cut -d' ' -f1 /proc/uptime)"
say "boot $n cmdline $(cat /proc/cmdline)"
say "boot $n version $(. /etc/os-release && echo $VERSION_ID)"
say "boot $n hostname $(hostname)"
say "boot $n machine-id $(cat /etc/machine-id)"
say "boot $n slots $(strata-usr-update status --json 2>&1)"
say "boot $n firstboot-complete $(systemctl is-active strata-firstboot-complete.service)"
say "boot $n entry-options $(sed -n 's/^options //p' /efi/loader/entries/strata-a*.conf)"
say "boot $n table $(sfdisk --json /dev/vda | tr -d '
')"
say "boot $n failed-units $(systemctl list-units --state=failed --plain --no-legend | cut -d' ' -f1 | tr '
' ' ')"
if [ $n -eq 1 ]; then
  sync
  systemctl reboot
  sleep 600
fi
`;

/** sfdisk's answer: the partitions' names and the backup table's place. */
const sfdiskTableSchema = z.object({
  partitiontable: z.object({ lastlba: z.number().int(), partitions: z.array(z.object({ name: z.string() })) }),
});

describe('a lab machine installed from the network onto its disk', { timeout: TEST_TIMEOUT_MS }, () => {
  let image: NodeImage;
  let lab: NodeImageLab | undefined;
  let boot: CheckedBoot;

  before(
    async () => {
      image = await ensureNodeImage();
      lab = await startNodeImageLab(
        image,
        // The installed machine's own config, as a provisioned machine's Ignition writes it: a hostname.
        [
          {
            mac: MAC,
            hostname: HOSTNAME,
            ignition: ignitionConfig({ files: [{ path: '/etc/hostname', contents: `${HOSTNAME}\n` }] }),
          },
        ],
        { name: 'install-lab', install: true },
      );
      boot = await lab.boot(MAC, {
        timeoutMs: BOOTS_TIMEOUT_MS,
        memoryMiB: 1536,
        checkScript: CHECK_SCRIPT,
        // A clean lab installs at the first attempt.
        failWhen: [/strata-install: (refused|attempt \d+ failed): .*/],
      });
      process.stderr.write(
        `[install-lab] the second boot's check ended ${seconds(boot.durationMs)} after power-on\n` +
          `${boot.serialLog.match(/strata-install: .*/g)?.join('\n') ?? ''}\n` +
          `${boot.check.filter((line) => /^boot \d uptime /.test(line)).join('\n')}\n`,
      );
    },
    { timeout: TEST_TIMEOUT_MS },
  );

  after(async () => {
    await lab?.close();
  });

  const value = (bootNumber: number, key: string): string => {
    const prefix = `boot ${bootNumber} ${key} `;
    const line = boot.check.find((candidate) => candidate.startsWith(prefix));
    assert.ok(line !== undefined, `boot ${bootNumber} printed no ${key}:\n${boot.check.join('\n')}`);
    return line.slice(prefix.length);
  };

  it('boots the install profile over the network once, and fetches the image once', () => {
    const requests = lab?.answered() ?? [];
    const count = (path: string) => requests.filter((request) => request === `200 ${path}`).length;
    // Where `strata node-image publish` puts the release, and the bare-metal flow's install profile fetches it.
    const release = nodeImageAssetPaths(image.version);
    assert.equal(count(release.kernel), 1, requests.join('\n'));
    assert.equal(count(release.initrd), 1, requests.join('\n'));
    assert.equal(count(release.installImage), 1, requests.join('\n'));
    assert.match(boot.serialLog, /strata-install: wrote and checked the image in \d+ s/);
    assert.match(boot.serialLog, /strata-install: installed in \d+ s; rebooting into the installed system/);
  });

  it("boots the installed disk through its own boot loader, whose first boot runs Ignition with the installed profile's config", () => {
    // One fetch, answered: the install group's profile names a config the server lacks (404), so a 200 is the
    // installed group's, which only os=installed selects. (The server logs paths without their queries.)
    assert.deepEqual(
      (lab?.answered() ?? []).filter((request) => request.includes('/ignition')),
      ['200 /ignition'],
    );
    assert.match(
      boot.serialLog,
      new RegExp(
        `strata-install: the first boot's Ignition config: \\S+/ignition\\?mac=${MAC.replaceAll(':', '-')}&os=installed`,
      ),
    );
    const cmdline = value(1, 'cmdline');
    for (const arg of FIRSTBOOT_ARGS) assert.ok(cmdline.split(' ').includes(arg), `${arg} missing from ${cmdline}`);
    assert.match(cmdline, /mount\.usr=PARTLABEL=USR-A/);
    assert.equal(value(1, 'hostname'), HOSTNAME);
    assert.equal(value(1, 'version'), image.version);
    assert.equal(slotStatusSchema.parse(JSON.parse(value(1, 'slots'))).booted, 'a');
    assert.equal(value(1, 'firstboot-complete'), 'active');
    // The entry lost the first-boot arguments before the check read it.
    assert.doesNotMatch(value(1, 'entry-options'), /ignition/);
    assert.equal(value(1, 'failed-units').trim(), '');
  });

  it('boots again without Ignition: the same machine, no first-boot arguments, nothing fetched', () => {
    const cmdline = value(2, 'cmdline');
    assert.doesNotMatch(cmdline, /ignition|rd\.neednet/);
    assert.equal(value(2, 'machine-id'), value(1, 'machine-id'));
    assert.equal(value(2, 'hostname'), HOSTNAME);
    assert.equal(value(2, 'firstboot-complete'), 'inactive');
    assert.equal(value(2, 'failed-units').trim(), '');
    assert.ok(boot.check.includes('end'));
  });

  it("leaves the image's partitions on the disk, the backup table at the disk's end", () => {
    const { partitiontable } = sfdiskTableSchema.parse(JSON.parse(value(2, 'table')));
    assert.deepEqual(
      partitiontable.partitions.map((partition) => partition.name),
      [PARTITION_LABELS.esp, PARTITION_LABELS.usrA, PARTITION_LABELS.usrB, PARTITION_LABELS.root],
    );
    assert.equal(partitiontable.lastlba, DISK_SECTORS - 34);
  });
});
