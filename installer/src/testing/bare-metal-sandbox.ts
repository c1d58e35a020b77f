// A place to run `strata install` on bare metal in tests, as a user would:
// a boot server (read side and mutual-TLS write API), its client certificate
// in files, an SSH key pair, a bare-metal cluster.yaml, and simulated
// machines powered on once the installer has registered them. The CLI runs in
// a private mount namespace whose /etc/hosts maps the machines' names to
// their loopback addresses (as the machines' own programs resolve them): the
// installer resolves names as it would anywhere, and the system's file stays
// untouched.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { installEventSchema, type InstallEvent } from '../install/events.ts';
import { BootApiClient } from '@strata/api/boot-client';
import { clusterTopology, validateClusterConfig, type ClusterConfig, type ClusterConfigInput } from '@strata/assets';
import { TEST_SYSEXT_SHA512 } from '@strata/assets/testing';
import { resolveAllBinaries } from '@strata/binaries';
import { runCommand, SECRET_FILE_MODE, writeFileAtomic, type CommandResult } from '@strata/host';
import {
  captureLogger,
  startTestBootServer,
  startWriteApi,
  writeApiCredentials,
  type RunningWriteApi,
  type TestBootServer,
} from '@strata/boot-server/testing';
import { ServedMachines } from '@strata/boot-server';
import {
  hostsFile,
  joinApproverImages,
  machineNames,
  onItsOwnHosts,
  simulatedMachineAddress,
  startSimulatedMachines,
  type MachineNames,
  type SimulatedMachines,
} from '@strata/platform-local/testing';
import { makeSshKeyPair } from './ssh-key-pair.ts';
import { StrataProcess } from './strata-process.ts';

const STRATA = fileURLToPath(new URL('../../bin/strata.js', import.meta.url));
/** Not 22: a system sshd on 0.0.0.0:22 would hold it on every loopback address. */
export const SIMULATED_SSH_PORT = 2222;

export interface MachineSpec {
  readonly name: string;
  readonly mac: string;
  readonly role: 'controller' | 'worker';
}

/** n controllers and m workers with distinct MACs. */
export function machineSpecs(controllers: number, workers: number): MachineSpec[] {
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  return [
    ...Array.from({ length: controllers }, (_, i) => ({
      name: `ctrl${i + 1}`,
      mac: `52:54:00:aa:00:${hex(i + 1)}`,
      role: 'controller' as const,
    })),
    ...Array.from({ length: workers }, (_, i) => ({
      name: `node${i + 1}`,
      mac: `52:54:00:bb:00:${hex(i + 1)}`,
      role: 'worker' as const,
    })),
  ];
}

export interface BareMetalConfigOptions {
  readonly name: string;
  readonly endpoint: string;
  readonly machines: readonly MachineSpec[];
  readonly sshKey: string;
  readonly timeouts?: Record<string, string>;
}

/** A bare-metal cluster config input, as a user writes one. */
export function bareMetalConfigInput(options: BareMetalConfigOptions): ClusterConfigInput {
  return {
    apiVersion: 'strata.dev/v1alpha1',
    kind: 'Cluster',
    name: options.name,
    baseDomain: 'dc1.example.com',
    platform: 'bare-metal',
    bareMetal: {
      bootServer: { endpoint: options.endpoint },
      machines: options.machines.map((machine) => ({
        name: machine.name,
        mac: machine.mac,
        domain: `${machine.name}.dc1.example.com`,
        role: machine.role,
        ...(machine.role === 'worker' ? { pool: 'general' } : {}),
      })),
    },
    controllers: { count: options.machines.filter((machine) => machine.role === 'controller').length },
    os: { name: 'flatcar', channel: 'stable', version: '4230.2.3' },
    sshAuthorizedKeys: [options.sshKey],
    kubernetesSysext: { sha512: TEST_SYSEXT_SHA512 },
    ...(options.timeouts === undefined ? {} : { install: { timeouts: options.timeouts } }),
  };
}

export function parsedConfig(input: ClusterConfigInput): ClusterConfig {
  const result = validateClusterConfig(input);
  if (!result.ok) throw new Error(`test config is invalid:\n${result.message}`);
  return result.config;
}

export class BareMetalSandbox {
  readonly root: string;
  readonly boot: TestBootServer;
  readonly api: RunningWriteApi;
  readonly client: BootApiClient;
  readonly identity: { readonly privateKey: string; readonly publicKey: string };
  /** The write API flags of install and plan. */
  readonly bootApiArgs: readonly string[];
  #machines: SimulatedMachines | undefined;
  #powering: Promise<SimulatedMachines> | undefined;

  constructor(
    root: string,
    boot: TestBootServer,
    api: RunningWriteApi,
    client: BootApiClient,
    identity: { privateKey: string; publicKey: string },
    bootApiArgs: string[],
  ) {
    this.root = root;
    this.boot = boot;
    this.api = api;
    this.client = client;
    this.identity = identity;
    this.bootApiArgs = bootApiArgs;
  }

  static async create(): Promise<BareMetalSandbox> {
    const root = await mkdtemp(join(tmpdir(), 'strata-install-bm-'));
    const privateKey = join(root, 'id_ed25519');
    const identity = await makeSshKeyPair(privateKey, 'installer');
    // One record of what the read side served, listed by the write API, as `strata boot-server serve` wires it.
    const served = new ServedMachines();
    const boot = await startTestBootServer({ served });
    const credentials = await writeApiCredentials();
    const api = await startWriteApi({
      address: '127.0.0.1:0',
      store: boot.store,
      tls: credentials.serverTls,
      logger: captureLogger().logger,
      served,
    });
    const endpoint = credentials.endpoint(api.url);
    const tls = join(root, 'boot-api');
    await writeFileAtomic(join(tls, 'ca.crt'), endpoint.caPem, 0o644);
    await writeFileAtomic(join(tls, 'client.crt'), endpoint.certPem, 0o644);
    await writeFileAtomic(join(tls, 'client.key'), endpoint.keyPem, SECRET_FILE_MODE);
    const bootApiArgs = [
      '--boot-api',
      api.url,
      '--boot-api-ca',
      join(tls, 'ca.crt'),
      '--boot-api-cert',
      join(tls, 'client.crt'),
      '--boot-api-key',
      join(tls, 'client.key'),
      '--ssh-identity',
      privateKey,
      '--ssh-port',
      String(SIMULATED_SSH_PORT),
      // The simulated sshd lets in the user it runs as; Flatcar's lets in core.
      '--ssh-user',
      userInfo().username,
    ];
    return new BareMetalSandbox(root, boot, api, new BootApiClient(endpoint), identity, bootApiArgs);
  }

  async writeConfig(file: string, input: ClusterConfigInput): Promise<string> {
    const path = join(this.root, file);
    await writeFile(path, stringify(input));
    return path;
  }

  /** Each machine's domain and the API name, to the machines' fixed addresses. */
  namesFor(config: ClusterConfig): MachineNames {
    return machineNames(
      (config.bareMetal?.machines ?? []).map((machine, index) => ({
        domain: machine.domain,
        role: machine.role,
        address: simulatedMachineAddress(index),
      })),
      clusterTopology(config).apiDnsName,
    );
  }

  /** /etc/hosts for the CLI: each machine's domain and the API name at the machines' fixed addresses. */
  async hostsFor(config: ClusterConfig): Promise<string> {
    const path = join(this.root, `hosts-${config.name}`);
    await writeFile(path, hostsFile(this.namesFor(config)));
    return path;
  }

  /** `strata machines start` on `configPath`, as a user powers the machines on from a terminal of their own. */
  startMachinesCommand(configPath: string, dir: string): StrataProcess {
    return new StrataProcess([
      'machines',
      'start',
      '--config',
      configPath,
      '--boot-server',
      this.boot.url,
      '--dir',
      dir,
      '--ssh-port',
      String(SIMULATED_SSH_PORT),
    ]);
  }

  /** The real CLI, to completion, on this machine's own names (preflight needs no machine). */
  strata(args: readonly string[]): Promise<CommandResult> {
    return runCommand(process.execPath, [STRATA, ...args]);
  }

  /** The real CLI, started, resolving names through `hosts`; stdout is piped for --json events. */
  spawnStrata(hosts: string, args: readonly string[]): ChildProcess {
    const { command, args: wrapped } = onItsOwnHosts(hosts, process.execPath, [STRATA, ...args]);
    return spawn(command, wrapped, { stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** The real CLI to completion, resolving names through `hosts` (status reaches the API by its name). */
  strataOnNames(hosts: string, args: readonly string[]): Promise<CommandResult> {
    const { command, args: wrapped } = onItsOwnHosts(hosts, process.execPath, [STRATA, ...args]);
    return runCommand(command, wrapped);
  }

  /**
   * `strata install --json` on `config`, powering the machines on (once) when the installer says they are
   * registered; `onEvent` sees every event with the running CLI (a test that kills it does so there).
   */
  async install(
    hosts: string,
    config: ClusterConfig,
    args: readonly string[],
    onEvent?: (event: InstallEvent, child: ChildProcess) => void,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null; events: InstallEvent[]; stderr: string }> {
    const child = this.spawnStrata(hosts, ['install', ...args, '--json', ...this.bootApiArgs]);
    const events: InstallEvent[] = [];
    const stderr: string[] = [];
    if (child.stdout === null || child.stderr === null) throw new Error('the CLI has no stdout or stderr');
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.trim() === '') return;
      const parsed = installEventSchema.safeParse(JSON.parse(line));
      if (!parsed.success) return;
      events.push(parsed.data);
      if (parsed.data.type === 'phase-progress' && /registered with the boot server/.test(parsed.data.message)) {
        this.#powering ??= this.powerOn(config);
      }
      onEvent?.(parsed.data, child);
    });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
    );
    if (this.#powering !== undefined) await this.#powering;
    return { code, signal, events, stderr: stderr.join('') };
  }

  /** The machines, once powered on. */
  get machines(): SimulatedMachines | undefined {
    return this.#machines;
  }

  /** Stops every machine (their addresses are fixed: the next cluster's machines need them). */
  async powerOff(): Promise<void> {
    await this.#machines?.stop();
    this.#machines = undefined;
    this.#powering = undefined;
  }

  /** Powers the machines on, as a user does once the boot server knows them. */
  async powerOn(config: ClusterConfig): Promise<SimulatedMachines> {
    const binaries = await resolveAllBinaries();
    this.#machines = startSimulatedMachines({
      config,
      bootServerUrl: this.boot.url,
      dir: join(this.root, 'machines', config.name),
      sshPort: SIMULATED_SSH_PORT,
      run: {
        binaries,
        os: { version: '4230.2.3', group: 'stable' },
        kubeletRetryMs: 1_000,
        images: joinApproverImages(),
      },
    });
    return this.#machines;
  }

  async cleanup(): Promise<void> {
    await this.#machines?.stop();
    await this.api.close();
    await this.boot.close();
    await rm(this.root, { recursive: true, force: true });
  }
}
