// One lab machine: QEMU inside the lab's network namespace, its NIC on the machine's tap, firmware (SeaBIOS, or OVMF, with
// iPXE's virtio ROM) booting from the network first as a bare-metal machine would. QEMU runs under a guardian, so it
// cannot outlive the process that started it; its serial console goes to a file.
import { join } from 'node:path';
import { findHostTool, ManagedProcess, uefiFirmwareArgs } from '@strata/host';
import { z } from 'zod';
import { LabConfigError } from '../errors.ts';
import type { LabNetwork, LabNic } from '../network/lab-network.ts';

const machineOptionsSchema = z.object({
  memoryMiB: z.number().int().min(128).max(16_384).default(1024),
  cpus: z.number().int().min(1).max(8).default(1),
  /** TCG unless a probe guest booted under KVM (chooseAccelerator). */
  accelerator: z.enum(['kvm', 'tcg']).default('tcg'),
  /** TCG's translation cache: unbounded, it takes about 1 GiB per machine. */
  tbSizeMiB: z.number().int().min(32).max(2048).default(256),
  /**
   * `network`: the firmware boots from the NIC only. `disk-then-network`: from the disk, and from the NIC while the
   * disk has nothing to boot (a new machine, or one whose install did not finish). `disk`: from the disk only.
   */
  boot: z.enum(['network', 'disk-then-network', 'disk']).default('network'),
  /**
   * `bios`: SeaBIOS with iPXE's virtio ROM. `uefi`: OVMF (Debian's ovmf) with iPXE's EFI ROM, as a machine whose disk
   * holds the node image needs (systemd-boot is an EFI program); its variable store lives in the work directory.
   */
  firmware: z.enum(['bios', 'uefi']).default('bios'),
  /** Power off instead of rebooting (a test that wants one boot). */
  noReboot: z.boolean().default(false),
});

export type LabMachineOptions = z.input<typeof machineOptionsSchema> & {
  readonly network: LabNetwork;
  readonly nic: LabNic;
  /** The machine's files: its serial console and QEMU's log. */
  readonly workDir: string;
  /** A raw disk image, attached as virtio. */
  readonly disk?: string;
  /** Removed by the guardian if the owner dies. */
  readonly removeWhenOrphaned?: readonly string[];
};

export interface LabMachine {
  readonly nic: LabNic;
  readonly process: ManagedProcess;
  readonly serialFile: string;
  readonly logFile: string;
  /** The command line QEMU was started with, for messages. */
  readonly commandLine: string;
}

/** The NIC's place in the firmware's boot order; none when the machine boots from its disk only. */
function nicBootIndex(boot: 'network' | 'disk-then-network' | 'disk'): string {
  if (boot === 'disk') return ',romfile=';
  return `,bootindex=${boot === 'network' ? 1 : 2}`;
}

export async function startLabMachine(options: LabMachineOptions): Promise<LabMachine> {
  const parsed = machineOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LabConfigError(
      `machine ${options.nic.hostname}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`,
      { field: issue?.path.join('.'), machine: options.nic.hostname },
    );
  }
  const settings = parsed.data;
  if (settings.boot !== 'network' && options.disk === undefined) {
    throw new LabConfigError(`machine ${options.nic.hostname}: boot ${settings.boot} needs a disk`, {
      field: 'disk',
      machine: options.nic.hostname,
    });
  }
  const qemu = await findHostTool('qemu-system-x86_64', 'qemu-system-x86');
  const serialFile = join(options.workDir, `${options.nic.hostname}.serial.log`);
  const logFile = join(options.workDir, `${options.nic.hostname}.qemu.log`);
  const args = [
    // graphics=off: SeaBIOS and iPXE write to the serial console too, which shows where a boot stopped.
    '-machine',
    'pc,graphics=off',
    '-accel',
    settings.accelerator === 'kvm' ? 'kvm' : `tcg,tb-size=${settings.tbSizeMiB}`,
    '-cpu',
    settings.accelerator === 'kvm' ? 'host' : 'max',
    '-m',
    String(settings.memoryMiB),
    '-smp',
    String(settings.cpus),
    '-display',
    'none',
    '-monitor',
    'none',
    '-serial',
    `file:${serialFile}`,
    ...(settings.noReboot ? ['-no-reboot'] : []),
    ...(settings.firmware === 'uefi' ? await uefiFirmwareArgs(options.workDir) : []),
    // The tap exists already, on the lab's bridge; QEMU runs no scripts to make one.
    '-netdev',
    `tap,id=n0,ifname=${options.nic.tap},script=no,downscript=no`,
    // QEMU loads iPXE's virtio ROM for this NIC by itself.
    '-device',
    `virtio-net-pci,netdev=n0,mac=${options.nic.mac}${nicBootIndex(settings.boot)}`,
    ...(options.disk === undefined
      ? []
      : [
          '-drive',
          // discard=unmap: the guest's discards and write-zeroes (the install zeroes the disk first) punch holes in
          // the sparse disk file rather than allocating it.
          `file=${options.disk.replaceAll(',', ',,')},format=raw,if=none,id=d0,discard=unmap`,
          '-device',
          `virtio-blk-pci,drive=d0${settings.boot === 'network' ? '' : ',bootindex=1'}`,
        ]),
  ];
  const inside = options.network.namespace.commandIn(qemu, args);
  const process = ManagedProcess.start({
    name: `qemu (${options.nic.hostname}, ${options.nic.mac})`,
    command: inside.command,
    args: inside.args,
    logFile,
    gracePeriodMs: 2_000,
    removeWhenOrphaned: [...(options.removeWhenOrphaned ?? [])],
  });
  return { nic: options.nic, process, serialFile, logFile, commandLine: `${qemu} ${args.join(' ')}` };
}
