// The machine lab with Strata's node image behind its boot server, for the lab's end-to-end test and its benchmark:
// the lab's network, Strata's boot server on the lab's host address serving the image's kernel and dracut initramfs
// with the metal platform's kernel arguments (Ignition fetches the machine's config from the boot server's
// /ignition, selected by its MAC), and machines that boot it over the network with a checked copy of the image's root
// as their disk. With `install`, machines are installed instead, as bare-metal machines are (ADR 0092): an empty
// disk, the install profile, then their own boot loader, and Ignition with the installed group's config (os=installed),
// which carries the check.
import { copyFile, mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { ignitionConfigSchema } from '@strata/assets';
import { logTail } from '@strata/host';
import { LabNetwork, startLabMachine, type LabNic } from '@strata/lab';
import type { NodeImage } from '@strata/node-image';
import { nodeImageRelease, publishNodeImage } from '@strata/installer';
import { nodeImageInstallBoot } from '@strata/platform-bare-metal';
import {
  checkedBootArguments,
  checkIgnitionParts,
  ignitionConfig,
  prepareCheckedDisk,
  watchCheckedBoot,
  type CheckedBoot,
} from '@strata/node-image/testing';

export interface LabMachineSpec {
  readonly mac: string;
  readonly hostname: string;
  /**
   * The machine's Ignition config; undefined: its profile names a template the boot server lacks (404), unless the
   * lab's `prepare` gives one.
   */
  readonly ignition?: string;
}

export interface NodeImageLabOptions {
  /** For the lab's network namespace. */
  readonly name?: string;
  /**
   * Runs once the lab's network exists and before its boot server serves anything: starts what the machines need on
   * the host end (an API server, a registry) and returns Ignition configs by hostname, for machines without one.
   */
  readonly prepare?: (network: LabNetwork) => Promise<ReadonlyMap<string, string>>;
  /**
   * Install each machine from the network onto an empty disk and boot it from there (ADR 0092), rather than boot the
   * image over the network with a prepared copy of its root.
   */
  readonly install?: boolean;
}

/** An installed machine's disk: larger than the image, as a real one is. */
const INSTALL_DISK_BYTES = 8 * 1024 ** 3;

/**
 * The machine's config with the check added (the check's script and unit, the serial getty masked): an installed
 * machine's root is the installer's, so the check comes the way everything else does, through Ignition.
 */
export function withCheck(config: string | undefined, checkScript: string | undefined): string {
  const check = ignitionConfigSchema.parse(JSON.parse(ignitionConfig(checkIgnitionParts(checkScript ?? ''))));
  if (config === undefined) return JSON.stringify(check);
  const machine = ignitionConfigSchema.parse(JSON.parse(config));
  return JSON.stringify({
    ...machine,
    storage: { ...machine.storage, files: [...(machine.storage?.files ?? []), ...(check.storage?.files ?? [])] },
    systemd: { ...machine.systemd, units: [...(machine.systemd?.units ?? []), ...(check.systemd?.units ?? [])] },
  });
}

export interface BootRequest {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Shell lines for the check (see prepareCheckedDisk). */
  readonly checkScript?: string;
  readonly failWhen?: readonly RegExp[];
  /** Called with `performance.now()` at QEMU's start: the origin of the boot's marks, for a caller's own times. */
  readonly onStarted?: (startedAt: number) => void;
  /** The machine's memory; the lab machine's default (1 GiB) unless given. */
  readonly memoryMiB?: number;
  /** The machine's vCPUs; the lab machine's default (1) unless given. */
  readonly cpus?: number;
}

export interface NodeImageLab {
  readonly network: LabNetwork;
  readonly server: BootServer;
  readonly log: CapturedLogger;
  readonly nics: ReadonlyMap<string, LabNic>;
  /** Boots the machine with this MAC from the network once and returns what its check printed. */
  boot(mac: string, request: BootRequest): Promise<CheckedBoot>;
  /** `status path` of each request the boot server answered since `from` (a count of log lines). */
  answered(from?: number): string[];
  close(): Promise<void>;
}

export async function startNodeImageLab(
  image: NodeImage,
  specs: readonly LabMachineSpec[],
  options: NodeImageLabOptions = {},
): Promise<NodeImageLab> {
  const name = options.name ?? 'node-image-lab';
  const dirs: TemporaryDirectory[] = [];
  const made = async (prefix: string) => {
    const dir = await temporaryDirectory(prefix);
    dirs.push(dir);
    return dir;
  };
  const labDir = await made('strata-lab-');
  const network = await LabNetwork.create({ workDir: labDir.path, name });
  let store: DataDirectoryStore | undefined;
  let server: BootServer | undefined;
  const close = async () => {
    await server?.close();
    await store?.close();
    await network.close();
    for (const dir of dirs) await dir.remove();
  };
  try {
    const nics = new Map<string, LabNic>();
    for (const machine of specs) nics.set(machine.mac, await network.addMachine(machine));
    const prepared = (await options.prepare?.(network)) ?? new Map<string, string>();
    const machines = specs.map((machine) => {
      const ignition = machine.ignition ?? prepared.get(machine.hostname);
      return ignition === undefined ? machine : { ...machine, ignition };
    });
    const assetsDir = await made('strata-lab-assets-');
    await copyFile(image.kernel, join(assetsDir.path, 'vmlinuz'));
    await copyFile(image.initrd, join(assetsDir.path, 'initrd.img'));
    const install = options.install === true;
    // As `strata node-image publish` lays a release out for a boot server: assets/strata/<version>/.
    if (install) await publishNodeImage(image, assetsDir.path);
    const dataDir = await made('strata-lab-data-');
    const log = captureLogger('debug');
    const opened = await DataDirectoryStore.open({ dataPath: dataDir.path, logger: log.logger });
    store = opened;
    const started = await startBootServer({
      address: `${network.hostAddress}:0`,
      store: opened,
      assetsPath: assetsDir.path,
      logger: log.logger,
    });
    server = started;
    const base = `http://${network.hostAddress}:${new URL(started.url).port}`;
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
    const templateOf = (machine: LabMachineSpec) =>
      machine.ignition === undefined ? `missing-${machine.hostname}.ign` : `${machine.hostname}.ign`;
    const installedTemplateOf = (machine: LabMachineSpec) => `${machine.hostname}-installed.ign`;
    // The bare-metal flow's own install profile for the release, as `strata install` registers it.
    const installBoot = install
      ? nodeImageInstallBoot({
          endpoint: base,
          release: await nodeImageRelease(image),
          installDisk: '/dev/vda',
          consoles: ['ttyS0'],
          extraKernelArgs: [],
        })
      : undefined;
    await writeDataDir(dataDir.path, {
      profiles: machines.flatMap((machine) =>
        installBoot === undefined
          ? [aProfile({ id: machine.hostname, boot, ignition_id: templateOf(machine) })]
          : [
              // The install boot fetches no config: the profile names one the server lacks.
              aProfile({ id: machine.hostname, boot: installBoot, ignition_id: `missing-${machine.hostname}.ign` }),
              // The installed system boots from its disk: its profile only serves the config (written per boot).
              aProfile({
                id: `${machine.hostname}-installed`,
                boot: { kernel: '', initrd: [], args: [] },
                ignition_id: installedTemplateOf(machine),
              }),
            ],
      ),
      groups: machines.flatMap((machine) => [
        aGroup({ id: machine.hostname, profile: machine.hostname, selector: { mac: machine.mac } }),
        ...(install
          ? [
              aGroup({
                id: `${machine.hostname}-installed`,
                profile: `${machine.hostname}-installed`,
                selector: { mac: machine.mac, os: 'installed' },
              }),
            ]
          : []),
      ]),
      ignition: Object.fromEntries(
        machines.flatMap((machine) =>
          machine.ignition === undefined || install ? [] : [[templateOf(machine), machine.ignition] as const],
        ),
      ),
    });
    await opened.refresh();
    await network.startDhcp({ bootfileUrl: `${base}/boot.ipxe` });

    return {
      network,
      server: started,
      log,
      nics,
      async boot(mac, request) {
        const nic = nics.get(mac);
        if (nic === undefined) throw new Error(`no lab machine has MAC ${mac}`);
        const workDir = await mkdtemp(join(tmpdir(), `strata-lab-${nic.hostname}-`));
        try {
          let disk: string;
          if (install) {
            const spec = machines.find((machine) => machine.mac === mac);
            if (spec === undefined) throw new Error(`no lab machine has MAC ${mac}`);
            await mkdir(join(dataDir.path, 'ignition'), { recursive: true });
            await writeFile(
              join(dataDir.path, 'ignition', installedTemplateOf(spec)),
              withCheck(spec.ignition, request.checkScript),
            );
            await opened.refresh();
            disk = join(workDir, 'disk.img');
            await writeFile(disk, '');
            await truncate(disk, INSTALL_DISK_BYTES);
          } else {
            disk = await prepareCheckedDisk(image, workDir, {
              ...(request.checkScript === undefined ? {} : { checkScript: request.checkScript }),
            });
          }
          const startedAt = performance.now();
          request.onStarted?.(startedAt);
          const machine = await startLabMachine({
            network,
            nic,
            workDir,
            disk,
            ...(install
              ? // The lab's boot order for bare metal: the disk, and the network while the disk boots nothing.
                { boot: 'disk-then-network', firmware: 'uefi', noReboot: false }
              : { boot: 'network', noReboot: true }),
            ...(request.memoryMiB === undefined ? {} : { memoryMiB: request.memoryMiB }),
            ...(request.cpus === undefined ? {} : { cpus: request.cpus }),
            removeWhenOrphaned: [workDir],
          });
          try {
            return await watchCheckedBoot(machine.process, machine.serialFile, startedAt, {
              timeoutMs: request.timeoutMs,
              ...(request.signal === undefined ? {} : { signal: request.signal }),
              ...(request.failWhen === undefined ? {} : { failWhen: request.failWhen }),
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
      },
      answered(from = 0) {
        return log
          .lines()
          .slice(from)
          .filter((line) => line['msg'] === 'request')
          .map((line) => `${String(line['status'])} ${String(line['path'])}`);
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
