// Boots a node image under QEMU (TCG) for tests: a direct kernel boot of the image's kernel and initramfs with a
// copy of its root file system, no network (a boot that needs one runs on the machine lab's), the serial console in a file that is read as it
// grows. The copy gets a check unit (written with debugfs, so nothing is mounted) that waits for containerd, runs the
// pinned binaries, prints what it saw; the host then stops QEMU. The image itself never holds the check. An Ignition
// config can be handed to the guest through QEMU's fw_cfg, where Ignition's qemu platform reads it.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { logTail, ManagedProcess, readProcessMemory, runCommand, uefiFirmwareArgs } from '@strata/host';
import { MIB, PARTITION_LABELS } from '../disk-layout.ts';
import { copyIntoDisk, partitionNamed, readPartitionTable } from '../disk.ts';
import { NodeImageBootError } from '../errors.ts';
import { findHostTool } from '../host-tools.ts';
import type { NodeImage } from '../image.ts';
import type { IgnitionFileSpec, IgnitionUnitSpec } from './ignition.ts';

/** The prefix of every line the check prints, so that it stands out from the kernel's and systemd's. */
export const CHECK_PREFIX = 'STRATA-CHECK';
export const CHECK_UNIT = 'strata-boot-check.service';

/**
 * Runs after multi-user.target and containerd; its output goes to the serial console. The host stops QEMU as soon as
 * the check's last line is there: SuccessAction=poweroff-force on such a oneshot did not power this guest off (the
 * unit finished, the machine stayed up for over a minute), so the guest is not asked to.
 */
const CHECK_UNIT_TEXT = `[Unit]
Description=Strata node image boot check (test copies only)
After=multi-user.target containerd.service
Wants=containerd.service

[Service]
Type=oneshot
# Written to the serial port by the shell, not with StandardOutput=tty: systemd stops printing its own status to the
# console while a unit holds it, and that status is how the boot's times are read.
ExecStart=/bin/sh -c 'exec /bin/sh /etc/strata-boot-check.sh >/dev/ttyS0 2>&1'
`;

/**
 * The check as an Ignition config's parts, for a machine whose root nobody prepares (one installed from the network):
 * the script, the unit (enabled through its [Install] section, as Ignition enables units) and the serial getty masked.
 */
export function checkIgnitionParts(extra = ''): { files: IgnitionFileSpec[]; units: IgnitionUnitSpec[] } {
  return {
    files: [
      {
        path: '/etc/strata-boot-check.sh',
        contents: checkScript(extra === '' ? '' : `${extra.trimEnd()}\n`),
        mode: 0o755,
      },
    ],
    units: [
      { name: CHECK_UNIT, contents: `${CHECK_UNIT_TEXT}\n[Install]\nWantedBy=multi-user.target\n`, enabled: true },
      { name: 'serial-getty@ttyS0.service', mask: true },
    ],
  };
}

/** systemd-boot's vendor GUID: the EFI variables it sets for the OS (the Boot Loader Interface). */
export const LOADER_VARIABLES_GUID = '4a67b082-0a4c-41cf-b6c7-440b29bb8c4f';

const checkScript = (extra: string): string => `#!/bin/sh
# printf, not dash's echo, which would read the backslashes of an ESP path (\\loader\\entries) as escapes.
say() { printf '%s\\n' "${CHECK_PREFIX} $*"; }
# A boot loader variable's value: UTF-16LE after 4 bytes of attributes, printed as ASCII; "none" without one (a
# direct kernel boot has no boot loader, and no EFI at all). Through a pipe: efivarfs files cannot seek, and tail
# given the file itself seeks past the attributes and prints nothing.
loader_var() {
  f=/sys/firmware/efi/efivars/$1-${LOADER_VARIABLES_GUID}
  if [ -r "$f" ]; then cat "$f" | tail -c +5 | tr -d '\\000'; else echo none; fi
}
say "uptime $(cut -d' ' -f1 /proc/uptime)"
say "efi $(test -d /sys/firmware/efi && echo yes || echo no)"
for var in LoaderInfo LoaderEntrySelected LoaderFirmwareInfo LoaderTimeInitUSec LoaderTimeExecUSec LoaderBootCountPath; do
  say "loader-var $var $(loader_var $var)"
done
for unit in sysinit.target multi-user.target containerd.service; do
  say "active-enter-us $unit $(systemctl show -P ActiveEnterTimestampMonotonic $unit)"
done
say "containerd $(systemctl is-active containerd.service)"
say "update-engine $(systemctl is-active strata-update-engine.service)"
busctl call com.coreos.update1 /com/coreos/update1 com.coreos.update1.Manager GetStatus 2>&1 | sed "s/^/${CHECK_PREFIX} update-engine-status: /"
busctl get-property org.freedesktop.PolicyKit1 /org/freedesktop/PolicyKit1/Authority org.freedesktop.PolicyKit1.Authority BackendName 2>&1 | sed "s/^/${CHECK_PREFIX} polkit-backend: /"
say "failed-units $(systemctl list-units --state=failed --plain --no-legend | cut -d' ' -f1 | tr '\\n' ' ')"
say "os-release $(. /etc/os-release && echo "$ID $VERSION_ID")"
runc --version 2>&1 | sed "s/^/${CHECK_PREFIX} runc: /"
kubelet --version 2>&1 | sed "s/^/${CHECK_PREFIX} kubelet: /"
etcd --version 2>&1 | sed "s/^/${CHECK_PREFIX} etcd: /"
ctr version 2>&1 | sed "s/^/${CHECK_PREFIX} ctr: /"
${extra}say "end"
`;

export interface BootMarks {
  /** Milliseconds from QEMU's start until the serial console first showed each mark (undefined: never). */
  /** UEFI firmware (OVMF) starts the disk's boot loader, systemd-boot (disk boots only). */
  readonly bootLoader?: number;
  /** The kernel's EFI stub runs: systemd-boot loaded the entry's kernel (disk boots only). */
  readonly efiStub?: number;
  readonly kernel?: number;
  /** systemd started in dracut's initramfs. */
  readonly initramfs?: number;
  /** Ignition's last stage finished (first boots only), in the initramfs. */
  readonly ignitionFiles?: number;
  /** systemd of the image's root, after the switch from the initramfs. */
  readonly systemd?: number;
  readonly multiUser?: number;
  readonly containerd?: number;
  readonly checkEnd?: number;
}

export interface CheckedBoot {
  /** The check's lines, prefix removed. */
  readonly check: readonly string[];
  readonly marks: BootMarks;
  readonly durationMs: number;
  readonly serialLog: string;
  /** QEMU's peak resident set (VmHWM) as last read before it was stopped: guest memory plus the translation cache. */
  readonly qemuPeakBytes?: number;
}

const MARKS: readonly [keyof BootMarks, RegExp][] = [
  ['bootLoader', /BdsDxe: starting Boot/],
  ['efiStub', /EFI stub: /],
  ['kernel', /Linux version \d/],
  ['initramfs', /Welcome to .*\(Initramfs\)/],
  ['ignitionFiles', /Finished .*Ignition \(files\)/],
  ['systemd', /Welcome to Strata node image/],
  ['multiUser', /Reached target .*Multi-User System/],
  ['containerd', /Started .*containerd/],
  ['checkEnd', new RegExp(`${CHECK_PREFIX} end`)],
];

export interface BootOptions {
  readonly timeoutMs: number;
  /**
   * Let the guest reboot (a disk boot that updates itself and reboots into the other slot): QEMU resets the machine
   * rather than exiting, the firmware's variables and the disk live on, and the console keeps growing.
   */
  readonly allowReboot?: boolean;
  /** Raw files attached read-only as further virtio disks (/dev/vdb, /dev/vdc, … in the guest), in this order (disk boots). */
  readonly extraDrives?: readonly string[];
  /** QEMU's translation cache in MiB: unbounded, it takes about 1 GiB per guest. */
  readonly tbSizeMiB?: number;
  readonly memoryMiB?: number;
  readonly signal?: AbortSignal;
  readonly env?: NodeJS.ProcessEnv;
  /** Appended to the kernel command line (e.g. ignition.firstboot ignition.platform.id=qemu). */
  readonly kernelArgs?: readonly string[];
  /** An Ignition config, handed to the guest as fw_cfg's opt/com.coreos/config (Ignition's qemu platform). */
  readonly ignitionConfig?: string;
  /** Shell lines the check runs after its own and before its last line; `say` prints a line with the prefix. */
  readonly checkScript?: string;
  /**
   * Console lines that together mean the boot failed (e.g. systemd's line for a failed Ignition stage and Ignition's
   * own error): the boot ends once every one has shown, with the error. Several, because lines from different
   * writers (systemd, journald's forwarding) reach the console in no fixed order.
   */
  readonly failWhen?: readonly RegExp[];
}

export interface CheckedDiskOptions {
  /** Shell lines the check runs after its own and before its last line; `say` prints a line with the prefix. */
  readonly checkScript?: string;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Enable the check (and mask the serial getty) in the root itself, with links in /etc/systemd/system, for a boot
   * whose kernel command line the test does not choose (the disk's boot loader entry); else checkedBootArguments
   * does it from the command line.
   */
  readonly enableInRoot?: boolean;
  /** The ext4 root to copy and check: the image's whole root (rootfs.ext4) unless given. */
  readonly from?: string;
  /**
   * Files the machine's root gets besides the check (mode 0644), as Ignition would write them on a provisioned
   * machine: an update.conf, a CA certificate. Their directory is made if missing (one level).
   */
  readonly files?: readonly { readonly path: string; readonly content: string }[];
}

/** The links enableInRoot adds: link path → target. */
const IN_ROOT_LINKS: readonly (readonly [string, string])[] = [
  [`/etc/systemd/system/multi-user.target.wants/${CHECK_UNIT}`, `/etc/systemd/system/${CHECK_UNIT}`],
  ['/etc/systemd/system/serial-getty@ttyS0.service', '/dev/null'],
];

/**
 * A sparse copy of the image's root in `workDir` with the check unit and script added by debugfs (nothing mounted);
 * the image itself never holds the check. Returns the copy's path.
 */
export async function prepareCheckedDisk(
  image: NodeImage,
  workDir: string,
  options: CheckedDiskOptions = {},
): Promise<string> {
  const env = options.env ?? process.env;
  const debugfs = await findHostTool('debugfs', env);
  const disk = join(workDir, 'rootfs.ext4');
  await sparseCopy(options.from ?? image.rootfs, disk, env);
  const script = checkScript(options.checkScript === undefined ? '' : `${options.checkScript.trimEnd()}\n`);
  await writeFile(join(workDir, 'check.service'), CHECK_UNIT_TEXT);
  await writeFile(join(workDir, 'check.sh'), script);
  const links = options.enableInRoot === true ? IN_ROOT_LINKS : [];
  const files = options.files ?? [];
  await Promise.all(files.map((file, index) => writeFile(join(workDir, `file-${index}`), file.content)));
  await writeFile(
    join(workDir, 'debugfs.cmd'),
    [
      `write ${join(workDir, 'check.service')} /etc/systemd/system/${CHECK_UNIT}`,
      `write ${join(workDir, 'check.sh')} /etc/strata-boot-check.sh`,
      // As for the links' directory: mkdir of a directory that is there fails harmlessly; each file is read back.
      ...files.flatMap((file, index) => [
        `mkdir ${dirname(file.path)}`,
        `write ${join(workDir, `file-${index}`)} ${file.path}`,
        `sif ${file.path} mode 0100644`,
      ]),
      // mkdir fails harmlessly when the directory is there; the links are read back below either way.
      ...(links.length > 0 ? ['mkdir /etc/systemd/system/multi-user.target.wants'] : []),
      ...links.map(([path, target]) => `symlink ${path} ${target}`),
    ].join('\n') + '\n',
  );
  const debug = await runCommand(debugfs, ['-w', '-f', join(workDir, 'debugfs.cmd'), disk]);
  // debugfs exits 0 even when a request fails: read both files and the links back to know.
  const unit = await runCommand(debugfs, ['-R', `cat /etc/systemd/system/${CHECK_UNIT}`, disk]);
  const written = await runCommand(debugfs, ['-R', 'cat /etc/strata-boot-check.sh', disk]);
  const linked = await Promise.all(
    links.map(async ([path, target]) =>
      (await runCommand(debugfs, ['-R', `stat ${path}`, disk])).stdout.includes(`Fast link dest: "${target}"`),
    ),
  );
  const added = await Promise.all(
    files.map(async (file) => (await runCommand(debugfs, ['-R', `cat ${file.path}`, disk])).stdout === file.content),
  );
  if (
    debug.code !== 0 ||
    unit.stdout !== CHECK_UNIT_TEXT ||
    written.stdout !== script ||
    linked.includes(false) ||
    added.includes(false)
  ) {
    throw new NodeImageBootError(`debugfs could not add the check unit to ${disk}: ${debug.stdout}${debug.stderr}`, {
      disk,
    });
  }
  return disk;
}

/**
 * The kernel arguments of a boot of a checked disk: its root, the console on the first serial port, the check unit.
 * panic=-1: a kernel panic reboots at once, which -no-reboot turns into QEMU's exit. The serial getty is masked:
 * while a unit holds the console, systemd stops printing its status there, and the status lines time the boot.
 */
export function checkedBootArguments(image: NodeImage): string[] {
  return [
    `root=LABEL=${image.rootLabel}`,
    'rw',
    'console=ttyS0',
    'panic=-1',
    `systemd.wants=${CHECK_UNIT}`,
    'systemd.mask=serial-getty@ttyS0.service',
  ];
}

export interface WatchOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /**
   * Console lines that together mean the boot failed (e.g. systemd's line for a failed Ignition stage and Ignition's
   * own error): the boot ends once every one has shown, with the error. Several, because lines from different
   * writers (systemd, journald's forwarding) reach the console in no fixed order.
   */
  readonly failWhen?: readonly RegExp[];
  /** How the machine was started, for the error message (QEMU's command line and log). */
  readonly describe: () => Promise<string>;
}

/**
 * Reads a running machine's serial console as it grows until the check's last line, a `failWhen` line, QEMU's exit or
 * the time-out, timing each mark from `started`; returns what the check printed or throws with the console's tail.
 */
export async function watchCheckedBoot(
  machine: ManagedProcess,
  serialFile: string,
  started: number,
  options: WatchOptions,
): Promise<CheckedBoot> {
  const marks: { -readonly [K in keyof BootMarks]: number } = {};
  let exited = false;
  void machine.exited.then(() => {
    exited = true;
  });
  let serial: string;
  let failed: string | undefined;
  let qemuPeakBytes: number | undefined;
  const qemuPid = await Promise.race([machine.pid.catch(() => undefined), sleep(5_000, undefined)]);
  const deadline = started + options.timeoutMs;
  // Polled rather than piped, so that each mark gets the time it first appeared to within the poll interval.
  while (
    !exited &&
    marks.checkEnd === undefined &&
    failed === undefined &&
    performance.now() < deadline &&
    options.signal?.aborted !== true
  ) {
    await sleep(100);
    const memory = qemuPid === undefined ? undefined : await readProcessMemory(qemuPid);
    if (memory !== undefined && Number.isFinite(memory.peakBytes)) qemuPeakBytes = memory.peakBytes;
    serial = withoutEscapes(await readFile(serialFile, 'utf8').catch(() => ''));
    const now = performance.now() - started;
    for (const [name, pattern] of MARKS) if (marks[name] === undefined && pattern.test(serial)) marks[name] = now;
    failed = failureShown(options.failWhen, serial);
  }
  const durationMs = performance.now() - started;
  serial = withoutEscapes(await readFile(serialFile, 'utf8').catch(() => ''));
  for (const [name, pattern] of MARKS) if (marks[name] === undefined && pattern.test(serial)) marks[name] = durationMs;
  const check = serial
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line.startsWith(`${CHECK_PREFIX} `))
    .map((line) => line.slice(CHECK_PREFIX.length + 1));
  if (!check.includes('end')) {
    const state =
      failed !== undefined
        ? `the console showed ${failed} after ${Math.round(durationMs)} ms`
        : exited
          ? `QEMU exited after ${Math.round(durationMs)} ms`
          : `still running after ${Math.round(durationMs)} ms`;
    throw new NodeImageBootError(
      `the node image's check did not finish (${state}).\n${await options.describe()}\n` +
        `Serial console:\n${serial.split('\n').slice(-60).join('\n')}`,
      // The whole console, for a test that expects the failure and reads what it said.
      { marks, serialLog: serial, ...(failed === undefined ? {} : { failed }) },
    );
  }
  return { check, marks, durationMs, serialLog: serial, ...(qemuPeakBytes === undefined ? {} : { qemuPeakBytes }) };
}

/** The machine every checked boot runs on: TCG, one CPU, no network, the serial console in `serialFile`. */
function baseQemuArgs(options: BootOptions, serialFile: string): string[] {
  return [
    '-machine',
    'pc',
    '-accel',
    `tcg,tb-size=${options.tbSizeMiB ?? 256}`,
    '-cpu',
    'max',
    '-m',
    String(options.memoryMiB ?? 1024),
    '-smp',
    '1',
    '-nographic',
    ...(options.allowReboot === true ? [] : ['-no-reboot']),
    '-monitor',
    'none',
    '-serial',
    `file:${serialFile}`,
    // Never QEMU's user-mode network: a boot that needs one runs on the machine lab's (@strata/lab).
    '-nic',
    'none',
  ];
}

/** Starts QEMU with `args` and watches its console until the check is done; always stops it and removes `workDir`. */
async function runCheckedMachine(
  qemu: string,
  args: readonly string[],
  workDir: string,
  serialFile: string,
  options: BootOptions,
): Promise<CheckedBoot> {
  let machine: ManagedProcess | undefined;
  try {
    const started = performance.now();
    const running = ManagedProcess.start({
      name: 'qemu (node image)',
      command: qemu,
      args: [...args],
      logFile: join(workDir, 'qemu.log'),
      gracePeriodMs: 2_000,
      removeWhenOrphaned: [workDir],
    });
    machine = running;
    return await watchCheckedBoot(running, serialFile, started, {
      timeoutMs: options.timeoutMs,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.failWhen === undefined ? {} : { failWhen: options.failWhen }),
      describe: async () => `QEMU: ${qemu} ${args.join(' ')}\nQEMU log:\n${await logTail(running.spec.logFile, 20)}`,
    });
  } finally {
    await machine?.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * Boots a copy of `image` with the check unit, directly (QEMU loads the kernel and the initramfs) and without a
 * network, and returns what the check printed; throws with the console's tail.
 */
export async function bootWithCheck(image: NodeImage, options: BootOptions): Promise<CheckedBoot> {
  const env = options.env ?? process.env;
  const qemu = await findHostTool('qemu-system-x86_64', env);
  const workDir = await mkdtemp(join(tmpdir(), 'strata-node-image-boot-'));
  let args: string[];
  try {
    const disk = await prepareCheckedDisk(image, workDir, {
      env,
      ...(options.checkScript === undefined ? {} : { checkScript: options.checkScript }),
    });
    const fwCfg: string[] = [];
    if (options.ignitionConfig !== undefined) {
      await writeFile(join(workDir, 'config.ign'), options.ignitionConfig);
      fwCfg.push('-fw_cfg', `name=opt/com.coreos/config,file=${join(workDir, 'config.ign')}`);
    }
    args = [
      ...baseQemuArgs(options, join(workDir, 'serial.log')),
      ...fwCfg,
      '-kernel',
      image.kernel,
      '-initrd',
      image.initrd,
      '-append',
      [...checkedBootArguments(image), ...(options.kernelArgs ?? [])].join(' '),
      '-drive',
      `file=${disk},format=raw,if=virtio`,
    ];
  } catch (error) {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
  return runCheckedMachine(qemu, args, workDir, join(workDir, 'serial.log'), options);
}

/**
 * A sparse copy of the image's disk whose ROOT partition holds a checked copy of the disk's own root (the root without
 * /usr, which the boot mounts from a slot), with the check enabled in the root (the boot loader's entry, not the
 * test, chooses the command line). The copy's ROOT is emptied (a punched hole) before the checked root is copied in
 * without its holes, so that every block of the partition is the checked file system's: copying over the old root
 * could leave an old block where the new one is zeros. The image's disk itself is never written. Returns the copy's
 * path.
 */
export async function prepareCheckedDiskImage(
  image: NodeImage,
  workDir: string,
  options: CheckedDiskOptions = {},
): Promise<string> {
  const env = options.env ?? process.env;
  const [fallocate, dd] = [await findHostTool('fallocate', env), await findHostTool('dd', env)];
  const rootDir = join(workDir, 'root');
  await mkdir(rootDir);
  const disk = join(workDir, 'disk.img');
  await sparseCopy(image.disk, disk, env);
  const root = partitionNamed(await readPartitionTable(disk, env), PARTITION_LABELS.root, disk);
  if (root.startBytes % MIB !== 0 || root.sizeBytes % MIB !== 0) {
    throw new NodeImageBootError(`${disk}'s ROOT partition is not MiB-aligned`, { root });
  }
  const diskRoot = join(rootDir, 'disk-root.ext4');
  const extracted = await runCommand(dd, [
    `if=${disk}`,
    `of=${diskRoot}`,
    'bs=1M',
    `skip=${root.startBytes / MIB}`,
    `count=${root.sizeBytes / MIB}`,
    'conv=sparse',
    'status=none',
  ]);
  if (extracted.code !== 0) throw new NodeImageBootError(`dd could not read ROOT: ${extracted.stderr}`, { disk });
  const checkedRoot = await prepareCheckedDisk(image, rootDir, { ...options, enableInRoot: true, from: diskRoot });
  const punched = await runCommand(fallocate, [
    '--punch-hole',
    '--offset',
    String(root.startBytes),
    '--length',
    String(root.sizeBytes),
    disk,
  ]);
  if (punched.code !== 0) throw new NodeImageBootError(`fallocate failed: ${punched.stderr}`, { disk });
  await copyIntoDisk(checkedRoot, disk, root.startBytes / MIB, env);
  await rm(rootDir, { recursive: true, force: true });
  return disk;
}

/**
 * Boots a copy of `image`'s GPT disk with the check unit the way a machine does: UEFI firmware (OVMF) finds
 * systemd-boot on the disk's ESP, which boots slot A's entry; QEMU is given no kernel, initramfs or command line.
 * No network. Returns what the check printed; throws with the console's tail.
 */
export async function bootDiskWithCheck(image: NodeImage, options: BootOptions): Promise<CheckedBoot> {
  const env = options.env ?? process.env;
  const qemu = await findHostTool('qemu-system-x86_64', env);
  if (options.kernelArgs !== undefined || options.ignitionConfig !== undefined) {
    // The entry on the disk decides the command line; a test that needs other arguments boots directly.
    throw new NodeImageBootError('a disk boot takes neither kernel arguments nor an Ignition config', {});
  }
  const workDir = await mkdtemp(join(tmpdir(), 'strata-node-image-disk-boot-'));
  let args: string[];
  try {
    const disk = await prepareCheckedDiskImage(image, workDir, {
      env,
      ...(options.checkScript === undefined ? {} : { checkScript: options.checkScript }),
    });
    // Each boot gets its own variable store: the firmware writes its boot order and systemd-boot its variables there.
    args = [
      ...baseQemuArgs(options, join(workDir, 'serial.log')),
      ...(await uefiFirmwareArgs(workDir)),
      '-drive',
      `file=${disk},format=raw,if=virtio`,
      ...(options.extraDrives ?? []).flatMap((drive) => [
        '-drive',
        `file=${drive.replaceAll(',', ',,')},format=raw,if=virtio,readonly=on`,
      ]),
    ];
  } catch (error) {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
  return runCheckedMachine(qemu, args, workDir, join(workDir, 'serial.log'), options);
}

/** The lines that matched, quoted, once every pattern has matched; undefined before (or without patterns). */
function failureShown(patterns: readonly RegExp[] | undefined, serial: string): string | undefined {
  if (patterns === undefined || patterns.length === 0) return undefined;
  const shown = patterns.map((pattern) => pattern.exec(serial)?.[0]);
  return shown.every((line) => line !== undefined) ? shown.map((line) => `"${line}"`).join(' and ') : undefined;
}

/** A copy that keeps the source's holes: the images are mostly free space. */
async function sparseCopy(from: string, to: string, env: NodeJS.ProcessEnv): Promise<void> {
  const copied = await runCommand(await findHostTool('cp', env), ['--sparse=always', from, to]);
  if (copied.code !== 0) throw new NodeImageBootError(`cp ${from} failed: ${copied.stderr}`, { from, to });
}

/** systemd colours its status lines; the marks are read without the colours. */
function withoutEscapes(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

/**
 * The command lines of this host's processes that contain `needle` (e.g. a boot's directory): what a test asserts
 * empty after a boot ends. A process that exits while its /proc entry is read counts as none.
 */
export async function processesNaming(needle: string): Promise<string[]> {
  const commandLines = await Promise.all(
    (await readdir('/proc'))
      .filter((entry) => /^\d+$/.test(entry))
      .map((pid) => readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')),
  );
  return commandLines.filter((line) => line.includes(needle));
}
