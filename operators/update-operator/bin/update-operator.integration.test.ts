// The binary's `operator` subcommand as a Deployment runs it: it leads, serves
// its probes and metrics, and on SIGTERM hands its Lease over and exits 0.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { CoordinationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { sharedControlPlane, uniqueName, waitFor } from '@strata/harness';
import { installCrd } from '../src/operator/integration-fixtures.ts';

const BIN = fileURLToPath(new URL('./update-operator.ts', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('update-operator operator', () => {
  it('leads, answers /readyz and /metrics, and on SIGTERM releases the Lease and exits 0', async () => {
    const cluster = await sharedControlPlane();
    const kubeConfig = cluster.adminKubeConfig();
    await installCrd(kubeConfig);
    const namespace = uniqueName('uo-bin');
    await kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    const [metricsPort, fleetLockPort] = [await freePort(), await freePort()];
    const child = spawn(
      process.execPath,
      [
        BIN,
        'operator',
        `--kubeconfig=${cluster.kubeconfigPath}`,
        `--namespace=${namespace}`,
        '--identity=bin-test',
        `--metrics-address=127.0.0.1:${metricsPort}`,
        `--fleetlock-address=127.0.0.1:${fleetLockPort}`,
        '--log-level=warn',
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    try {
      const ready = await waitFor(
        'the replica to lead',
        async () => {
          const answer = await fetch(`http://127.0.0.1:${metricsPort}/readyz`).catch(() => undefined);
          const text = await answer?.text();
          return answer?.status === 200 && text?.includes('leader: yes') === true ? text : undefined;
        },
        30_000,
      );
      assert.match(ready, /ok/);
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      assert.match(metrics, /strata_update_operator_leader 1/);
      const fleetLock = await fetch(`http://127.0.0.1:${fleetLockPort}/v1/pre-reboot`, { method: 'POST' });
      assert.equal(
        fleetLock.status,
        400,
        'the FleetLock server answers (a request without the protocol header is refused)',
      );
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await exited;
    assert.equal(code, 0);
    const lease = await kubeConfig
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ name: 'update-operator', namespace });
    assert.equal(lease.spec?.holderIdentity, '', 'the Lease was handed over');
    await kubeConfig.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace });
  });
});
