// A running lab: its network, N machines with empty disks that boot from the disk and, while it is empty, from the
// network (as matchbox's own virtual labs order them), and a state file that says which process runs it and what it
// made, so that `strata lab down` can stop it and remove what is left even after that process was killed.
import { mkdir, readFile, rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultCacheRoot } from '@strata/binaries';
import { PUBLIC_FILE_MODE, runCommand, SECRET_FILE_MODE, writeFileAtomic } from '@strata/host';
import { z } from 'zod';
import { LabConfigError, LabError } from '../errors.ts';
import { chooseAccelerator } from '../machine/accelerator.ts';
import { startLabMachine, type LabMachine } from '../machine/qemu-machine.ts';
import { DEFAULT_LAB_SUBNET, labAddressing } from '../network/addressing.ts';
import { LabNetwork } from '../network/lab-network.ts';

export const LAB_STATE_FILE = 'lab.json';
export const DEFAULT_BOOT_SERVER_PORT = 8080;
const GIB = 1024 ** 3;

export const LabSpecSchema = z.strictObject({
  /** The lab's directory: its state, logs and the machines' disks. */
  dir: z.string().min(1),
  name: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/, 'must be a DNS label of at most 32 characters, e.g. lab')
    .default('lab'),
  machines: z.number().int().min(1, 'at least 1').max(241, 'at most 241 (one /24)'),
  subnet: z.string().default(DEFAULT_LAB_SUBNET),
  /** The boot server's base URL as the machines reach it; default http://<the lab's host address>:8080. */
  bootServer: z.url({ protocol: /^https?$/ }).optional(),
  memoryMiB: z.number().int().min(256).max(8192).default(1024),
  diskGiB: z.number().int().min(1).max(256).default(8),
  /**
   * `bios`: SeaBIOS, enough for a machine that network-boots (Flatcar's PXE image, the simulated flows). `uefi`: OVMF,
   * as a machine that installs Strata's node image needs: its disk boots through systemd-boot.
   */
  firmware: z.enum(['bios', 'uefi']).default('bios'),
});
export type LabSpec = z.input<typeof LabSpecSchema>;

export const LabStateSchema = z.strictObject({
  format: z.literal(1),
  name: z.string(),
  /** The process that runs the lab. */
  pid: z.number().int().positive(),
  subnet: z.string(),
  hostAddress: z.string(),
  hostInterface: z.string(),
  bootServer: z.string(),
  accelerator: z.enum(['kvm', 'tcg']),
  acceleratorReason: z.string(),
  /** Absent in the state of a lab made before the choice existed: SeaBIOS. */
  firmware: z.enum(['bios', 'uefi']).optional(),
  machines: z.array(
    z.strictObject({
      hostname: z.string(),
      mac: z.string(),
      address: z.string(),
      disk: z.string(),
      serialLog: z.string(),
      pid: z.number().int().positive(),
    }),
  ),
  startedAt: z.string(),
});
export type LabState = z.infer<typeof LabStateSchema>;

/** The MAC of the lab's `index`th machine: QEMU's locally administered prefix, then the index. */
export function labMachineMac(index: number): string {
  const hex = (value: number) => value.toString(16).padStart(2, '0');
  return `52:54:00:1a:${hex(Math.floor(index / 256))}:${hex(index % 256)}`;
}

export const labMachineName = (name: string, index: number): string => `${name}-${index + 1}`;

/** Parses a lab's spec, naming the field that is wrong. */
export function parseLabSpec(spec: LabSpec): z.infer<typeof LabSpecSchema> {
  const parsed = LabSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') ?? '';
    throw new LabConfigError(`lab ${field}: ${issue?.message ?? 'invalid'}`, { field });
  }
  labAddressing(parsed.data.subnet);
  return parsed.data;
}

export async function readLabState(dir: string): Promise<LabState | undefined> {
  const path = join(dir, LAB_STATE_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = LabStateSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new LabError(`${path} is not a lab's state (${parsed.error.issues[0]?.message ?? 'invalid'}); remove it`, {
      path,
    });
  }
  return parsed.data;
}

export interface RunningLab {
  readonly state: LabState;
  readonly network: LabNetwork;
  readonly machines: readonly LabMachine[];
  /** Resolves when a machine's QEMU exits on its own (a crash: machines reboot, they do not power off). */
  readonly machineExited: Promise<LabMachine>;
  /** Powers the machines off, removes the network, the disks and the state. */
  stop(): Promise<void>;
}

/**
 * Makes the lab and starts its machines, then writes its state with this process's pid. Everything made is removed
 * again if a step fails; the guardians of the namespace, dnsmasq and QEMU remove the rest if this process dies.
 */
export async function runLab(input: LabSpec, progress: (line: string) => void = () => {}): Promise<RunningLab> {
  const spec = parseLabSpec(input);
  const disksDir = join(spec.dir, 'disks');
  const machinesDir = join(spec.dir, 'machines');
  await mkdir(disksDir, { recursive: true });
  await mkdir(machinesDir, { recursive: true });
  const accelerator = await chooseAccelerator({ cacheDir: join(defaultCacheRoot(process.env), 'lab') });
  progress(`accelerator ${accelerator.accelerator}: ${accelerator.reason}`);
  progress(`network ${spec.subnet} in a namespace of its own`);
  const network = await LabNetwork.create({ workDir: spec.dir, subnet: spec.subnet, name: spec.name });
  const machines: LabMachine[] = [];
  const stop = async () => {
    await Promise.all(machines.map((machine) => machine.process.stop()));
    await network.close();
    await rm(disksDir, { recursive: true, force: true });
    await rm(join(spec.dir, LAB_STATE_FILE), { force: true });
  };
  try {
    const bootServer = spec.bootServer ?? `http://${network.hostAddress}:${DEFAULT_BOOT_SERVER_PORT}`;
    for (let index = 0; index < spec.machines; index += 1)
      await network.addMachine({ mac: labMachineMac(index), hostname: labMachineName(spec.name, index) });
    await network.startDhcp({ bootfileUrl: `${bootServer.replace(/\/$/, '')}/boot.ipxe` });
    progress(`DHCP on the lab's bridge; iPXE chains to ${bootServer}/boot.ipxe`);
    for (const nic of network.nics) {
      const disk = join(disksDir, `${nic.hostname}.raw`);
      await createSparseDisk(disk, spec.diskGiB * GIB);
      // A directory per machine: UEFI keeps each machine's firmware variables (its boot entries) in a file there.
      const workDir = join(machinesDir, nic.hostname);
      await mkdir(workDir, { recursive: true });
      machines.push(
        await startLabMachine({
          network,
          nic,
          workDir,
          disk,
          firmware: spec.firmware,
          boot: 'disk-then-network',
          accelerator: accelerator.accelerator,
          memoryMiB: spec.memoryMiB,
          removeWhenOrphaned: [disk],
        }),
      );
      progress(
        `${nic.hostname} powered on (${nic.mac}, ${nic.address}, ${spec.firmware === 'uefi' ? 'UEFI' : 'BIOS'})`,
      );
    }
    const state: LabState = {
      format: 1,
      name: spec.name,
      pid: process.pid,
      subnet: spec.subnet,
      hostAddress: network.hostAddress,
      hostInterface: network.hostInterface,
      bootServer,
      accelerator: accelerator.accelerator,
      acceleratorReason: accelerator.reason,
      firmware: spec.firmware,
      machines: await Promise.all(
        machines.map(async (machine) => ({
          hostname: machine.nic.hostname,
          mac: machine.nic.mac,
          address: machine.nic.address,
          disk: join(disksDir, `${machine.nic.hostname}.raw`),
          serialLog: machine.serialFile,
          pid: await machine.process.pid,
        })),
      ),
      startedAt: new Date().toISOString(),
    };
    await writeFileAtomic(join(spec.dir, LAB_STATE_FILE), `${JSON.stringify(state, null, 2)}\n`, PUBLIC_FILE_MODE);
    const machineExited = Promise.race(machines.map((machine) => machine.process.exited.then(() => machine)));
    return { state, network, machines, machineExited, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A raw disk of `bytes`, all of it a hole: it takes no space until the machine writes to it. */
async function createSparseDisk(path: string, bytes: number): Promise<void> {
  // Private from the start: once installed, the disk holds the machine's keys.
  await writeFileAtomic(path, '', SECRET_FILE_MODE);
  await truncate(path, bytes);
}

export interface LabLeftovers {
  /** Processes of the lab that were still alive and were killed. */
  readonly killed: readonly number[];
  readonly removedInterface: boolean;
  readonly removedDisks: boolean;
}

/**
 * After the lab's process is gone: kills what of it still runs (it should not: the guardians stop everything when
 * that process dies), removes the host end of its veth pair if the kernel has not, its disks and its state.
 */
export async function removeLabLeftovers(dir: string, state: LabState): Promise<LabLeftovers> {
  const killed: number[] = [];
  for (const machine of state.machines) {
    if (await isLabProcess(machine.pid, machine.mac)) {
      process.kill(machine.pid, 'SIGKILL');
      killed.push(machine.pid);
    }
  }
  const link = await runCommand('ip', ['link', 'show', 'dev', state.hostInterface]);
  let removedInterface = false;
  if (link.code === 0) {
    const deleted = await runCommand('ip', ['link', 'del', state.hostInterface]);
    removedInterface = deleted.code === 0;
  }
  await rm(join(dir, 'disks'), { recursive: true, force: true });
  await rm(join(dir, LAB_STATE_FILE), { force: true });
  return { killed, removedInterface, removedDisks: true };
}

/** Whether `pid` is still the QEMU of the machine with `mac` (a pid may have been reused since). */
async function isLabProcess(pid: number, mac: string): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.includes(`mac=${mac}`);
}
