// The rendered assets run a real control plane: three etcd members with the
// rendered certificates on 127.0.0.2-4, kube-apiserver, controller-manager and
// scheduler from the rendered static-pod manifests (paths moved under a
// per-node root directory), the join approver's static pods as processes of
// this checkout, and the bootstrap manifests applied with kubectl.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import {
  applyRenderPlan,
  ASSET_PATHS,
  CERT,
  JOIN_APPROVER_NAMES,
  KEY,
  planClusterRender,
  renderInput,
} from '@strata/assets';
import { runCommand } from '@strata/host';
import { resolveAllBinaries, type ResolvedBinaries } from '@strata/binaries';
import { renderConfig } from '@strata/assets/testing';
import { waitFor } from '@strata/harness';
import { ImageMap } from '../pods/image-map.ts';
import { joinApproverImages } from '../testing/index.ts';
import { startLocalControlPlane, type LocalControlPlane } from './local-control-plane.ts';

const CONTROLLERS = 3;
const run = (command: string, args: readonly string[]) => runCommand(command, args);

describe('the rendered control plane runs on this machine', () => {
  const config = renderConfig({ controllers: { count: CONTROLLERS } });
  const { topology } = renderInput(config);
  let dir: string;
  let binaries: ResolvedBinaries;
  let adminKubeconfig: string;
  let controlPlane: LocalControlPlane | undefined;

  before(async () => {
    binaries = await resolveAllBinaries();
    dir = await mkdtemp(join(tmpdir(), 'strata-rendered-control-plane-'));
    const assets = join(dir, 'assets');
    await applyRenderPlan(await planClusterRender({ config, dir: assets }));
    adminKubeconfig = join(assets, ASSET_PATHS.adminKubeconfig);
    controlPlane = await startLocalControlPlane({
      assetsDir: assets,
      stateDir: dir,
      topology,
      binaries,
      images: ImageMap.parse(joinApproverImages()),
    });
  });

  after(async () => {
    await controlPlane?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the API on every controller, with the rendered admin kubeconfig', async () => {
    for (const controller of topology.controllers) {
      const result = await run(binaries.kubectl, [
        `--kubeconfig=${adminKubeconfig}`,
        `--server=${controller.apiServerUrl}`,
        'get',
        '--raw',
        '/readyz?verbose',
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /readyz check passed/);
    }
    const namespaces = await run(binaries.kubectl, [
      `--kubeconfig=${adminKubeconfig}`,
      'get',
      'namespaces',
      '-o',
      'name',
    ]);
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
            return (
              (await leases.readNamespacedLease({ name, namespace: 'kube-system' })).spec?.holderIdentity ?? undefined
            );
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
      const result = await run(binaries.kubectl, [
        `--kubeconfig=${adminKubeconfig}`,
        'apply',
        '--server-side',
        '--field-manager=strata',
        '-f',
        join(manifests, file),
      ]);
      assert.equal(result.code, 0, `${file}: ${result.stderr}`);
    }
    for (const file of files) {
      const result = await run(binaries.kubectl, [
        `--kubeconfig=${adminKubeconfig}`,
        'diff',
        '--server-side',
        '--field-manager=strata',
        '-f',
        join(manifests, file),
      ]);
      assert.equal(result.code, 0, `${file} differs after apply:\n${result.stdout}${result.stderr}`);
    }
  });

  it('runs the join approver on every controller, one of them holding its Lease once its RBAC is applied', async () => {
    const kubeconfig = new KubeConfig();
    kubeconfig.loadFromFile(adminKubeconfig);
    const leases = kubeconfig.makeApiClient(CoordinationV1Api);
    const holder = await waitFor(
      'the join approver to hold its lease',
      async () => {
        try {
          return (
            (await leases.readNamespacedLease({ name: JOIN_APPROVER_NAMES.lease, namespace: 'kube-system' })).spec
              ?.holderIdentity ?? undefined
          );
        } catch {
          return undefined;
        }
      },
      60_000,
    );
    assert.ok(
      topology.controllers.some((controller) => controller.name === holder),
      `lease held by ${holder}`,
    );
  });
});
