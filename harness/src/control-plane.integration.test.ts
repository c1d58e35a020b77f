import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { resolveAllBinaries } from '@strata/binaries';
import { startControlPlane } from './control-plane.ts';
import { controlPlaneInfoSchema } from './control-plane-info.ts';
import { ComponentExitedError } from '@strata/host';
import { HarnessCluster } from './harness-cluster.ts';
import { isAlive } from './testing/processes.ts';
import { waitFor } from '@strata/host';

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('control plane lifecycle', () => {
  it('stops every component and removes its directory', async () => {
    const running = await startControlPlane();
    assert.equal(running.info.pids.length, 2);
    assert.ok(running.info.pids.every(isAlive));
    await running.stop();
    assert.deepEqual(running.info.pids.filter(isAlive), []);
    assert.equal(await exists(running.info.dir), false);
  });

  it('leaves no process and no directory behind when the test process is killed', async () => {
    const child = spawn(process.execPath, [fileURLToPath(new URL('./testing/orphan-child.ts', import.meta.url))], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`orphan-child exited early with ${code}`)));
    });
    const info = controlPlaneInfoSchema.parse(JSON.parse(line));
    assert.ok(info.pids.every(isAlive));
    child.kill('SIGKILL');
    await waitFor('every component to exit', () => (info.pids.some(isAlive) ? undefined : true), 20_000);
    await waitFor('the directory to be removed', async () => ((await exists(info.dir)) ? undefined : true), 10_000);
  });

  it('reports a component that dies at start with the tail of its log', async () => {
    const binaries = await resolveAllBinaries();
    // etcd does not understand kube-apiserver's flags, so it exits at once, explaining why in its log.
    await assert.rejects(
      startControlPlane({ binaries: { ...binaries, 'kube-apiserver': binaries.etcd } }),
      (error: unknown) => {
        assert.ok(error instanceof ComponentExitedError, `expected ComponentExitedError, got ${String(error)}`);
        assert.equal(error.context['component'], 'kube-apiserver');
        assert.match(error.message, /kube-apiserver exited while starting/);
        assert.match(error.message, /Last lines of .*kube-apiserver\.log:\n.*flag provided but not defined/s);
        return true;
      },
    );
  });

  it('runs controller-manager and scheduler that take their leader leases', async () => {
    const running = await startControlPlane({ withControllers: true });
    try {
      const leases = new HarnessCluster(running.info).adminKubeConfig().makeApiClient(CoordinationV1Api);
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
          30_000,
        );
        assert.ok(holder.length > 0);
      }
    } finally {
      await running.stop();
    }
  });
});
