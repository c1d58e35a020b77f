import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderConfig } from '../../testing/fixtures.ts';
import type { ControllerNode } from '../../topology/topology.ts';
import { renderInput } from '../render.ts';
import {
  etcdEnvironment,
  FLEETLOCK_PORT,
  FLEETLOCK_TRUST_ANCHOR,
  kubeletConfiguration,
  updateSettings,
  UPDATE_SERVER_PORT,
  UPDATE_SERVER_TRUST_ANCHOR,
} from './node-files.ts';
import { UPDATE_SERVER_PORTS } from '../../manifests/update-server/names.ts';
import { UPDATE_OPERATOR_PORTS } from '../../manifests/update-operator/names.ts';
import { parse } from 'yaml';
import { z } from 'zod';
import { NODE_PATHS } from '../layout.ts';
import { kubeApiserverPod } from './static-pods.ts';

/** A bare-metal controller: its components bind to every interface. */
const proofTopology = {
  apiDnsName: 'api.proof.strata.test',
  controllers: [
    { name: 'node1', etcdHost: 'node1.proof.strata.test' },
    { name: 'node2', etcdHost: 'node2.proof.strata.test' },
  ],
};

/** A bare-metal controller: its components bind to every interface. */
function bareMetalController(overrides: Partial<ControllerNode> = {}): ControllerNode {
  return {
    role: 'controller',
    name: 'node1',
    index: 0,
    etcdHost: 'node1.strata.test',
    apiServerUrl: 'https://127.0.0.1:6443',
    bindAddress: '0.0.0.0',
    labels: {},
    taints: [],
    ...overrides,
  };
}

function environmentOf(text: string): Map<string, string> {
  return new Map(
    text
      .trimEnd()
      .split('\n')
      .map((line) => {
        const [key = '', ...value] = line.split('=');
        return [key, value.join('=')];
      }),
  );
}

describe('etcdEnvironment', () => {
  it('serves metrics (plain HTTP) on loopback only, on a controller bound to every interface', () => {
    const controller = bareMetalController();
    const env = environmentOf(etcdEnvironment(renderConfig(), [controller], controller));
    assert.equal(env.get('ETCD_LISTEN_METRICS_URLS'), 'http://127.0.0.1:2381');
    // Clients and peers still reach etcd from other machines, over mutual TLS.
    assert.equal(env.get('ETCD_LISTEN_CLIENT_URLS'), 'https://0.0.0.0:2379');
    assert.equal(env.get('ETCD_CLIENT_CERT_AUTH'), 'true');
  });

  it("keeps a local controller's metrics on its own loopback alias", () => {
    const config = renderConfig({ controllers: { count: 2 } });
    const controllers = renderInput(config).topology.controllers;
    for (const controller of controllers) {
      const env = environmentOf(etcdEnvironment(config, controllers, controller));
      assert.equal(env.get('ETCD_LISTEN_METRICS_URLS'), `http://${controller.bindAddress}:2381`);
      assert.match(controller.bindAddress, /^127\./);
    }
    assert.equal(new Set(controllers.map((controller) => controller.bindAddress)).size, controllers.length);
  });
});

describe('updateSettings', () => {
  const caPem = '-----BEGIN CERTIFICATE-----\nY2x1c3Rlci1jYQ==\n-----END CERTIFICATE-----\n';
  const zincatiConfig = (baseUrl: string) => ({
    path: '/etc/zincati/config.d/55-strata-updates.toml',
    contents: `[updates]\nstrategy = "fleet_lock"\n\n[updates.fleet_lock]\nbase_url = "${baseUrl}"\n`,
    mode: 0o644,
  });

  it("points Fedora CoreOS's Zincati at the operator's host port on the controllers over HTTPS, trusting the cluster CA", () => {
    const settings = updateSettings(
      renderConfig({ os: { name: 'fedora-coreos', channel: 'stable' } }),
      proofTopology,
      caPem,
    );
    assert.deepEqual(settings.files, [
      zincatiConfig(`https://api.proof.strata.test:${FLEETLOCK_PORT}/`),
      { path: '/etc/pki/ca-trust/source/anchors/strata-cluster-ca.pem', contents: caPem, mode: 0o644 },
    ]);
    assert.equal(FLEETLOCK_TRUST_ANCHOR, '/etc/pki/ca-trust/source/anchors/strata-cluster-ca.pem');
    assert.equal(UPDATE_OPERATOR_PORTS.fleetLockHostPort, FLEETLOCK_PORT, 'the operator serves where Zincati asks');
  });

  it('asks over plain HTTP, with no trust anchor, only when the config says so', () => {
    const base = renderConfig({ os: { name: 'fedora-coreos', channel: 'stable' } });
    const settings = updateSettings(
      { ...base, updates: { ...base.updates, fleetLock: { allowPlainHttp: true } } },
      proofTopology,
      caPem,
    );
    assert.deepEqual(settings.files, [zincatiConfig(`http://api.proof.strata.test:${FLEETLOCK_PORT}/`)]);
  });

  it('adds no trust anchor where Zincati does not ask FleetLock', () => {
    const base = renderConfig({ os: { name: 'fedora-coreos', channel: 'stable' } });
    const settings = updateSettings(
      { ...base, updates: { ...base.updates, rebootStrategy: 'off' } },
      proofTopology,
      caPem,
    );
    assert.deepEqual(
      settings.files.map((file) => file.path),
      ['/etc/zincati/config.d/55-strata-updates.toml'],
    );
  });
});

describe('kubelet serving certificates', () => {
  it('has every kubelet bootstrap its serving certificate, and kube-apiserver verify it against the cluster CA', () => {
    const input = renderInput(renderConfig());
    const [controller] = input.topology.controllers;
    const [worker] = input.topology.workers;
    assert.ok(controller !== undefined && worker !== undefined);
    for (const node of [controller, worker]) {
      const kubelet = z
        .object({ serverTLSBootstrap: z.boolean() })
        .parse(parse(kubeletConfiguration(input.config, node)));
      assert.equal(kubelet.serverTLSBootstrap, true, node.name);
    }
    const command = kubeApiserverPod(input, controller).spec?.containers[0]?.command ?? [];
    assert.ok(command.includes(`--kubelet-certificate-authority=${NODE_PATHS.clusterCaCert}`), command.join(' '));
  });
});

describe("updateSettings: Flatcar's /etc/flatcar/update.conf", () => {
  const caPem = '-----BEGIN CERTIFICATE-----\nY2x1c3Rlci1jYQ==\n-----END CERTIFICATE-----\n';
  const confOf = (settings: ReturnType<typeof updateSettings>) =>
    environmentOf(settings.files.find((file) => file.path === '/etc/flatcar/update.conf')?.contents ?? '');
  const base = renderConfig({
    workerPools: [
      { name: 'worker', count: 2 },
      { name: 'canary', count: 1, updateGroup: 'canary' },
    ],
  });
  const withServer: typeof base = {
    ...base,
    updates: { ...base.updates, server: 'https://updates.proof.strata.test/v1/update/', group: 'beta' },
  };

  it("points update_engine at the cluster's update server with the cluster's group, and leaves reboots to the operator", () => {
    const settings = updateSettings(withServer, proofTopology, '', { role: 'controller' });
    assert.deepEqual(
      confOf(settings),
      new Map([
        ['GROUP', 'beta'],
        ['SERVER', 'https://updates.proof.strata.test/v1/update/'],
        ['REBOOT_STRATEGY', 'off'],
      ]),
    );
    assert.deepEqual(settings.units, [{ name: 'locksmithd.service', mask: true }]);
  });

  it("gives a worker its pool's group where the pool names one, the cluster's otherwise", () => {
    const topology = proofTopology;
    assert.equal(
      confOf(updateSettings(withServer, topology, '', { role: 'worker', pool: 'canary' })).get('GROUP'),
      'canary',
    );
    assert.equal(
      confOf(updateSettings(withServer, topology, '', { role: 'worker', pool: 'worker' })).get('GROUP'),
      'beta',
    );
  });

  it("falls back to the OS channel and the cluster's own update server, trusting the cluster CA, when the config names neither", () => {
    const settings = updateSettings(base, proofTopology, caPem);
    const conf = confOf(settings);
    assert.equal(conf.get('GROUP'), 'stable');
    // The first controller, by the name machines resolve without cluster DNS, at the server's host port.
    assert.equal(conf.get('SERVER'), `https://node1.proof.strata.test:${UPDATE_SERVER_PORT}/v1/update/`);
    assert.deepEqual(
      settings.files.find((file) => file.path === UPDATE_SERVER_TRUST_ANCHOR),
      { path: '/etc/ssl/certs/strata-cluster-ca.pem', contents: caPem, mode: 0o644 },
    );
    assert.equal(UPDATE_SERVER_PORTS.https, UPDATE_SERVER_PORT, 'the server listens where update_engine asks');
  });

  it('adds no trust anchor when the config names another server', () => {
    const settings = updateSettings(withServer, proofTopology, caPem);
    assert.equal(
      settings.files.some((file) => file.path === UPDATE_SERVER_TRUST_ANCHOR),
      false,
      'the named server is trusted through the system roots or trustedCaCertificates',
    );
  });

  it('brackets an IPv6 controller address in the URL', () => {
    const conf = confOf(
      updateSettings(base, { ...proofTopology, controllers: [{ name: 'c', etcdHost: 'fd00::2' }] }, ''),
    );
    assert.equal(conf.get('SERVER'), `https://[fd00::2]:${UPDATE_SERVER_PORT}/v1/update/`);
  });
});
