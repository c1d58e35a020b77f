// How light a simulated bare-metal machine is: boots N machines (3
// controllers, the rest workers) from a real boot server, delivers the
// controllers' withheld files over SSH, with --run runs them until every node
// is Ready, and reports time and memory.
//   node platforms/bare-metal/bench/simulated-machines.bench.ts [--machines 10] [--run]
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { BootApiClient } from '@strata/api/boot-client';
import { applyRenderPlan, ASSET_PATHS, planClusterRender } from '@strata/assets';
import { resolveAllBinaries } from '@strata/binaries';
import { readProcessMemory, runCommand, waitFor } from '@strata/host';
import { captureLogger, startTestBootServer, startWriteApi, writeApiCredentials } from '@strata/boot-server/testing';
import {
  applyManifests,
  joinApproverImages,
  placeKubeConfig,
  startSimulatedMachines,
} from '@strata/platform-local/testing';
import { aBareMetalConfig, type MachineSpec } from '../src/flow/fixtures.ts';
import { planBareMetal } from '../src/flow/plan-bare-metal.ts';
import { readRenderedIgnition } from '../src/flow/rendered-ignition.ts';
import { deliverWithheldSecrets } from '../src/ssh/deliver.ts';

const { values } = parseArgs({
  options: { machines: { type: 'string', default: '10' }, run: { type: 'boolean', default: false } },
});
const count = Number(values.machines);
const controllers = Math.min(3, count);
const specs: MachineSpec[] = Array.from({ length: count }, (_, index) =>
  index < controllers
    ? {
        name: `ctrl${index + 1}`,
        mac: `52:54:00:cc:00:${(index + 1).toString(16).padStart(2, '0')}`,
        role: 'controller',
      }
    : {
        name: `node${index - controllers + 1}`,
        mac: `52:54:00:dd:00:${(index + 1).toString(16).padStart(2, '0')}`,
        role: 'worker',
        pool: 'general',
      },
);
const say = (line: string) => process.stdout.write(`${line}\n`);

/** Every process below this one (guardians, sshd, etcd, the control plane) and their resident memory. */
async function descendants(): Promise<{ count: number; rssMiB: number }> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const status = await readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
    const ppid = Number(/PPid:\s+(\d+)/.exec(status)?.[1] ?? 0);
    parents.set(Number(entry), ppid);
  }
  const below = new Set<number>([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (!below.has(pid) && below.has(ppid)) {
        below.add(pid);
        grew = true;
      }
    }
  }
  below.delete(process.pid);
  let bytes = 0;
  for (const pid of below) bytes += (await readProcessMemory(pid))?.residentBytes ?? 0;
  return { count: below.size, rssMiB: Number((bytes / 2 ** 20).toFixed(1)) };
}

const dir = await mkdtemp(join(tmpdir(), 'strata-machines-bench-'));
const boot = await startTestBootServer();
const credentials = await writeApiCredentials();
const api = await startWriteApi({
  address: '127.0.0.1:0',
  store: boot.store,
  tls: credentials.serverTls,
  logger: captureLogger().logger,
});
try {
  const key = join(dir, 'installer');
  await runCommand('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  const base = aBareMetalConfig({ name: 'bench', endpoint: boot.url, machines: specs });
  const config = { ...base, sshAuthorizedKeys: [(await readFile(`${key}.pub`, 'utf8')).trim()] };
  const assetsDir = join(dir, 'assets');
  await applyRenderPlan(await planClusterRender({ config, dir: assetsDir }));
  const plan = planBareMetal({ config, ignition: await readRenderedIgnition(assetsDir, config) });
  const client = new BootApiClient(credentials.endpoint(api.url));
  for (const template of plan.templates) await client.putTemplate('ignition', template.name, template.content);
  for (const profile of plan.profiles) await client.putProfile(profile);
  for (const group of plan.groups) await client.putGroup(group);
  const binaries = values.run ? await resolveAllBinaries() : undefined;

  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const machines = startSimulatedMachines({
    config,
    bootServerUrl: boot.url,
    dir: join(dir, 'machines'),
    sshPort: 2222,
    ...(binaries === undefined
      ? {}
      : { run: { binaries, os: { version: '4230.2.3', group: 'stable' }, images: joinApproverImages() } }),
  });
  try {
    await machines.waitFor(['installed', 'running', 'waiting-for-secrets'], 120_000);
    const booted = performance.now() - started;
    const deliveries = performance.now();
    await Promise.all(
      machines.machines
        .filter((machine) => machine.role === 'controller')
        .map((machine) =>
          deliverWithheldSecrets(
            { machine: machine.name, host: machine.address, port: 2222, user: machine.sshd?.loginUser ?? 'core' },
            plan.withheld.get(machine.name) ?? [],
            { identityFile: key, knownHostsFile: join(dir, 'known_hosts') },
          ),
        ),
    );
    await machines.waitFor(['installed', 'running'], 60_000);
    const delivered = performance.now() - deliveries;
    let readyMs: number | undefined;
    if (values.run) {
      const admin = new KubeConfig();
      admin.loadFromFile(join(assetsDir, ASSET_PATHS.adminKubeconfig));
      const placed = placeKubeConfig(admin, machines.names);
      await waitFor(
        'the bootstrap manifests to apply',
        () => applyManifests(placed, join(assetsDir, 'manifests')).then(() => true),
        { timeoutMs: 300_000, intervalMs: 1_000, retryErrors: true },
      );
      const core = placed.makeApiClient(CoreV1Api);
      await waitFor(
        `${count} nodes Ready`,
        async () => {
          const nodes = await core.listNode();
          const ready = nodes.items.filter((node) =>
            node.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True'),
          );
          return ready.length === count ? true : undefined;
        },
        { timeoutMs: 600_000, intervalMs: 1_000, retryErrors: true },
      );
      readyMs = performance.now() - started;
    }
    const processes = await descendants();
    say(
      JSON.stringify(
        {
          machines: count,
          controllers,
          run: values.run,
          allBootedMs: Math.round(booted),
          secretsDeliveredMs: Math.round(delivered),
          filesPerController: plan.withheld.get('ctrl1')?.length,
          ...(readyMs === undefined ? {} : { allNodesReadyMs: Math.round(readyMs) }),
          simulatorRssGrowthMiB: Number(((process.memoryUsage().rss - rssBefore) / 2 ** 20).toFixed(1)),
          childProcesses: processes.count,
          childProcessesRssMiB: processes.rssMiB,
        },
        null,
        2,
      ),
    );
  } finally {
    await machines.stop();
  }
} finally {
  await api.close();
  await boot.close();
  await rm(dir, { recursive: true, force: true });
}
