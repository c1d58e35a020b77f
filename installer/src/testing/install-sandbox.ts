// A place to run `strata install` in tests: a scratch directory and, when
// this machine allows it (root), a network namespace of its own, so that the
// local cluster's fixed loopback ports (127.0.0.2:2379, …) cannot collide
// with another local cluster on the machine. The namespace gets a host
// network (192.0.2.0/24 on a veth) for the overlap checks.
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand, waitFor, type CommandResult } from '@strata/host';
import { isAlive, processesOf } from '../install/local/processes.ts';

const STRATA = fileURLToPath(new URL('../../bin/strata.js', import.meta.url));
const NAMESPACE_HOST_NETWORK = '192.0.2.0/24';

export interface LocalConfigOptions {
  readonly name?: string;
  readonly workers?: number;
  readonly apiServerPort?: number;
  readonly podCidr?: string;
  readonly timeouts?: Record<string, string>;
}

/** A cluster.yaml for platform: local, as a user writes one. */
export function localConfigYaml(options: LocalConfigOptions = {}): string {
  const lines = [
    'apiVersion: strata.dev/v1alpha1',
    'kind: Cluster',
    `name: ${options.name ?? 'itest'}`,
    'baseDomain: localhost.example.com',
    'platform: local',
    'local:',
    `  apiServerPort: ${options.apiServerPort ?? 6443}`,
    'workerPools:',
    '  - name: worker',
    `    count: ${options.workers ?? 1}`,
  ];
  if (options.podCidr !== undefined) lines.push('networking:', `  podCidr: ${options.podCidr}`);
  if (options.timeouts !== undefined) {
    lines.push(
      'install:',
      '  timeouts:',
      ...Object.entries(options.timeouts).map(([key, value]) => `    ${key}: ${value}`),
    );
  }
  return `${lines.join('\n')}\n`;
}

export class InstallSandbox {
  readonly root: string;
  readonly namespace: string | undefined;
  /** A network of this (namespaced) host, for configs that must overlap one. */
  readonly hostNetwork: string;

  constructor(root: string, namespace: string | undefined, hostNetwork: string) {
    this.root = root;
    this.namespace = namespace;
    this.hostNetwork = hostNetwork;
  }

  static async create(): Promise<InstallSandbox> {
    const root = await mkdtemp(join(tmpdir(), 'strata-install-'));
    const namespace = `strata-it-${randomBytes(4).toString('hex')}`;
    // Synchronous: a few short `ip` commands, once per test file.
    const made = spawnSync('ip', ['netns', 'add', namespace], { encoding: 'utf8' });
    if (made.error !== undefined || made.status !== 0) return new InstallSandbox(root, undefined, firstHostNetwork());
    for (const args of [
      ['link', 'set', 'lo', 'up'],
      ['link', 'add', 'sbx0', 'type', 'veth', 'peer', 'name', 'sbx1'],
      ['addr', 'add', '192.0.2.2/24', 'dev', 'sbx0'],
      ['link', 'set', 'sbx0', 'up'],
      // An interface lists its addresses only once its link is up, which takes both ends.
      ['link', 'set', 'sbx1', 'up'],
    ]) {
      const result = spawnSync('ip', ['netns', 'exec', namespace, 'ip', ...args], { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`ip ${args.join(' ')} in ${namespace}: ${result.stderr}`);
    }
    return new InstallSandbox(root, namespace, NAMESPACE_HOST_NETWORK);
  }

  /** The command line that runs `command` inside the sandbox's namespace. */
  #wrap(command: string, args: readonly string[]): [string, string[]] {
    return this.namespace === undefined
      ? [command, [...args]]
      : ['ip', ['netns', 'exec', this.namespace, command, ...args]];
  }

  /** The command line of the real `strata` CLI inside the sandbox, for a test that runs it in its own terminal. */
  strataCommandLine(args: readonly string[]): string[] {
    const [command, wrapped] = this.#wrap(process.execPath, [STRATA, ...args]);
    return [command, ...wrapped];
  }

  async writeConfig(name: string, text: string): Promise<string> {
    const path = join(this.root, name);
    await writeFile(path, text);
    return path;
  }

  /** Runs the real `strata` CLI to completion (stdin closed: no terminal). */
  strata(args: readonly string[]): Promise<CommandResult> {
    const [command, wrapped] = this.#wrap(process.execPath, [STRATA, ...args]);
    return runCommand(command, wrapped);
  }

  /** Runs any command inside the sandbox (kubectl against its cluster, say), to completion. */
  run(command: string, args: readonly string[]): Promise<CommandResult> {
    const [wrappedCommand, wrapped] = this.#wrap(command, args);
    return runCommand(wrappedCommand, wrapped);
  }

  /** Starts the real `strata` CLI without waiting, for tests that kill it. */
  spawnStrata(args: readonly string[], logPath: string): ChildProcess {
    const [command, wrapped] = this.#wrap(process.execPath, [STRATA, ...args]);
    return spawn(command, wrapped, { stdio: ['ignore', 'ignore', openSync(logPath, 'a')] });
  }

  /** Starts the real `strata` CLI without waiting, stdout piped (for --json events), stderr appended to `logPath`. */
  spawnStrataPiped(args: readonly string[], logPath: string): ChildProcess {
    const [command, wrapped] = this.#wrap(process.execPath, [STRATA, ...args]);
    return spawn(command, wrapped, { stdio: ['ignore', 'pipe', openSync(logPath, 'a')] });
  }

  /** Binds a TCP port inside the sandbox until the returned function is called. */
  async holdPort(host: string, port: number): Promise<() => Promise<void>> {
    const script = `require('node:net').createServer().listen({host:${JSON.stringify(host)},port:${port}},()=>process.stdout.write('ready\\n'))`;
    const [command, wrapped] = this.#wrap(process.execPath, ['-e', script]);
    const child = spawn(command, wrapped, { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`the port holder exited with ${code}`)));
    });
    return async () => {
      child.kill('SIGKILL');
      await waitFor('the port holder to exit', () =>
        child.exitCode !== null || child.signalCode !== null ? true : undefined,
      );
    };
  }

  /** The ports of `ports` that something inside the sandbox still holds on `host`. */
  async portsInUse(host: string, ports: readonly number[]): Promise<number[]> {
    const script = `const net=require('node:net');(async()=>{const busy=[];for(const port of ${JSON.stringify(ports)}){await new Promise((resolve)=>{const s=net.createServer();s.once('error',()=>{busy.push(port);resolve()});s.listen({host:${JSON.stringify(host)},port,exclusive:true},()=>s.close(resolve))})}process.stdout.write(JSON.stringify(busy))})()`;
    const [command, wrapped] = this.#wrap(process.execPath, ['-e', script]);
    const result = await runCommand(command, wrapped);
    return JSON.parse(result.stdout) as number[];
  }

  /** Stops whatever is left of the clusters under the sandbox, then removes it and its namespace. */
  async cleanup(): Promise<void> {
    const leftovers = await processesOf(this.root);
    for (const { pid } of leftovers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    }
    await waitFor(
      'the leftovers to exit',
      () => (leftovers.some(({ pid }) => isAlive(pid)) ? undefined : true),
      15_000,
    );
    if (this.namespace !== undefined) spawnSync('ip', ['netns', 'delete', this.namespace]);
    await rm(this.root, { recursive: true, force: true });
  }
}

function firstHostNetwork(): string {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry !== undefined && !entry.internal && entry.family === 'IPv4' && entry.cidr !== null);
  if (address?.cidr === undefined || address.cidr === null)
    throw new Error('this machine has no IPv4 network to overlap');
  const [ip = '', bits = '32'] = address.cidr.split('/');
  const value = ip.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
  const mask = Number(bits) === 0 ? 0 : (0xffffffff << (32 - Number(bits))) >>> 0;
  const network = (value & mask) >>> 0;
  return `${[24, 16, 8, 0].map((shift) => (network >>> shift) & 255).join('.')}/${bits}`;
}
