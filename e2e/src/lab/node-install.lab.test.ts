// A lab machine installed from the network, as a bare-metal machine is (ADR 0092): its disk is empty, so its UEFI
// firmware boots the NIC's iPXE, which the lab's DHCP points at Strata's boot server; the machine's group selects the
// install profile (the image's kernel and initramfs with strata.install.* arguments), whose initramfs streams the
// compressed disk image from the boot server onto the disk and reboots. From then on the firmware boots the disk: its
// systemd-boot picks slot A, whose entry now asks Ignition for the machine's config with os=installed, which the boot
// server answers from the installed group's profile. The config holds the check: on the first boot it reports and
// reboots, on the second it reports that Ignition did not run again. The launcher never chooses a kernel.
import assert from 'node:assert/strict';
import { copyFile, link, mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sha256File } from '@strata/binaries';
import { DataDirectoryStore, startBootServer, type BootServer } from '@strata/boot-server';
import { aGroup, aProfile, captureLogger, writeDataDir, type CapturedLogger } from '@strata/boot-server/testing';
import { logTail, runCommand } from '@strata/host';
import { LabNetwork, startLabMachine } from '@strata/lab';
import {
  ensureNodeImage,
  FIRSTBOOT_ARGS,
  installKernelArguments,
  PARTITION_LABELS,
  readPartitionTable,
  type NodeImage,
} from '@strata/node-image';
import { CHECK_PREFIX, ignitionConfig, watchCheckedBoot, type CheckedBoot } from '@strata/node-image/testing';
import { z } from 'zod';
import { slotStatusSchema } from '@strata/update-engine';

/** The install's download and write, and two boots of the installed disk, under TCG. */
const TEST_TIMEOUT_MS = 40 * 60_000;
const BOOTS_TIMEOUT_MS = 35 * 60_000;
const MAC = '52:54:00:1a:0c:01';
const HOSTNAME = 'install-1';
/** Larger than the image (4.4 GiB), as a real disk is: the install moves the backup GPT to its end. */
const DISK_BYTES = 8 * 1024 ** 3;

const seconds = (ms: number | undefined): string => (ms === undefined ? 'never seen' : `${(ms / 1000).toFixed(1)} s`);

/**
 * The installed machine's check, from its Ignition config: `boot <n> <key> <value>` lines on the serial console; the
 * first boot reboots, the second ends the test.
 */
const CHECK_SCRIPT = String.raw`#!/bin/sh
say() { printf '%s\n' "${CHECK_PREFIX} $*" >/dev/ttyS0; }
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
say "boot $n entries $(ls /efi/loader/entries | tr '\n' ' ')"
say "boot $n entry-options $(sed -n 's/^options //p' /efi/loader/entries/strata-a*.conf)"
say "boot $n root $(findmnt -n -o SOURCE /) usr $(findmnt -n -o SOURCE /usr)"
say "boot $n failed-units $(systemctl list-units --state=failed --plain --no-legend | cut -d' ' -f1 | tr '\n' ' ')"
if [ $n -eq 1 ]; then
  sync
  systemctl reboot
  sleep 600
fi
say end
`;

const CHECK_UNIT = `[Unit]
Description=Strata install lab check
After=multi-user.target strata-firstboot-complete.service

[Service]
Type=oneshot
ExecStart=/bin/sh /etc/strata-install-check.sh

[Install]
WantedBy=multi-user.target
`;

/** The installed machine's config, as a provisioned machine's Ignition writes it: a hostname and the check. */
const installedConfig = (): string =>
  ignitionConfig({
    files: [
      { path: '/etc/hostname', contents: `${HOSTNAME}\n` },
      { path: '/etc/strata-install-check.sh', contents: CHECK_SCRIPT, mode: 0o755 },
    ],
    units: [{ name: 'strata-install-check.service', enabled: true, contents: CHECK_UNIT }],
  });

/** sfdisk's answer for the backup table's place. */
const sfdiskTableSchema = z.object({ partitiontable: z.object({ lastlba: z.number().int() }) });

describe('a lab machine installed from the network onto its disk', { timeout: TEST_TIMEOUT_MS }, () => {
  let image: NodeImage;
  let workDir: string;
  let network: LabNetwork | undefined;
  let store: DataDirectoryStore | undefined;
  let server: BootServer | undefined;
  let log: CapturedLogger;
  let disk: string;
  let boot: CheckedBoot;
  let installedAt: number | undefined;

  before(
    async () => {
      image = await ensureNodeImage();
      workDir = await mkdtemp(join(tmpdir(), 'strata-install-lab-'));
      network = await LabNetwork.create({ workDir, name: 'install-lab' });
      const nic = await network.addMachine({ mac: MAC, hostname: HOSTNAME });
      const assets = join(workDir, 'assets');
      const data = join(workDir, 'data');
      await mkdir(assets);
      await mkdir(data);
      await copyFile(image.kernel, join(assets, 'vmlinuz'));
      await copyFile(image.initrd, join(assets, 'initrd.img'));
      // The image is large: a hard link where the cache and the lab share a file system.
      await link(image.installImage, join(assets, 'disk.img.zst')).catch(() =>
        copyFile(image.installImage, join(assets, 'disk.img.zst')),
      );
      const imageSha256 = await sha256File(join(assets, 'disk.img.zst'));
      log = captureLogger('debug');
      store = await DataDirectoryStore.open({ dataPath: data, logger: log.logger });
      server = await startBootServer({
        address: `${network.hostAddress}:0`,
        store,
        assetsPath: assets,
        logger: log.logger,
      });
      const base = `http://${network.hostAddress}:${new URL(server.url).port}`;
      await writeDataDir(data, {
        profiles: [
          aProfile({
            id: 'install',
            boot: {
              kernel: '/assets/vmlinuz',
              initrd: ['/assets/initrd.img'],
              args: [
                // Under UEFI, the kernel's EFI stub finds the initramfs iPXE loaded by this name (this iPXE does not
                // offer it through the stub's LoadFile2 protocol).
                'initrd=initrd.img',
                'console=ttyS0',
                ...installKernelArguments({
                  device: '/dev/vda',
                  imageUrl: `${base}/assets/disk.img.zst`,
                  imageSha256,
                  // iPXE expands ${mac:hexhyp} before the kernel sees its command line.
                  ignitionUrl: `${base}/ignition?mac=\${mac:hexhyp}&os=installed`,
                }),
              ],
            },
            ignition_id: 'missing-install.ign',
          }),
          // The installed system boots from its disk: this profile only serves its Ignition config, as the
          // bare-metal flow's installed profiles do.
          aProfile({ id: 'installed', boot: { kernel: '', initrd: [], args: [] }, ignition_id: `${HOSTNAME}.ign` }),
        ],
        groups: [
          aGroup({ id: `${HOSTNAME}-install`, profile: 'install', selector: { mac: MAC } }),
          aGroup({ id: `${HOSTNAME}-installed`, profile: 'installed', selector: { mac: MAC, os: 'installed' } }),
        ],
        ignition: { [`${HOSTNAME}.ign`]: installedConfig() },
      });
      await store.refresh();
      await network.startDhcp({ bootfileUrl: `${base}/boot.ipxe` });

      const machineDir = join(workDir, 'machine');
      await mkdir(machineDir);
      disk = join(machineDir, 'disk.img');
      await writeFile(disk, '');
      await truncate(disk, DISK_BYTES);
      const startedAt = performance.now();
      const machine = await startLabMachine({
        network,
        nic,
        workDir: machineDir,
        disk,
        boot: 'disk-then-network',
        firmware: 'uefi',
        memoryMiB: 1536,
        removeWhenOrphaned: [machineDir],
      });
      let exited = false;
      void machine.process.exited.then(() => (exited = true));
      const installWatch = (async () => {
        while (!exited && installedAt === undefined) {
          const serial = await readFile(machine.serialFile, 'utf8').catch(() => '');
          if (/strata-install: installed in/.test(serial)) installedAt = performance.now() - startedAt;
          await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
      })();
      try {
        boot = await watchCheckedBoot(machine.process, machine.serialFile, startedAt, {
          timeoutMs: BOOTS_TIMEOUT_MS,
          // A clean lab installs at the first attempt.
          failWhen: [/strata-install: (refused|attempt \d+ failed): .*/],
          describe: async () =>
            `QEMU: ${machine.commandLine}\nQEMU log:\n${await logTail(machine.logFile, 20)}\n` +
            `The lab's DHCP server:\n${await logTail(network?.dhcpLogFile ?? '', 12)}\n` +
            `The boot server answered:\n${answered().join('\n')}`,
        });
      } finally {
        await machine.process.stop();
        exited = true;
        await installWatch;
      }
      const install = /strata-install: .*/g;
      process.stderr.write(
        `[install-lab] installed at ${seconds(installedAt)} from power-on; the second boot's check ended at ` +
          `${seconds(boot.durationMs)}\n${boot.serialLog.match(install)?.join('\n') ?? ''}\n` +
          `${boot.serialLog.match(/STRATA-CHECK boot \d uptime [\d.]+/g)?.join('\n') ?? ''}\n`,
      );
    },
    { timeout: TEST_TIMEOUT_MS },
  );

  after(async () => {
    await server?.close();
    await store?.close();
    await network?.close();
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  });

  /** `status path` of each request the boot server answered. */
  function answered(): string[] {
    return log
      .lines()
      .filter((line) => line['msg'] === 'request')
      .map((line) => `${String(line['status'])} ${String(line['path'])}`);
  }

  const value = (bootNumber: number, key: string): string => {
    const prefix = `boot ${bootNumber} ${key} `;
    const line = boot.check.find((candidate) => candidate.startsWith(prefix));
    assert.ok(line !== undefined, `boot ${bootNumber} printed no ${key}:\n${boot.check.join('\n')}`);
    return line.slice(prefix.length);
  };

  it('boots the install profile over the network once, and fetches the image once', () => {
    const requests = answered();
    const count = (pattern: RegExp) => requests.filter((request) => pattern.test(request)).length;
    assert.equal(count(/^200 \/assets\/vmlinuz$/), 1, requests.join('\n'));
    assert.equal(count(/^200 \/assets\/initrd\.img$/), 1, requests.join('\n'));
    assert.equal(count(/^200 \/assets\/disk\.img\.zst$/), 1, requests.join('\n'));
    assert.match(boot.serialLog, /strata-install: wrote and checked the image in \d+ s/);
    assert.match(boot.serialLog, /strata-install: installed in \d+ s; rebooting into the installed system/);
  });

  it("boots the installed disk through its own boot loader, whose first boot runs Ignition with the installed profile's config", () => {
    const requests = answered();
    // One fetch, answered: the install group's profile names a config the server lacks (404), so a 200 is the
    // installed group's, which only os=installed selects. (The server logs paths without their queries.)
    assert.deepEqual(
      requests.filter((request) => request.includes('/ignition')),
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

  it("leaves the image's partitions on the disk, the backup table at the disk's end", async () => {
    const table = await readPartitionTable(disk);
    assert.deepEqual(
      table.map((partition) => partition.name),
      [PARTITION_LABELS.esp, PARTITION_LABELS.usrA, PARTITION_LABELS.usrB, PARTITION_LABELS.root],
    );
    const sfdisk = await runCommand('sfdisk', ['--json', disk]);
    assert.equal(sfdiskTableSchema.parse(JSON.parse(sfdisk.stdout)).partitiontable.lastlba, DISK_BYTES / 512 - 34);
  });
});
