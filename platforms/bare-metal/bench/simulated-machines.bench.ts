// How light a simulated bare-metal machine is: boots N machines (3
// controllers, the rest workers) from a real boot server, delivers the
// controllers' withheld files over SSH, and reports time and memory.
//   node platforms/bare-metal/bench/simulated-machines.bench.ts [--machines 10]
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BootApiClient } from '@strata/api/boot-client';
import { runCommand } from '@strata/host';
import { captureLogger, startTestBootServer, startWriteApi, writeApiCredentials } from '@strata/boot-server/testing';
import { startSimulatedMachines } from '@strata/platform-local/testing';
import { aBareMetalConfig, renderedIgnitionOf, type MachineSpec } from '../src/flow/fixtures.ts';
import { planBareMetal } from '../src/flow/plan-bare-metal.ts';
import { deliverWithheldSecrets } from '../src/ssh/deliver.ts';

const { values } = parseArgs({ options: { machines: { type: 'string', default: '10' } } });
const count = Number(values.machines);
const specs: MachineSpec[] = Array.from({ length: count }, (_, index) =>
  index < 3
    ? {
        name: `ctrl${index + 1}`,
        mac: `52:54:00:cc:00:${(index + 1).toString(16).padStart(2, '0')}`,
        role: 'controller',
      }
    : {
        name: `node${index - 2}`,
        mac: `52:54:00:dd:00:${(index + 1).toString(16).padStart(2, '0')}`,
        role: 'worker',
        pool: 'general',
      },
);

async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
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
  const plan = planBareMetal({ config, ignition: await renderedIgnitionOf(config) });
  const client = new BootApiClient(credentials.endpoint(api.url));
  for (const template of plan.templates) await client.putTemplate('ignition', template.name, template.content);
  for (const profile of plan.profiles) await client.putProfile(profile);
  for (const group of plan.groups) await client.putGroup(group);

  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const machines = startSimulatedMachines({
    config,
    bootServerUrl: boot.url,
    dir: join(dir, 'machines'),
    sshPort: 2222,
  });
  try {
    await machines.waitFor(['installed', 'waiting-for-secrets'], 120_000);
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
    await machines.waitFor(['installed'], 60_000);
    const delivered = performance.now() - deliveries;
    const sshdPids = (await runCommand('/usr/bin/pgrep', ['-f', join(dir, 'machines')])).stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
    const sshdKiB = (await Promise.all(sshdPids.map(rssKiB))).reduce((sum, value) => sum + value, 0);
    const nodeGrowthMiB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    process.stdout.write(
      JSON.stringify(
        {
          machines: count,
          controllers: 3,
          allBootedMs: Math.round(booted),
          bootWallMsPerMachine: Math.round(booted / count),
          secretsDeliveredMs: Math.round(delivered),
          filesPerController: plan.withheld.get('ctrl1')?.length,
          simulatorRssGrowthMiB: Number(nodeGrowthMiB.toFixed(1)),
          sshdProcesses: sshdPids.length,
          sshdRssMiB: Number((sshdKiB / 1024).toFixed(1)),
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    await machines.stop();
  }
} finally {
  await api.close();
  await boot.close();
  await rm(dir, { recursive: true, force: true });
}
