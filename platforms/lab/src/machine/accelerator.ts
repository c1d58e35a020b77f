// Which accelerator the lab's machines run under. KVM is used only where a probe guest (the host's kernel and a
// busybox initramfs that prints one line and powers off) boots under it within a short time: on some hosts /dev/kvm
// exists but a Linux guest hangs under it, and a lab that hung there would hang every machine. Otherwise TCG.
// The answer is kept per host boot (the boot id), so the probe runs once, not at every `strata lab up`.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  findHostTool,
  ManagedProcess,
  PUBLIC_FILE_MODE,
  waitFor,
  WaitTimeoutError,
  writeFileAtomic,
} from '@strata/host';
import { z } from 'zod';
import { LabConfigError } from '../errors.ts';
import { packNewcArchive } from '../initrd/newc.ts';
import { findHostKernel, findStaticBusybox } from './guest-parts.ts';

export type Accelerator = 'kvm' | 'tcg';

export const AcceleratorChoiceSchema = z.strictObject({
  accelerator: z.enum(['kvm', 'tcg']),
  /** Why, in words a user reads in the lab's log. */
  reason: z.string(),
  /** The host boot the answer holds for. */
  bootId: z.string(),
  probedAt: z.string(),
});
export type AcceleratorChoice = z.infer<typeof AcceleratorChoiceSchema>;

/** A Linux guest under TCG prints its line in about 4 s here; one under working KVM in well under a second. */
const DEFAULT_PROBE_TIMEOUT_MS = 20_000;
const PROBE_LINE = 'STRATA-KVM-PROBE-BOOTED';

export interface AcceleratorOptions {
  /** Where the answer is kept, e.g. ~/.cache/strata/lab. */
  readonly cacheDir: string;
  readonly timeoutMs?: number;
  /** `kvm` or `tcg` skips the probe (STRATA_LAB_ACCEL=tcg does the same). */
  readonly force?: Accelerator;
  readonly env?: NodeJS.ProcessEnv;
}

export async function chooseAccelerator(options: AcceleratorOptions): Promise<AcceleratorChoice> {
  const env = options.env ?? process.env;
  const bootId = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
  const now = () => new Date().toISOString();
  const forced = options.force ?? forcedByEnvironment(env);
  if (forced !== undefined) return { accelerator: forced, reason: `asked for ${forced}`, bootId, probedAt: now() };
  try {
    await access('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch (error) {
    return {
      accelerator: 'tcg',
      reason: `/dev/kvm is not usable (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      bootId,
      probedAt: now(),
    };
  }
  const cacheFile = join(options.cacheDir, 'accelerator.json');
  const cached = AcceleratorChoiceSchema.safeParse(JSON.parse(await readFile(cacheFile, 'utf8').catch(() => 'null')));
  if (cached.success && cached.data.bootId === bootId) return cached.data;
  const choice = await probeKvm(bootId, options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS, env);
  await mkdir(options.cacheDir, { recursive: true });
  await writeFileAtomic(cacheFile, `${JSON.stringify(choice, null, 2)}\n`, PUBLIC_FILE_MODE);
  return choice;
}

async function probeKvm(bootId: string, timeoutMs: number, env: NodeJS.ProcessEnv): Promise<AcceleratorChoice> {
  const [qemu, cpio, kernel, busybox] = [
    await findHostTool('qemu-system-x86_64', 'qemu-system-x86', env),
    await findHostTool('cpio', 'cpio', env),
    await findHostKernel(),
    await findStaticBusybox(env),
  ];
  const dir = await mkdtemp(join(tmpdir(), 'strata-kvm-probe-'));
  const started = performance.now();
  let guest: ManagedProcess | undefined;
  try {
    const root = join(dir, 'root');
    await mkdir(join(root, 'bin'), { recursive: true });
    await chmod(root, 0o755);
    await copyFile(busybox, join(root, 'bin/busybox'));
    await writeFile(
      join(root, 'init'),
      `#!/bin/busybox sh\n/bin/busybox echo ${PROBE_LINE}\n/bin/busybox poweroff -f\n`,
      { mode: 0o755 },
    );
    const initrd = join(dir, `probe-${randomBytes(4).toString('hex')}.img`);
    await writeFile(initrd, gzipSync(await packNewcArchive(cpio, root)));
    const serial = join(dir, 'serial.log');
    guest = ManagedProcess.start({
      name: 'KVM probe guest',
      command: qemu,
      args: [
        '-machine',
        'pc',
        '-accel',
        'kvm',
        '-m',
        '256',
        '-display',
        'none',
        '-monitor',
        'none',
        '-no-reboot',
        '-nic',
        'none',
        '-serial',
        `file:${serial}`,
        '-kernel',
        kernel.image,
        '-initrd',
        initrd,
        '-append',
        'console=ttyS0 panic=-1 quiet',
      ],
      logFile: join(dir, 'qemu.log'),
      gracePeriodMs: 1_000,
      removeWhenOrphaned: [dir],
    });
    const running = guest;
    try {
      await waitFor(
        'the KVM probe guest to print its line',
        async () => {
          if ((await readFile(serial, 'utf8').catch(() => '')).includes(PROBE_LINE)) return true;
          if (!running.running) throw await running.failure('exited before its guest printed its line');
          return undefined;
        },
        { timeoutMs, intervalMs: 50 },
      );
      const ms = Math.round(performance.now() - started);
      return {
        accelerator: 'kvm',
        reason: `a probe guest booted under KVM in ${ms} ms`,
        bootId,
        probedAt: new Date().toISOString(),
      };
    } catch (error) {
      const why =
        error instanceof WaitTimeoutError
          ? `a probe guest printed nothing under KVM in ${timeoutMs} ms`
          : `a probe guest failed under KVM: ${(error as Error).message.split('\n')[0] ?? ''}`;
      return { accelerator: 'tcg', reason: why, bootId, probedAt: new Date().toISOString() };
    }
  } finally {
    await guest?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function forcedByEnvironment(env: NodeJS.ProcessEnv): Accelerator | undefined {
  const value = env['STRATA_LAB_ACCEL'];
  if (value === undefined || value === '') return undefined;
  const parsed = z.enum(['kvm', 'tcg']).safeParse(value);
  if (!parsed.success) {
    throw new LabConfigError(`STRATA_LAB_ACCEL=${JSON.stringify(value)}: must be kvm or tcg (or unset, to probe)`, {
      field: 'STRATA_LAB_ACCEL',
      value,
    });
  }
  return parsed.data;
}
