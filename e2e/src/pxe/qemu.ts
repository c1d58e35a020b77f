// Boots one QEMU machine from the network, as a bare-metal machine would, on the lab's private network (a bridge and
// a tap inside a network namespace, no route out, never QEMU's user-mode network): SeaBIOS runs iPXE's virtio ROM,
// the lab's DHCP server hands it the boot server's /boot.ipxe as its boot file, and from there the boot server decides
// everything. The guest's serial console is the only thing read back.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { logTail } from '@strata/host';
import { startLabMachine, type LabNetwork, type LabNic } from '@strata/lab';
import { PxeBootError } from './errors.ts';
import { readSerialVerdict } from './serial-output.ts';

export interface BootOptions {
  readonly network: LabNetwork;
  /** The machine's NIC on the lab network, from `network.addMachine`. */
  readonly nic: LabNic;
  readonly timeoutMs: number;
  /** Stops the machine early, e.g. a test's `t.signal`. */
  readonly signal?: AbortSignal;
}

export interface BootResult {
  /** The Ignition config the guest fetched and printed, byte for byte. */
  readonly ignition: string;
  /** From starting QEMU until it powered off. */
  readonly durationMs: number;
  readonly serialLog: string;
}

export async function bootMachine(options: BootOptions): Promise<BootResult> {
  const { network, nic, timeoutMs, signal } = options;
  const { mac } = nic;
  const workDir = await mkdtemp(join(tmpdir(), `strata-pxe-${mac.replaceAll(':', '')}-`));
  const started = performance.now();
  const machine = await startLabMachine({
    network,
    nic,
    workDir,
    memoryMiB: 512,
    boot: 'network',
    noReboot: true,
    removeWhenOrphaned: [workDir],
  });
  const serialFile = machine.serialFile;
  const stopWaiting = new AbortController();
  try {
    const outcome = await Promise.race([
      machine.process.exited.then(() => 'powered-off' as const),
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
        `QEMU: ${machine.commandLine}\nQEMU log:\n${await logTail(machine.logFile, 20)}\n` +
        `The lab's DHCP server (dnsmasq):\n${await logTail(network.dhcpLogFile, 12)}\n` +
        `Serial console:\n${serial.toString('utf8').split('\n').slice(-40).join('\n')}`,
      { mac, outcome },
    );
  } finally {
    stopWaiting.abort();
    await machine.process.stop();
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
