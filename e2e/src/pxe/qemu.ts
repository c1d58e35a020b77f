// Boots one QEMU machine from the network, as a bare-metal machine would:
// SeaBIOS runs iPXE's virtio ROM, QEMU's user-mode DHCP hands it the boot
// server's /boot.ipxe as its boot file, and from there the boot server decides
// everything. The guest's serial console is the only thing read back.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { logTail, ManagedProcess } from '@strata/host';
import { z } from 'zod';
import { PxeBootError } from './errors.ts';
import type { PxeHostTools } from './host-tools.ts';
import { readSerialVerdict } from './serial-output.ts';

const bootOptionsSchema = z.object({
  /** The NIC's MAC, colon form, e.g. 52:54:00:12:34:56. */
  mac: z
    .string()
    .regex(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/, 'must be a lower-case colon-separated MAC such as 52:54:00:12:34:56'),
  /** What DHCP names as the boot file: the boot server's /boot.ipxe, as the guest reaches it. */
  bootfileUrl: z.url({ protocol: /^http$/ }),
  timeoutMs: z.number().int().positive(),
});

export type BootOptions = z.input<typeof bootOptionsSchema> & {
  readonly tools: PxeHostTools;
  /** Stops the machine early, e.g. a test's `t.signal`. */
  readonly signal?: AbortSignal;
};

export interface BootResult {
  /** The Ignition config the guest fetched and printed, byte for byte. */
  readonly ignition: string;
  /** From starting QEMU until it powered off. */
  readonly durationMs: number;
  readonly serialLog: string;
}

/** How the guest reaches the host's loopback in QEMU's user-mode network. */
export const HOST_ADDRESS_FROM_GUEST = '10.0.2.2';

export async function bootMachine(options: BootOptions): Promise<BootResult> {
  const { mac, bootfileUrl, timeoutMs } = bootOptionsSchema.parse(options);
  const { tools, signal } = options;
  const workDir = await mkdtemp(join(tmpdir(), `strata-pxe-${mac.replaceAll(':', '')}-`));
  const serialFile = join(workDir, 'serial.log');
  const started = performance.now();
  // Under a guardian: QEMU cannot outlive this process, even if it is killed.
  const machine = ManagedProcess.start({
    name: `qemu (${mac})`,
    command: tools.qemu,
    args: qemuArguments(mac, bootfileUrl, serialFile),
    logFile: join(workDir, 'qemu.log'),
    gracePeriodMs: 2_000,
    removeWhenOrphaned: [workDir],
  });
  const stopWaiting = new AbortController();
  try {
    const outcome = await Promise.race([
      machine.exited.then(() => 'powered-off' as const),
      sleep(timeoutMs, 'timed-out' as const, {
        signal: signal === undefined ? stopWaiting.signal : AbortSignal.any([stopWaiting.signal, signal]),
      }).catch(() => 'aborted' as const),
    ]);
    stopWaiting.abort();
    const durationMs = performance.now() - started;
    const serial = await readSerialLog(serialFile);
    const verdict = readSerialVerdict(serial);
    if (verdict.kind === 'ignition')
      return { ignition: verdict.config, durationMs, serialLog: serial.toString('utf8') };
    const why = verdict.kind === 'guest-failed' ? `the guest gave up: ${verdict.reason}` : verdict.reason;
    const state = {
      'timed-out': `was still running after ${timeoutMs} ms`,
      aborted: `was stopped after ${Math.round(durationMs)} ms (aborted)`,
      'powered-off': `powered off after ${Math.round(durationMs)} ms`,
    }[outcome];
    throw new PxeBootError(
      `machine ${mac} ${state} without printing its Ignition config (${why}).\n` +
        `QEMU: ${tools.qemu} ${machine.spec.args.join(' ')}\nQEMU log:\n${await logTail(machine.spec.logFile, 20)}\n` +
        `Serial console:\n${serial.toString('utf8').split('\n').slice(-40).join('\n')}`,
      { mac, bootfileUrl, outcome },
    );
  } finally {
    stopWaiting.abort();
    await machine.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Empty when QEMU stopped before it opened the serial file (its own log then says why). */
async function readSerialLog(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw error;
  }
}

function qemuArguments(mac: string, bootfileUrl: string, serialFile: string): string[] {
  return [
    // graphics=off: SeaBIOS and iPXE write to the serial console too, which shows where a boot stopped.
    '-machine',
    'pc,accel=tcg,graphics=off',
    '-cpu',
    'max',
    '-m',
    '512',
    '-smp',
    '1',
    '-no-reboot',
    '-display',
    'none',
    '-monitor',
    'none',
    '-serial',
    `file:${serialFile}`,
    // QEMU's option syntax escapes a comma by doubling it.
    '-netdev',
    `user,id=n0,bootfile=${bootfileUrl.replaceAll(',', ',,')}`,
    '-device',
    `virtio-net-pci,netdev=n0,mac=${mac}`,
    '-boot',
    'n',
  ];
}
