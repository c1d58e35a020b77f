// The bare-metal flow against simulated machines: a real boot server (read
// side and mutual-TLS write API over one data directory), the flow's plan
// registered through the write API's client, machines that network-boot from
// it, and a real sshd per controller that receives the withheld files.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { BootApiClient } from '@strata/api/boot-client';
import { applyRenderPlan, ASSET_PATHS, decodeDataUrl, planClusterRender, type WithheldFile } from '@strata/assets';
import { resolveAllBinaries } from '@strata/binaries';
import { runCommand, waitFor } from '@strata/host';
import {
  captureLogger,
  startTestBootServer,
  startWriteApi,
  writeApiCredentials,
  type RunningWriteApi,
  type TestBootServer,
} from '@strata/boot-server/testing';
import {
  applyManifests,
  HOST_KEY_PATH,
  joinApproverImages,
  MachineBootError,
  placeKubeConfig,
  startSimulatedMachines,
  type SimulatedMachines,
} from '@strata/platform-local/testing';
import { aBareMetalConfig, type MachineSpec } from '../flow/fixtures.ts';
import { readRenderedIgnition } from '../flow/rendered-ignition.ts';
import { planBareMetal } from '../flow/plan-bare-metal.ts';
import type { BareMetalPlan } from '../flow/plan.ts';
import { deliverWithheldSecrets, type SshTarget } from './deliver.ts';
import { SecretDeliveryError } from './errors.ts';

const ONE_CONTROLLER_TWO_WORKERS: readonly MachineSpec[] = [
  { name: 'ctrl1', mac: '52:54:00:aa:00:01', role: 'controller' },
  { name: 'node1', mac: '52:54:00:bb:00:01', role: 'worker', pool: 'general' },
  { name: 'node2', mac: '52:54:00:bb:00:02', role: 'worker', pool: 'general' },
];
/** Not 22: the port a test may take without colliding with a system sshd on another loopback address. */
const SSH_PORT = 2222;

async function sshKeyPair(dir: string, name: string): Promise<{ privateKey: string; publicKey: string }> {
  const privateKey = join(dir, name);
  const made = await runCommand('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', privateKey]);
  assert.equal(made.code, 0, made.stderr);
  return { privateKey, publicKey: (await readFile(`${privateKey}.pub`, 'utf8')).trim() };
}

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() || entry.isSymbolicLink())
    .map((entry) => `/${relative(root, join(entry.parentPath, entry.name))}`)
    .sort();
}

/** Processes whose command line or environment names `text` (a machine's directory). */
async function processesMentioning(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const [cmdline, environ] = await Promise.all(
      ['cmdline', 'environ'].map((file) => readFile(`/proc/${entry}/${file}`, 'utf8').catch(() => '')),
    );
    if (`${cmdline ?? ''}\0${environ ?? ''}`.includes(text))
      found.push(`${entry}: ${(cmdline ?? '').replaceAll('\0', ' ')}`);
  }
  return found;
}

async function register(client: BootApiClient, plan: BareMetalPlan): Promise<void> {
  for (const template of plan.templates) await client.putTemplate('ignition', template.name, template.content);
  for (const profile of plan.profiles) await client.putProfile(profile);
  for (const group of plan.groups) await client.putGroup(group);
}

describe('simulated bare-metal machines', () => {
  let dir: string;
  let boot: TestBootServer;
  let api: RunningWriteApi;
  let client: BootApiClient;
  let identity: { privateKey: string; publicKey: string };
  let plan: BareMetalPlan;
  let machines: SimulatedMachines | undefined;
  let assetsDir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-simulated-machines-'));
    identity = await sshKeyPair(dir, 'installer');
    boot = await startTestBootServer();
    const credentials = await writeApiCredentials();
    api = await startWriteApi({
      address: '127.0.0.1:0',
      store: boot.store,
      tls: credentials.serverTls,
      logger: captureLogger().logger,
    });
    client = new BootApiClient(credentials.endpoint(api.url));
    const base = aBareMetalConfig({ name: 'sim', endpoint: boot.url, machines: ONE_CONTROLLER_TWO_WORKERS });
    const config = { ...base, sshAuthorizedKeys: [identity.publicKey] };
    // The installer's part: render, plan, register. The machines see none of this but through the boot server.
    assetsDir = join(dir, 'assets');
    await applyRenderPlan(await planClusterRender({ config, dir: assetsDir }));
    plan = planBareMetal({ config, ignition: await readRenderedIgnition(assetsDir, config) });
    await register(client, plan);
    const binaries = await resolveAllBinaries();
    machines = startSimulatedMachines({
      config,
      bootServerUrl: boot.url,
      dir: join(dir, 'machines'),
      sshPort: SSH_PORT,
      // The join approver approves the nodes' join requests; on a real controller it is a static pod.
      run: {
        binaries,
        os: { version: '4230.2.3', group: 'stable' },
        kubeletRetryMs: 1_000,
        images: joinApproverImages(),
      },
    });
  });
  after(async () => {
    await machines?.stop();
    await api?.close();
    await boot?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const target = (): SshTarget => {
    const controller = machines?.machine('ctrl1');
    assert.ok(controller?.sshd, 'the controller runs sshd');
    return {
      machine: 'ctrl1',
      host: controller.sshd.address,
      port: controller.sshd.port,
      user: controller.sshd.loginUser,
    };
  };
  const withheld = (): readonly WithheldFile[] => plan.withheld.get('ctrl1') ?? [];

  it('boots every machine from the boot server and waits, on the controller, for exactly the withheld files', async () => {
    assert.ok(machines);
    // Workers run their kubelet at once; it retries until a control plane lets it in.
    await machines.waitFor(['running'], 30_000, ['node1', 'node2']);
    await machines.waitFor(['waiting-for-secrets'], 30_000, ['ctrl1']);
    const controller = machines.machine('ctrl1');
    assert.match(controller.boot?.installConfigUrl ?? '', /\/ignition\?uuid=[0-9a-f-]{36}&mac=52-54-00-aa-00-01$/);
    assert.equal(
      controller.boot?.installedConfigUrl,
      `${boot.url}/ignition?mac=52%3A54%3A00%3Aaa%3A00%3A01&os=installed`,
    );

    const paths = withheld().map((file) => file.path);
    assert.ok(paths.includes('/etc/kubernetes/pki/ca.key'), 'the CA key is withheld');
    // Absent before delivery: none of the withheld files is on the controller's disk.
    const root = controller.root;
    const before = await filesUnder(root);
    assert.deepEqual(
      before.filter((path) => paths.includes(path)),
      [],
    );
    const state = controller.state;
    assert.equal(state.phase, 'waiting-for-secrets');
    assert.ok(
      state.phase === 'waiting-for-secrets' && state.missing.every((path) => paths.includes(path)),
      'it waits only for withheld files',
    );

    // By construction: every file on each disk is one the boot server served (its Ignition config's files, units and
    // the core user's keys), the host key the machine made itself, or the kubelet's own state (/var/lib/kubelet).
    for (const machine of machines.machines) {
      const served = new Set([
        ...(machine.applied?.files ?? []),
        ...(machine.role === 'controller' ? [HOST_KEY_PATH, `${HOST_KEY_PATH}.pub`] : []),
      ]);
      const links = new Set(['/etc/extensions/kubernetes.raw']);
      const stray = (await filesUnder(machine.root)).filter(
        (path) => !served.has(path) && !links.has(path) && !path.startsWith('/var/lib/kubelet/'),
      );
      assert.deepEqual(stray, [], `${machine.name} holds only served files`);
    }
  });

  it('refuses a delivery signed by a key the machine does not know, and writes nothing', async () => {
    const stranger = await sshKeyPair(dir, 'stranger');
    await assert.rejects(
      deliverWithheldSecrets(target(), withheld(), {
        identityFile: stranger.privateKey,
        knownHostsFile: join(dir, 'cluster', 'known_hosts'),
      }),
      (error: unknown) => error instanceof SecretDeliveryError && /Permission denied \(publickey\)/.test(error.message),
    );
    const root = machines?.machine('ctrl1').root ?? '';
    await assert.rejects(stat(join(root, '/etc/kubernetes/pki/ca.key')), { code: 'ENOENT' });
  });

  it('delivers the withheld files over SSH with their exact modes, and the controller completes', async () => {
    assert.ok(machines);
    const knownHosts = join(dir, 'cluster', 'known_hosts');
    const files = withheld();
    const delivered = await deliverWithheldSecrets(target(), files, {
      identityFile: identity.privateKey,
      knownHostsFile: knownHosts,
    });
    assert.deepEqual(
      delivered,
      files.map((file) => file.path),
    );
    const root = machines.machine('ctrl1').root;
    for (const file of files) {
      const written = await stat(join(root, file.path));
      assert.equal(written.mode & 0o777, file.mode, `${file.path} has mode ${file.mode.toString(8)}`);
      const expected = decodeDataUrl(file.source);
      assert.ok(expected.ok);
      assert.deepEqual(
        new Uint8Array(await readFile(join(root, file.path))),
        expected.value.data,
        `${file.path} arrived whole`,
      );
    }
    await machines.waitFor(['running'], 10_000, ['ctrl1']);
    // The host key learnt on first contact is pinned under the machine's name.
    const pinned = await readFile(knownHosts, 'utf8');
    assert.ok(pinned.includes(machines.machine('ctrl1').sshd?.hostPublicKey.split(' ')[1] ?? '(none)'));
    assert.match(pinned, /^\[?ctrl1\]?(:\d+)? ssh-ed25519 /m);
  });

  it('runs the control plane from the delivered files, and every machine becomes a Ready node', async () => {
    assert.ok(machines);
    const admin = new KubeConfig();
    admin.loadFromFile(join(assetsDir, ASSET_PATHS.adminKubeconfig));
    // The installer reaches the API name as a client on this machine would: through the machines' names.
    const placed = placeKubeConfig(admin, machines.names);
    await waitFor(
      'the bootstrap manifests to apply',
      () => applyManifests(placed, join(assetsDir, 'manifests')).then(() => true),
      {
        timeoutMs: 120_000,
        intervalMs: 1_000,
        retryErrors: true,
      },
    );
    const core = placed.makeApiClient(CoreV1Api);
    const ready = await waitFor(
      'ctrl1, node1 and node2 Ready',
      async () => {
        const nodes = await core.listNode();
        const names = nodes.items
          .filter((node) => node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
          .map((node) => node.metadata?.name ?? '')
          .sort();
        return names.length === 3 ? names : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 1_000, retryErrors: true },
    );
    assert.deepEqual(ready, ['ctrl1', 'node1', 'node2']);
  });

  it('refuses any other command than the delivery, even with the right key', async () => {
    const { host, port, user } = target();
    const result = await runCommand('/usr/bin/ssh', [
      '-F',
      'none',
      '-i',
      identity.privateKey,
      '-p',
      String(port),
      '-o',
      'BatchMode=yes',
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      `UserKnownHostsFile=${join(dir, 'cluster', 'known_hosts')}`,
      '-o',
      'HostKeyAlias=ctrl1',
      '-T',
      `${user}@${host}`,
      'cat /etc/shadow',
    ]);
    assert.equal(result.code, 126);
    assert.match(result.stderr, /refused: this machine accepts only/);
  });

  it("a machine whose MAC the boot server does not know fails with the server's answer", async () => {
    const config = aBareMetalConfig({
      name: 'stray',
      endpoint: boot.url,
      machines: [{ name: 'lost1', mac: '52:54:00:ee:00:01', role: 'controller' }],
    });
    const lost = startSimulatedMachines({ config, bootServerUrl: boot.url, dir: join(dir, 'lost') });
    try {
      await lost.waitFor(['failed'], 10_000);
      const state = lost.machine('lost1').state;
      assert.equal(state.phase, 'failed');
      assert.ok(state.phase === 'failed' && state.error instanceof MachineBootError);
      assert.match(
        state.phase === 'failed' ? state.reason : '',
        /network boot: GET http:\/\/127\.0\.0\.1:\d+\/ipxe\?uuid=[^ ]*mac=52-54-00-ee-00-01[^ ]* answered 404/,
      );
    } finally {
      await lost.stop();
    }
  });

  it('stops every machine, leaving no process behind', async () => {
    assert.ok(machines);
    const machinesDir = join(dir, 'machines');
    assert.notDeepEqual(await processesMentioning(machinesDir), [], 'the machines run processes (sshd, etcd)');
    await machines.stop();
    assert.deepEqual(
      machines.machines.map((machine) => machine.state.phase),
      machines.machines.map(() => 'stopped'),
    );
    assert.deepEqual(await processesMentioning(machinesDir), []);
  });
});
