// A lab machine boots Strata's node image over the network, as the machine lab's machines will: real iPXE firmware
// gets its address from the lab's DHCP server, chains to Strata's boot server on the lab's host address, which serves
// the image's kernel and dracut initramfs with the metal platform's kernel arguments; in the initramfs, dracut brings
// the NIC up with DHCP and Ignition fetches the machine's config from the boot server's /ignition (selected by the
// machine's MAC), then writes a file, a unit and a user into the root before the switch. A check unit, added to the
// machine's copy of the root, reports from the booted system. A second machine, which the boot server has no config
// for, shows Ignition retrying and the boot server's answer on its console.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IgnitionBuilder } from '@strata/assets';
import { DataDirectoryStore, startBootServer, type BootServer } from '@strata/boot-server';
import {
  aGroup,
  aProfile,
  captureLogger,
  temporaryDirectory,
  writeDataDir,
  type CapturedLogger,
  type TemporaryDirectory,
} from '@strata/boot-server/testing';
import { logTail } from '@strata/host';
import { LabNetwork, startLabMachine, type LabNic } from '@strata/lab';
import { ensureNodeImage, NodeImageBootError, type NodeImage } from '@strata/node-image';
import {
  checkedBootArguments,
  prepareCheckedDisk,
  sshEd25519PublicKey,
  watchCheckedBoot,
  type CheckedBoot,
} from '@strata/node-image/testing';

/** Firmware, iPXE, the kernel and initramfs over HTTP, Ignition, then the root: minutes under TCG on a busy host. */
const BOOT_TIMEOUT_MS = 360_000;
const BUILD_TIMEOUT_MS = 900_000;
const UNIT = 'strata-lab-hello.service';
const UNIT_MARKER = 'STRATA-LAB-UNIT';

const seconds = (ms: number | undefined): string => (ms === undefined ? 'never seen' : `${(ms / 1000).toFixed(1)} s`);

describe(
  'a lab machine boots the node image over PXE, with Ignition from the boot server',
  {
    timeout: BUILD_TIMEOUT_MS + 2 * BOOT_TIMEOUT_MS,
  },
  () => {
    let image: NodeImage;
    let labDir: TemporaryDirectory;
    let network: LabNetwork;
    let dataDir: TemporaryDirectory;
    let assetsDir: TemporaryDirectory;
    let store: DataDirectoryStore;
    let server: BootServer;
    let log: CapturedLogger;
    let known: LabNic;
    let unknown: LabNic;
    const token = randomUUID();

    before(async () => {
      image = await ensureNodeImage();
      labDir = await temporaryDirectory('strata-lab-pxe-');
      network = await LabNetwork.create({ workDir: labDir.path, name: 'node-image-pxe' });
      known = await network.addMachine({ mac: '52:54:00:1a:e2:01', hostname: 'node-a' });
      unknown = await network.addMachine({ mac: '52:54:00:1a:e2:02', hostname: 'node-b' });
      assetsDir = await temporaryDirectory('strata-lab-pxe-assets-');
      await copyFile(image.kernel, join(assetsDir.path, 'vmlinuz'));
      await copyFile(image.initrd, join(assetsDir.path, 'initrd.img'));
      dataDir = await temporaryDirectory('strata-lab-pxe-data-');
      log = captureLogger('debug');
      store = await DataDirectoryStore.open({ dataPath: dataDir.path, logger: log.logger });
      server = await startBootServer({
        address: `${network.hostAddress}:0`,
        store,
        assetsPath: assetsDir.path,
        logger: log.logger,
      });
      const base = `http://${network.hostAddress}:${new URL(server.url).port}`;
      const ignition = new IgnitionBuilder()
        .file({ path: '/etc/strata/lab-hello', contents: `hello ${token}\n`, mode: 0o640 })
        .unit({
          name: UNIT,
          enabled: true,
          contents: [
            '[Unit]',
            'Description=A unit Ignition wrote and enabled',
            '[Service]',
            'Type=oneshot',
            'RemainAfterExit=yes',
            `ExecStart=/bin/sh -c 'echo ${UNIT_MARKER} ran >/dev/ttyS0'`,
            '[Install]',
            'WantedBy=multi-user.target',
            '',
          ].join('\n'),
        })
        .user({ name: 'core', sshAuthorizedKeys: [sshEd25519PublicKey('lab')] })
        .render();
      const boot = {
        kernel: '/assets/vmlinuz',
        initrd: ['/assets/initrd.img'],
        args: [
          ...checkedBootArguments(image),
          'ignition.firstboot',
          'ignition.platform.id=metal',
          // iPXE expands ${mac:hexhyp} before the kernel sees its command line.
          `ignition.config.url=${base}/ignition?mac=\${mac:hexhyp}`,
          'rd.neednet=1',
          'ip=dhcp',
        ],
      };
      // Both machines boot the same kernel and initramfs; the second one's profile names an Ignition template the
      // boot server does not have, so its /ignition answers 404.
      await writeDataDir(dataDir.path, {
        profiles: [
          aProfile({ id: 'node-image', boot, ignition_id: 'node-image.ign' }),
          aProfile({ id: 'no-config', boot, ignition_id: 'missing.ign' }),
        ],
        groups: [
          aGroup({ id: 'node-a', profile: 'node-image', selector: { mac: known.mac } }),
          aGroup({ id: 'node-b', profile: 'no-config', selector: { mac: unknown.mac } }),
        ],
        ignition: { 'node-image.ign': ignition },
      });
      await store.refresh();
      await network.startDhcp({ bootfileUrl: `${base}/boot.ipxe` });
    });

    after(async () => {
      await server?.close();
      await store?.close();
      await network?.close();
      for (const dir of [dataDir, assetsDir, labDir]) await dir?.remove();
    });

    /** Boots `nic` from the network with a checked copy of the image's root as its disk. */
    async function boot(nic: LabNic, signal: AbortSignal, failWhen?: readonly RegExp[]): Promise<CheckedBoot> {
      const workDir = await mkdtemp(join(tmpdir(), `strata-lab-pxe-${nic.hostname}-`));
      try {
        const disk = await prepareCheckedDisk(image, workDir, {
          checkScript: [
            'say "hello $(cat /etc/strata/lab-hello 2>&1)"',
            'say "hello-mode $(stat -c %a /etc/strata/lab-hello 2>&1)"',
            `say "unit $(systemctl is-enabled ${UNIT} 2>&1) $(systemctl is-active ${UNIT} 2>&1)"`,
            'say "user $(getent passwd core)"',
            'say "address $(ip -4 -o addr show scope global | tr -s " " | cut -d" " -f4)"',
          ].join('\n'),
        });
        const started = performance.now();
        const machine = await startLabMachine({
          network,
          nic,
          workDir,
          disk,
          boot: 'network',
          noReboot: true,
          removeWhenOrphaned: [workDir],
        });
        try {
          return await watchCheckedBoot(machine.process, machine.serialFile, started, {
            timeoutMs: BOOT_TIMEOUT_MS,
            signal,
            ...(failWhen === undefined ? {} : { failWhen }),
            describe: async () =>
              `QEMU: ${machine.commandLine}\nQEMU log:\n${await logTail(machine.logFile, 20)}\n` +
              `The lab's DHCP server:\n${await logTail(network.dhcpLogFile, 12)}`,
          });
        } finally {
          await machine.process.stop();
        }
      } finally {
        await rm(workDir, { recursive: true, force: true });
      }
    }

    it('fetches its config from the boot server in the initramfs and boots into the root it configured', async (t) => {
      const result = await boot(known, t.signal);
      const { marks } = result;
      t.diagnostic(
        `power-on → kernel ${seconds(marks.kernel)} → initramfs ${seconds(marks.initramfs)} → Ignition (files) ` +
          `${seconds(marks.ignitionFiles)} → root's systemd ${seconds(marks.systemd)} → multi-user ${seconds(marks.multiUser)} ` +
          `→ check ${seconds(marks.checkEnd)}`,
      );
      const value = (key: string) => result.check.find((line) => line.startsWith(`${key} `))?.slice(key.length + 1);
      assert.equal(value('hello'), `hello ${token}`, 'the file of the config the boot server serves for its MAC');
      assert.equal(value('hello-mode'), '640');
      assert.equal(value('unit'), 'enabled active');
      assert.match(result.serialLog, new RegExp(`${UNIT_MARKER} ran`));
      assert.match(value('user') ?? '', /^core:x:\d+:\d+:/);
      assert.equal(value('address'), `${known.address}/24`, "the lab's fixed address for its MAC");
      assert.ok(
        marks.ignitionFiles !== undefined && marks.systemd !== undefined && marks.ignitionFiles < marks.systemd,
        "Ignition's files stage finished in the initramfs, before the root's systemd started",
      );
      const served = log
        .lines()
        .filter((line) => line['msg'] === 'request')
        .map((line) => `${String(line['status'])} ${String(line['path'])}`);
      for (const path of ['/boot.ipxe', '/ipxe', '/assets/vmlinuz', '/assets/initrd.img', '/ignition'])
        assert.ok(served.includes(`200 ${path}`), `the boot server answered ${path}: ${served.join(', ')}`);
    });

    it("stops in the initramfs when the boot server has no config for the machine, with Ignition's error on the console", async (t) => {
      const firstLine = log.lines().length;
      await assert.rejects(
        boot(unknown, t.signal, [/Failed to start .*Ignition \(fetch\)/, /ignition\[\d+\]: [^\n]*not found/i]),
        (error: unknown) => {
          assert.ok(error instanceof NodeImageBootError, String(error));
          const serial = String(error.context['serialLog']);
          // Ignition's own words, forwarded from the initramfs's journal to the console.
          assert.match(serial, /ignition\[\d+\]: .*(not found|Not Found)/);
          assert.doesNotMatch(serial, /Welcome to Strata node image/, 'the boot never reached the root');
          return true;
        },
      );
      const answers = log
        .lines()
        .slice(firstLine)
        .filter((line) => line['msg'] === 'request' && String(line['path']) === '/ignition')
        .map((line) => line['status']);
      assert.ok(
        answers.length >= 1 && answers.every((status) => status === 404),
        `the server answered ${answers.join(', ')}`,
      );
    });
  },
);
