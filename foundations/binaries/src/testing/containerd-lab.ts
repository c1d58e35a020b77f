// The node image's container runtime as tests run it: the resolved containerd (with its runc shim, runc and the CNI
// plugins) as a child process with its own root, state, sockets and configuration, in a network namespace of its own
// (a new one, or one the test holds and wires to a registry), its pods in a cgroup of their own. Nothing outside its
// temporary directory and its own cgroups is touched, and cleanUp removes all of it. Shared by the runtime test and
// the pod-image test.
import assert from 'node:assert/strict';
import { access, constants, mkdir, mkdtemp, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  logTail,
  ManagedProcess,
  runCommand,
  waitFor,
  WaitTimeoutError,
  type CommandResult,
  type NetworkNamespace,
} from '@strata/host';
import { CNI_PLUGIN_NAMES, type BinaryName } from '../components.ts';
import { resolveBinary } from '../resolve.ts';
import { STATIC_BUSYBOX } from './oci-image.ts';

/** What the test runs containerd with, all under one temporary directory. */
export interface ContainerdLab {
  readonly dir: string;
  readonly socket: string;
  readonly binaries: Readonly<Record<'containerd' | 'containerd-shim-runc-v2' | 'ctr' | 'runc' | 'crictl', string>>;
  readonly cniBinDirs: readonly string[];
  /** The cgroup (in every hierarchy) that holds the test's containers and pods. */
  readonly cgroupParent: string;
  /** containerd's own namespace for `ctr` containers; CRI pods live in `k8s.io`. */
  readonly namespace: string;
  readonly log: string;
  /** runc's state directory. */
  readonly runtimeRoot: string;
  /** CRI's pinned sandbox image: what each pod sandbox runs. */
  readonly sandboxImage: string;
  /** CRI's registry `config_path`: a directory of `<host>/hosts.toml` files; none when absent. */
  readonly registryHostsDir?: string;
}

/** A bridge's pods' subnet: a documentation range (RFC 5737), routed nowhere, existing only in containerd's namespace. */
export const POD_SUBNET = '192.0.2.0/24';

/**
 * What containerd and runc need of this machine. Each missing piece fails the test with how to get it: the node image
 * must be proven to run containers, so a machine that cannot is an error, not a skip.
 */
export async function missingPrerequisites(): Promise<string[]> {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) {
    missing.push(
      'root: containerd and runc create mount, network and PID namespaces and cgroups (run the tests as root)',
    );
  }
  const filesystems = await readFile('/proc/filesystems', 'utf8');
  if (!/\boverlay$/m.test(filesystems)) {
    missing.push(
      "overlayfs in the kernel: containerd's overlayfs snapshotter mounts each container's root (modprobe overlay)",
    );
  }
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  const cgroup2Root = / \/sys\/fs\/cgroup [^-]*- cgroup2 /.test(mounts);
  if (!cgroup2Root) {
    // cgroup v1 (or hybrid, as on this machine): runc skips a controller that is not mounted, except devices, and
    // CRI sets every pod sandbox's CPU shares, which fails without the cpu controller.
    const needed = [
      ['devices', "runc refuses to create a container's cgroup without it"],
      ['cpu', "CRI sets each pod sandbox's CPU shares"],
    ] as const;
    for (const [controller, why] of needed) {
      const mounted = [...mounts.matchAll(/ - cgroup \S+ (\S+)$/gm)].some((match) =>
        (match[1] ?? '').split(',').includes(controller),
      );
      if (!mounted) {
        missing.push(
          `the ${controller} cgroup controller (${why}): mount cgroup v2 on /sys/fs/cgroup, or cgroup v1's ${controller} hierarchy`,
        );
      }
    }
  }
  try {
    await access(STATIC_BUSYBOX, constants.X_OK);
  } catch {
    missing.push(`${STATIC_BUSYBOX}, the image's only binary (apt-get install busybox-static)`);
  }
  for (const [tool, packageName] of [
    ['unshare', 'util-linux'],
    ['nsenter', 'util-linux'],
    ['nft', 'nftables'],
    ['tar', 'tar'],
  ] as const) {
    const found = await runCommand('sh', ['-c', `command -v ${tool}`]);
    if (found.code !== 0) missing.push(`${tool} (apt-get install ${packageName})`);
  }
  return missing;
}

export const CAP_SYS_RESOURCE = 24;

/** Whether this process may use a capability: some sandboxes drop a few from root's bounding set. */
export async function hasCapability(bit: number): Promise<boolean> {
  const status = await readFile('/proc/self/status', 'utf8');
  const effective = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  return effective !== undefined && ((BigInt(`0x${effective}`) >> BigInt(bit)) & 1n) === 1n;
}

/**
 * `restrictOomScoreAdj`: CRI gives a pod's sandbox an OOM score adjustment of -998, and lowering one below the
 * caller's needs CAP_SYS_RESOURCE, which some sandboxed machines withhold even from root (runc then fails with
 * "failed to update /proc/self/oom_score_adj: Permission denied"). containerd's own option for that case keeps
 * every adjustment at or above its own; a node has the capability and runs without it.
 */
function containerdConfig(lab: ContainerdLab, restrictOomScoreAdj: boolean): string {
  const quoted = (value: string): string => JSON.stringify(value);
  return `version = 4
root = ${quoted(join(lab.dir, 'root'))}
state = ${quoted(join(lab.dir, 'state'))}
# The default imports /etc/containerd/conf.d: the host's.
imports = []
# NRI would listen on /var/run/nri; the other snapshotters only probe and complain.
disabled_plugins = [
  "io.containerd.nri.v1.nri",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.blockfile",
  "io.containerd.snapshotter.v1.erofs",
]

[plugins]
  [plugins.'io.containerd.server.v1.grpc']
    address = ${quoted(lab.socket)}
  [plugins.'io.containerd.server.v1.ttrpc']
    address = ${quoted(`${lab.socket}.ttrpc`)}
  [plugins.'io.containerd.server.v1.debug']
    address = ${quoted(join(lab.dir, 'debug.sock'))}
  # Its default, /opt/containerd, is the host's.
  [plugins.'io.containerd.internal.v1.opt']
    path = ${quoted(join(lab.dir, 'opt'))}
  [plugins.'io.containerd.image-verifier.v1.bindir']
    bin_dir = ${quoted(join(lab.dir, 'image-verifiers'))}
  # Shim sockets default to /run/containerd/s; the path must stay short (42 characters).
  [plugins.'io.containerd.shim.v1.manager']
    socket_dir = ${quoted(join(lab.dir, 's'))}
  [plugins.'io.containerd.cri.v1.images']
    snapshotter = "overlayfs"
    [plugins.'io.containerd.cri.v1.images'.pinned_images]
      sandbox = ${quoted(lab.sandboxImage)}
    [plugins.'io.containerd.cri.v1.images'.registry]
      config_path = ${quoted(lab.registryHostsDir ?? '')}
  [plugins.'io.containerd.cri.v1.runtime']
    # Pods' network namespaces default to /var/run/netns, CDI specifications to /etc/cdi: the host's.
    netns_mounts_under_state_dir = true
    cdi_spec_dirs = []
    restrict_oom_score_adj = ${restrictOomScoreAdj}
    [plugins.'io.containerd.cri.v1.runtime'.cni]
      bin_dirs = ${JSON.stringify(lab.cniBinDirs)}
      conf_dir = ${quoted(join(lab.dir, 'cni'))}
    [plugins.'io.containerd.cri.v1.runtime'.containerd]
      default_runtime_name = "runc"
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
          BinaryName = ${quoted(lab.binaries.runc)}
          Root = ${quoted(lab.runtimeRoot)}
  [plugins.'io.containerd.grpc.v1.cri']
    stream_server_address = "127.0.0.1"
`;
}

/** A bridge with host-local addresses and portmap (nftables), as a node's pod network; CRI adds loopback itself. */
function cniConfig(bridge: string, dataDir: string): unknown {
  return {
    cniVersion: '1.0.0',
    name: 'strata-lab',
    plugins: [
      {
        type: 'bridge',
        bridge,
        isGateway: true,
        ipMasq: false,
        ipam: { type: 'host-local', ranges: [[{ subnet: POD_SUBNET }]], dataDir },
      },
      { type: 'portmap', capabilities: { portMappings: true }, backend: 'nftables' },
    ],
  };
}

export interface StartContainerdOptions {
  /** mkdtemp's prefix; short, because the shim socket directory below it may have at most 42 characters. */
  readonly prefix: string;
  readonly sandboxImage: string;
  readonly registryHostsDir?: string;
  /** The namespace to run containerd in; a new one of its own (`unshare --net`) when absent. */
  readonly netns?: NetworkNamespace;
}

export interface RunningContainerd {
  readonly lab: ContainerdLab;
  readonly containerd: ManagedProcess;
  /** `ctr` against this containerd, in the lab's namespace unless another is named. */
  readonly ctr: (args: readonly string[], namespace?: string) => Promise<CommandResult>;
  /** `crictl` with its own configuration: by default it reads the host's /etc/crictl.yaml. */
  readonly crictl: (args: readonly string[]) => Promise<CommandResult>;
  /** Fails the test with the command's output and the end of containerd's log unless it exited 0; its stdout. */
  readonly ok: (what: string, result: CommandResult) => Promise<string>;
  /** Stops containerd and removes everything; safe to call twice. What was still there afterwards. */
  readonly cleanUp: () => Promise<Leftovers>;
}

export interface Leftovers {
  readonly processes: number[];
  readonly mounts: string[];
  readonly cgroups: string[];
}

/**
 * Starts containerd with its own everything and waits until it answers. Fails, naming what is missing, on a machine
 * that cannot run containers: the node image must be proven to run them, so that is an error, not a skip.
 */
export async function startContainerd(options: StartContainerdOptions): Promise<RunningContainerd> {
  const missing = await missingPrerequisites();
  assert.deepEqual(
    missing,
    [],
    `this machine cannot run the node image's containers; it lacks:\n  ${missing.join('\n  ')}`,
  );
  const resolve = (name: BinaryName): Promise<string> => resolveBinary(name, { progress: () => undefined });
  const binaries = {
    containerd: await resolve('containerd'),
    'containerd-shim-runc-v2': await resolve('containerd-shim-runc-v2'),
    ctr: await resolve('ctr'),
    runc: await resolve('runc'),
    crictl: await resolve('crictl'),
  };
  const cniBinDirs = await Promise.all(CNI_PLUGIN_NAMES.map(async (name) => dirname(await resolve(name))));
  const dir = await mkdtemp(join(tmpdir(), options.prefix));
  const lab: ContainerdLab = {
    dir,
    socket: join(dir, 'containerd.sock'),
    binaries,
    cniBinDirs,
    cgroupParent: `/${options.prefix}${process.pid}`,
    namespace: 'strata-lab',
    log: join(dir, 'containerd.log'),
    runtimeRoot: join(dir, 'runc'),
    sandboxImage: options.sandboxImage,
    ...(options.registryHostsDir === undefined ? {} : { registryHostsDir: options.registryHostsDir }),
  };
  let containerd: ManagedProcess | undefined;
  const ctr = (args: readonly string[], namespace = lab.namespace): Promise<CommandResult> =>
    runCommand(lab.binaries.ctr, ['--address', lab.socket, '--namespace', namespace, ...args]);
  const crictl = (args: readonly string[]): Promise<CommandResult> =>
    runCommand(lab.binaries.crictl, ['--config', join(lab.dir, 'crictl.yaml'), ...args]);
  const ok = async (what: string, result: CommandResult): Promise<string> => {
    assert.equal(
      result.code,
      0,
      `${what} exited ${result.code}: ${result.stderr}${result.stdout}\ncontainerd's log ends:\n${await logTail(lab.log)}`,
    );
    return result.stdout;
  };
  try {
    for (const sub of ['root', 'state', 'opt', 'image-verifiers', 's', 'cni', 'fifo', 'pods', 'runc']) {
      await mkdir(join(dir, sub), { recursive: true });
    }
    const bridge = `slab${process.pid % 100000}`;
    await writeFile(
      join(dir, 'cni', '10-strata-lab.conflist'),
      JSON.stringify(cniConfig(bridge, join(dir, 'ipam')), null, 2),
    );
    await writeFile(
      join(dir, 'crictl.yaml'),
      `runtime-endpoint: unix://${lab.socket}\nimage-endpoint: unix://${lab.socket}\ntimeout: 60\n`,
    );
    const config = join(dir, 'config.toml');
    await writeFile(config, containerdConfig(lab, !(await hasCapability(CAP_SYS_RESOURCE))));
    // containerd finds its shim on PATH: the shim's own directory first, nothing of the host's before it.
    const path = [
      dirname(lab.binaries['containerd-shim-runc-v2']),
      dirname(lab.binaries.runc),
      '/usr/sbin',
      '/usr/bin',
      '/sbin',
      '/bin',
    ];
    const args = [lab.binaries.containerd, '--config', config, '--log-level', 'info'];
    const inNamespace =
      options.netns === undefined
        ? { command: 'unshare', args: ['--net', ...args] }
        : options.netns.commandIn(args[0] ?? '', args.slice(1));
    // Under a guardian, as every component is, so that it cannot outlive the test.
    const running = ManagedProcess.start({
      name: 'containerd',
      command: inNamespace.command,
      args: [...inNamespace.args],
      env: { PATH: path.join(':'), HOME: dir },
      logFile: lab.log,
      gracePeriodMs: 15_000,
    });
    containerd = running;
    await waitFor(
      `containerd to answer on ${lab.socket}`,
      async () => {
        if (!running.running) throw await running.failure('exited before it answered');
        const version = await ctr(['version']).catch(() => undefined);
        return version?.code === 0 ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    return { lab, containerd: running, ctr, crictl, ok, cleanUp: () => cleanUp(lab, running) };
  } catch (error) {
    await cleanUp(lab, containerd);
    throw error;
  }
}

/** Processes whose command line names the lab's directory: containerd and any shim it started. */
async function labProcesses(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(join('/proc', entry, 'cmdline'), 'utf8').catch(() => '');
    if (cmdline.includes(dir)) pids.push(Number(entry));
  }
  return pids;
}

/** Mount points under the lab's directory, deepest first. */
async function labMounts(dir: string): Promise<string[]> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  return mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point === dir || point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** The lab's cgroup in every hierarchy that has one (v1: one per controller; v2: one). */
async function labCgroups(parent: string): Promise<string[]> {
  const roots = ['/sys/fs/cgroup', ...(await readdir('/sys/fs/cgroup')).map((entry) => join('/sys/fs/cgroup', entry))];
  const found: string[] = [];
  for (const root of roots) {
    const path = join(root, parent);
    if (
      await access(path).then(
        () => true,
        () => false,
      )
    )
      found.push(path);
  }
  return found;
}

/** Removes a cgroup and the (empty) cgroups below it; a cgroup still holding a process stays. */
async function removeCgroup(path: string): Promise<void> {
  for (const entry of await readdir(path, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory()) await removeCgroup(join(path, entry.name));
  }
  await rmdir(path).catch(() => undefined);
}

/**
 * Stops containerd and everything it started, unmounts what it mounted, removes its cgroups and directory. Safe to
 * call twice. Returns what was still there afterwards.
 */
export async function cleanUp(
  lab: ContainerdLab,
  containerd: ManagedProcess | undefined,
): Promise<{ processes: number[]; mounts: string[]; cgroups: string[] }> {
  await containerd?.stop();
  // Shims outlive containerd by design; these are the lab's own (their command lines name its socket).
  for (const pid of await labProcesses(lab.dir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  // Their mounts go with them: wait until they are gone; what is still there after that is reported below.
  await waitFor(
    "the lab's processes to be gone",
    async () => ((await labProcesses(lab.dir)).length === 0 ? true : undefined),
    { timeoutMs: 10_000, intervalMs: 100 },
  ).catch((error: unknown) => {
    if (!(error instanceof WaitTimeoutError)) throw error;
  });
  for (const point of await labMounts(lab.dir)) {
    await runCommand('umount', ['--lazy', point]);
  }
  for (const cgroup of await labCgroups(lab.cgroupParent)) await removeCgroup(cgroup);
  const leftovers = {
    processes: await labProcesses(lab.dir),
    mounts: await labMounts(lab.dir),
    cgroups: await labCgroups(lab.cgroupParent),
  };
  if (leftovers.mounts.length === 0) await rm(lab.dir, { recursive: true, force: true });
  return leftovers;
}

export interface PodSandboxOptions {
  readonly name: string;
  readonly portMappings?: readonly {
    readonly protocol: 0;
    readonly container_port: number;
    readonly host_port: number;
  }[];
}

/** Writes a CRI pod sandbox config, as `crictl runp` takes it, in the lab's cgroup; returns its path. */
export async function writePodSandboxConfig(lab: ContainerdLab, options: PodSandboxOptions): Promise<string> {
  const path = join(lab.dir, `pod-${options.name}.json`);
  await writeFile(
    path,
    JSON.stringify({
      metadata: { name: options.name, namespace: 'default', uid: `${options.name}-${process.pid}`, attempt: 0 },
      log_directory: join(lab.dir, 'pods'),
      ...(options.portMappings === undefined ? {} : { port_mappings: options.portMappings }),
      linux: { cgroup_parent: lab.cgroupParent },
    }),
  );
  return path;
}

/**
 * `ctr run`'s arguments for a container of `reference` with the lab's runc and fifo directory, in a cgroup of the
 * lab's: `options` (`--rm`, `--detach`, …) before the image, `command` after the container's id.
 */
export function ctrRunArguments(
  lab: ContainerdLab,
  container: {
    readonly reference: string;
    readonly id: string;
    readonly options?: readonly string[];
    readonly command: readonly string[];
  },
): string[] {
  return [
    'run',
    '--runc-binary',
    lab.binaries.runc,
    '--runc-root',
    lab.runtimeRoot,
    '--fifo-dir',
    join(lab.dir, 'fifo'),
    '--cgroup',
    `${lab.cgroupParent}/${container.id}`,
    ...(container.options ?? []),
    container.reference,
    container.id,
    ...container.command,
  ];
}
