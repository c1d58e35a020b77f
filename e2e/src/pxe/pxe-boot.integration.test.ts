// A real iPXE client against Strata's boot server: QEMU machines boot from
// the network, iPXE follows /boot.ipxe -> /ipxe -> kernel and initrd from
// /assets/, and the booted initramfs fetches its Ignition config from the
// URL on its kernel command line, as Flatcar's first boot does. The machines
// are on the lab's private network (@strata/lab): the boot server listens on
// the host's address there, and the lab's DHCP server points iPXE at it.
import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DataDirectoryStore, startBootServer, type BootServer } from '@strata/boot-server';
import {
  aGroup,
  anIgnitionConfig,
  aProfile,
  captureLogger,
  macOf,
  temporaryDirectory,
  writeDataDir,
  type CapturedLogger,
  type TemporaryDirectory,
} from '@strata/boot-server/testing';
import { LabNetwork, type LabNic } from '@strata/lab';
import { findPxeHostTools } from './host-tools.ts';
import { buildInitrd } from './initrd.ts';
import { bootMachine, type BootResult } from './qemu.ts';

const PROFILE_ID = 'pxe-e2e';
const TEMPLATE = 'pxe-e2e.tmpl';

/** Two machines that differ in everything the template reads. */
const MACHINES = [
  { group: 'node-a', mac: macOf(0xe2e001), hostname: 'pxe-node-a', role: 'controller' },
  { group: 'node-b', mac: macOf(0xe2e002), hostname: 'pxe-node-b', role: 'worker' },
] as const;
type Machine = (typeof MACHINES)[number];

/**
 * Rendered per machine from the group's metadata (hostname, role) and its
 * selector (mac). Declared as 3.3.0: the server must serve it as 3.4.0.
 */
const IGNITION_TEMPLATE = anIgnitionConfig({
  version: '3.3.0',
  sections: {
    storage: {
      files: [
        { path: '/etc/hostname', mode: 420, contents: { source: 'data:,{{.hostname}}' } },
        {
          path: '/etc/strata/machine.env',
          mode: 420,
          contents: { source: 'data:,ROLE%3D{{.role}}%0AMAC%3D{{.mac}}%0A' },
        },
      ],
    },
  },
});

/** The request chain of one network boot, as iPXE and the guest make it. */
const BOOT_CHAIN = ['/boot.ipxe', '/ipxe', '/assets/vmlinuz', '/assets/initrd.img', '/ignition'];

/**
 * Generous for software emulation on a busy 2-core machine: a boot takes about 11 s when the machine is idle, and
 * more than 50 s was seen with the other integration lane and two more guests beside it.
 */
const BOOT_TIMEOUT_MS = 180_000;

describe('network boot of real iPXE clients from the boot server', () => {
  let labDir: TemporaryDirectory;
  let network: LabNetwork;
  const nics = new Map<string, LabNic>();
  let dataDir: TemporaryDirectory;
  let assetsDir: TemporaryDirectory;
  let store: DataDirectoryStore;
  let server: BootServer;
  let log: CapturedLogger;

  before(async () => {
    const tools = await findPxeHostTools();
    labDir = await temporaryDirectory('strata-pxe-lab-');
    network = await LabNetwork.create({ workDir: labDir.path, name: 'pxe-e2e' });
    for (const machine of MACHINES) nics.set(machine.mac, await network.addMachine(machine));
    const initrd = await buildInitrd(tools);
    assetsDir = await temporaryDirectory('strata-pxe-assets-');
    await copyFile(tools.kernel.image, join(assetsDir.path, 'vmlinuz'));
    await copyFile(initrd.path, join(assetsDir.path, 'initrd.img'));

    dataDir = await temporaryDirectory('strata-pxe-data-');
    await writeDataDir(dataDir.path, {
      groups: MACHINES.map((machine) =>
        aGroup({
          id: machine.group,
          profile: PROFILE_ID,
          selector: { mac: machine.mac },
          metadata: { hostname: machine.hostname, role: machine.role },
        }),
      ),
      ignition: { [TEMPLATE]: IGNITION_TEMPLATE },
    });
    log = captureLogger('debug');
    store = await DataDirectoryStore.open({ dataPath: dataDir.path, logger: log.logger });
    server = await startBootServer({
      address: `${network.hostAddress}:0`,
      store,
      assetsPath: assetsDir.path,
      logger: log.logger,
    });

    // The profile names the server's own port, known only now that it listens.
    const port = new URL(server.url).port;
    const guestBase = `http://${network.hostAddress}:${port}`;
    await writeDataDir(dataDir.path, {
      profiles: [
        aProfile({
          id: PROFILE_ID,
          boot: {
            kernel: '/assets/vmlinuz',
            initrd: ['/assets/initrd.img'],
            // iPXE expands ${uuid} and ${mac:hexhyp} before the kernel sees its command line.
            args: [
              `flatcar.config.url=${guestBase}/ignition?uuid=\${uuid}&mac=\${mac:hexhyp}`,
              'flatcar.first_boot=yes',
              'console=ttyS0',
            ],
          },
          ignition_id: TEMPLATE,
        }),
      ],
    });
    await store.refresh();
    await network.startDhcp({ bootfileUrl: `${guestBase}/boot.ipxe` });
  });

  after(async () => {
    await server?.close();
    await store?.close();
    await dataDir?.remove();
    await assetsDir?.remove();
    await network?.close();
    await labDir?.remove();
  });

  /** Boots `machine` and returns what it printed, with the paths the server served meanwhile. */
  async function boot(machine: Machine, signal: AbortSignal): Promise<{ result: BootResult; paths: string[] }> {
    const firstLine = log.lines().length;
    const nic = nics.get(machine.mac);
    assert.ok(nic, `${machine.mac} is on the lab network`);
    const result = await bootMachine({ network, nic, timeoutMs: BOOT_TIMEOUT_MS, signal });
    const paths = log
      .lines()
      .slice(firstLine)
      .filter((line) => line['msg'] === 'request')
      .map((line) => `${String(line['status'])} ${String(line['path'])}`);
    return { result, paths };
  }

  async function servedIgnition(machine: Machine): Promise<string> {
    const response = await fetch(`${server.url}/ignition?mac=${machine.mac}`);
    assert.equal(response.status, 200, `/ignition?mac=${machine.mac} answers`);
    return response.text();
  }

  for (const [index, machine] of MACHINES.entries()) {
    const other = MACHINES[1 - index];
    it(`boots ${machine.hostname} (${machine.mac}) through iPXE and prints the Ignition config rendered for it`, async (t) => {
      const { result, paths } = await boot(machine, t.signal);
      t.diagnostic(`${machine.mac} booted to its Ignition config in ${(result.durationMs / 1000).toFixed(1)} s`);

      assert.equal(result.ignition, await servedIgnition(machine), 'the guest got what the server renders for its MAC');
      const config = JSON.parse(result.ignition) as { ignition: { version: string } };
      assert.equal(config.ignition.version, '3.4.0');
      assert.ok(
        result.ignition.includes(`data:,${machine.hostname}`),
        `hostname ${machine.hostname} in ${result.ignition}`,
      );
      assert.ok(
        result.ignition.includes(`ROLE%3D${machine.role}%0AMAC%3D${machine.mac}%0A`),
        `role and MAC in ${result.ignition}`,
      );
      assert.ok(
        other !== undefined && !result.ignition.includes(other.hostname),
        `nothing of ${other?.hostname} in ${result.ignition}`,
      );

      assert.deepEqual(
        paths,
        BOOT_CHAIN.map((path) => `200 ${path}`),
        'the server saw the whole chain, in order, each answered 200',
      );
    });
  }
});
