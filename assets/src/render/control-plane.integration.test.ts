// The rendered assets run a real control plane: three etcd members with the
// rendered certificates on 127.0.0.2-4, kube-apiserver, controller-manager and
// scheduler from the rendered static-pod manifests (paths moved under a
// per-node root directory), and the bootstrap manifests applied with kubectl.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../process/run-command.ts';
import { parse } from 'yaml';
import type { V1Pod } from '@kubernetes/client-node';
import { CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import { ManagedProcess, waitFor, waitUntilHealthy, type ClientTls } from '@strata/harness';
import { resolveAllBinaries, type ResolvedBinaries } from '../binaries/resolve.ts';
import { renderConfig } from '../testing/fixtures.ts';
import { materializeIgnition, readEnvironmentFile, remapFlags } from '../testing/node-root.ts';
import { applyRenderPlan, planClusterRender, renderInput } from './render.ts';
import { ASSET_PATHS, CERT, KEY } from './layout.ts';


const CONTROLLERS = 3;

const run = (command: string, args: readonly string[]) => runCommand(command, args);

describe('rendered assets run a real control plane', () => {
  const config = renderConfig({ controllers: { count: CONTROLLERS } });
  const { topology } = renderInput(config);
  const processes: ManagedProcess[] = [];
  let dir: string;
  let binaries: ResolvedBinaries;
  let adminKubeconfig: string;

  const start = (name: string, command: string, args: string[], logDir: string, env: Record<string, string> = {}) => {
    const managed = ManagedProcess.start({ name, command, args, env, logFile: join(logDir, `${name}.log`), removeWhenOrphaned: [dir] });
    processes.push(managed);
    return managed;
  };

  const staticPodCommand = async (root: string, component: string): Promise<string[]> => {
    const pod = parse(await readFile(join(root, 'etc/kubernetes/manifests', `${component}.yaml`), 'utf8')) as V1Pod;
    const command = pod.spec?.containers[0]?.command ?? [];
    assert.equal(command[0], component);
    return remapFlags(command.slice(1), root);
  };

  before(async () => {
    binaries = await resolveAllBinaries();
    dir = await mkdtemp(join(tmpdir(), 'strata-rendered-control-plane-'));
    const assets = join(dir, 'assets');
    await applyRenderPlan(await planClusterRender({ config, dir: assets }));
    adminKubeconfig = join(assets, ASSET_PATHS.adminKubeconfig);
    const logs = join(dir, 'logs');

    const etcdClientTls: ClientTls = {
      ca: await readFile(join(assets, CERT(ASSET_PATHS.etcdCa)), 'utf8'),
      cert: await readFile(join(assets, CERT(ASSET_PATHS.apiserverEtcdClient)), 'utf8'),
      key: await readFile(join(assets, KEY(ASSET_PATHS.apiserverEtcdClient)), 'utf8'),
    };
    const roots = new Map<string, string>();
    for (const controller of topology.controllers) {
      const root = join(dir, 'nodes', controller.name);
      await materializeIgnition(join(assets, ASSET_PATHS.ignition(controller.name)), root);
      roots.set(controller.name, root);
    }

    // etcd first: all members must start before any can form the quorum.
    const members = await Promise.all(
      topology.controllers.map(async (controller) => {
        const root = roots.get(controller.name) ?? '';
        const env = await readEnvironmentFile(join(root, 'etc/etcd/etcd.env'), root);
        return { controller, process: start(`etcd-${controller.name}`, binaries.etcd, [], logs, env) };
      }),
    );
    await Promise.all(members.map(({ controller, process }) => waitUntilHealthy(process, `https://${controller.etcdHost}:2379/health`, etcdClientTls, 60_000)));

    const kubeconfig = new KubeConfig();
    kubeconfig.loadFromFile(adminKubeconfig);
    const user = kubeconfig.getCurrentUser();
    const cluster = kubeconfig.getCurrentCluster();
    const adminTls: ClientTls = {
      ca: Buffer.from(cluster?.caData ?? '', 'base64').toString(),
      cert: Buffer.from(user?.certData ?? '', 'base64').toString(),
      key: Buffer.from(user?.keyData ?? '', 'base64').toString(),
    };
    for (const controller of topology.controllers) {
      const root = roots.get(controller.name) ?? '';
      const apiserver = start(`kube-apiserver-${controller.name}`, binaries['kube-apiserver'], await staticPodCommand(root, 'kube-apiserver'), logs);
      await waitUntilHealthy(apiserver, `${controller.apiServerUrl}/readyz`, adminTls, 90_000);
    }
    for (const controller of topology.controllers) {
      const root = roots.get(controller.name) ?? '';
      start(`kube-controller-manager-${controller.name}`, binaries['kube-controller-manager'], await staticPodCommand(root, 'kube-controller-manager'), logs);
      start(`kube-scheduler-${controller.name}`, binaries['kube-scheduler'], await staticPodCommand(root, 'kube-scheduler'), logs);
    }
  });

  after(async () => {
    await Promise.all([...processes].reverse().filter((p) => !p.spec.name.startsWith('etcd')).map((p) => p.stop()));
    await Promise.all(processes.filter((p) => p.spec.name.startsWith('etcd')).map((p) => p.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the API on every controller, with the rendered admin kubeconfig', async () => {
    for (const controller of topology.controllers) {
      const result = await run(binaries.kubectl, [`--kubeconfig=${adminKubeconfig}`, `--server=${controller.apiServerUrl}`, 'get', '--raw', '/readyz?verbose']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /readyz check passed/);
    }
    const namespaces = await run(binaries.kubectl, [`--kubeconfig=${adminKubeconfig}`, 'get', 'namespaces', '-o', 'name']);
    assert.equal(namespaces.code, 0, namespaces.stderr);
    assert.match(namespaces.stdout, /namespace\/kube-system/);
  });

  it('keeps etcd data in a three-member quorum', async () => {
    const result = await run(binaries.kubectl, [`--kubeconfig=${adminKubeconfig}`, 'get', '--raw', '/readyz/etcd']);
    assert.equal(result.code, 0, result.stderr);
    const assets = join(dir, 'assets');
    const members = await run(binaries.etcdctl, [
      `--endpoints=${topology.controllers.map((c) => `https://${c.etcdHost}:2379`).join(',')}`,
      `--cacert=${join(assets, CERT(ASSET_PATHS.etcdCa))}`,
      `--cert=${join(assets, CERT(ASSET_PATHS.apiserverEtcdClient))}`,
      `--key=${join(assets, KEY(ASSET_PATHS.apiserverEtcdClient))}`,
      'member',
      'list',
      '-w',
      'json',
    ]);
    assert.equal(members.code, 0, members.stderr);
    const list = JSON.parse(members.stdout) as { members: { name: string }[] };
    assert.deepEqual(list.members.map((m) => m.name).sort(), topology.controllers.map((c) => c.name).sort());
  });

  it('has controller-manager and scheduler holding their leader leases', async () => {
    const kubeconfig = new KubeConfig();
    kubeconfig.loadFromFile(adminKubeconfig);
    const leases = kubeconfig.makeApiClient(CoordinationV1Api);
    for (const name of ['kube-controller-manager', 'kube-scheduler']) {
      const holder = await waitFor(
        `${name} to hold its lease`,
        async () => {
          try {
            return (await leases.readNamespacedLease({ name, namespace: 'kube-system' })).spec?.holderIdentity ?? undefined;
          } catch {
            return undefined;
          }
        },
        60_000,
      );
      // The identity is the machine's hostname plus a random suffix: all three run on this machine.
      assert.match(holder, /_[0-9a-f-]{36}$/, `lease ${name} held by ${holder}`);
    }
  });

  it('applies the bootstrap manifests cleanly with server-side apply, and a second apply changes nothing', async () => {
    const manifests = join(dir, 'assets', 'manifests');
    const files = (await readdir(manifests)).filter((file) => file.endsWith('.yaml')).sort();
    assert.ok(files.length >= 4, `manifests: ${files.join(', ')}`);
    for (const file of files) {
      const result = await run(binaries.kubectl, [`--kubeconfig=${adminKubeconfig}`, 'apply', '--server-side', '--field-manager=strata', '-f', join(manifests, file)]);
      assert.equal(result.code, 0, `${file}: ${result.stderr}`);
    }
    for (const file of files) {
      const result = await run(binaries.kubectl, [`--kubeconfig=${adminKubeconfig}`, 'diff', '--server-side', '--field-manager=strata', '-f', join(manifests, file)]);
      assert.equal(result.code, 0, `${file} differs after apply:\n${result.stdout}${result.stderr}`);
    }
  });
});
