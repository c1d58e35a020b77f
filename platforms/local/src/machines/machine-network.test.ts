import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { hostsFile, onMachine, placeKubeConfig } from './machine-network.ts';

const NAMES = new Map([
  ['ctrl1.dc1.example.com', ['127.0.10.1']],
  ['api.sim.dc1.example.com', ['127.0.10.1', '127.0.10.2']],
]);

function aKubeConfig(server: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: false }],
    users: [{ name: 'u', token: 'not-a-secret' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return config;
}

describe('machines on one loopback', () => {
  it('maps "all interfaces" and "this host" to the machine, and nothing else', () => {
    assert.equal(onMachine('--bind-address=0.0.0.0', '127.0.10.3'), '--bind-address=127.0.10.3');
    assert.equal(onMachine('http://127.0.0.1:2381', '127.0.10.3'), 'http://127.0.10.3:2381');
    assert.equal(onMachine('https://ctrl1.dc1.example.com:2379', '127.0.10.3'), 'https://ctrl1.dc1.example.com:2379');
    assert.equal(
      onMachine('--service-cluster-ip-range=10.3.0.0/16', '127.0.10.3'),
      '--service-cluster-ip-range=10.3.0.0/16',
    );
    assert.equal(onMachine('127.0.0.10', '127.0.10.3'), '127.0.0.10');
  });

  it('resolves names through the map, for programs (hosts) and in-process clients (TLS name kept)', () => {
    assert.equal(
      hostsFile(NAMES),
      '127.0.0.1 localhost\n127.0.10.1 ctrl1.dc1.example.com\n127.0.10.1 api.sim.dc1.example.com\n127.0.10.2 api.sim.dc1.example.com\n',
    );
    const placed = placeKubeConfig(aKubeConfig('https://api.sim.dc1.example.com:6443'), NAMES);
    assert.equal(placed.getCurrentCluster()?.server, 'https://127.0.10.1:6443');
    assert.equal(placed.getCurrentCluster()?.tlsServerName, 'api.sim.dc1.example.com');
    const unknown = placeKubeConfig(aKubeConfig('https://elsewhere.example.com:6443'), NAMES);
    assert.equal(unknown.getCurrentCluster()?.server, 'https://elsewhere.example.com:6443');
  });
});
