// A worker that never boots, through the engine on the local platform: the
// real local driver, the real Pulumi engine and a real `strata up`, except
// that the daemon is handed a copy of the config with one worker fewer, so
// the last worker's kubelet never starts while install waits for it. The
// wait-nodes phase must run out of its (short) time and say which node is
// missing and what to look at, not only that it timed out.
//
// The local cluster binds the fixed addresses 127.0.0.2–4: run this file
// alone, under the shared lock (flock /tmp/strata-fixed-addresses.lock).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterTopology, loadClusterConfig } from '@strata/assets';
import { resolveAllBinaries, resolveBinary } from '@strata/binaries';
import { diagnose } from '../diagnostics/index.ts';
import { localConfigYaml } from '../testing/install-sandbox.ts';
import { runInstall } from './engine.ts';
import { EXIT, InstallError } from './errors.ts';
import { InstallEvents, type InstallEvent } from './events.ts';
import { DAEMON_RESOURCE_NAME, daemonInputs, localDriver } from './local/driver.ts';
import { stopDaemon } from './local/daemon.ts';
import { LocalClusterDaemon } from './local/daemon-resource.ts';
import type { PlatformDriver } from './platform-driver.ts';

/** The local driver, whose daemon runs `daemonConfigPath` instead of the directory's copy of the config. */
function daemonOnOtherConfig(daemonConfigPath: string): PlatformDriver {
  return {
    ...localDriver,
    program: ({ config, directory }) => {
      const inputs = { ...daemonInputs(config, directory), configPath: daemonConfigPath };
      return () => {
        const daemon = new LocalClusterDaemon(DAEMON_RESOURCE_NAME, inputs);
        return Promise.resolve({ pid: daemon.pid });
      };
    },
  };
}

describe('a worker that never boots', () => {
  let root: string;
  let dir: string;
  before(async () => {
    await resolveAllBinaries();
    await resolveBinary('pulumi');
    root = await mkdtemp(join(tmpdir(), 'strata-no-worker-'));
    dir = join(root, 'cluster');
  });
  after(async () => {
    // The cluster's daemon (destroy would add a Pulumi run for the same end: stopping it).
    if (dir !== undefined) await stopDaemon(dir);
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it('wait-nodes times out naming the node that never registered and where to look', async () => {
    const configPath = join(root, 'cluster.yaml');
    await writeFile(configPath, localConfigYaml({ name: 'noworker', workers: 2, timeouts: { waitNodes: '10s' } }));
    const daemonConfigPath = join(root, 'one-worker.yaml');
    await writeFile(daemonConfigPath, localConfigYaml({ name: 'noworker', workers: 1 }));
    const expected = clusterTopology(await loadClusterConfig(configPath, { hostNetworks: [] })).workers.map(
      (worker) => worker.name,
    );
    const booting = clusterTopology(await loadClusterConfig(daemonConfigPath, { hostNetworks: [] })).workers.map(
      (worker) => worker.name,
    );
    const neverBoots = expected.filter((name) => !booting.includes(name));
    assert.equal(neverBoots.length, 1, `expected one worker more than the daemon runs: ${expected.join(', ')}`);
    const drivers = { local: daemonOnOtherConfig(daemonConfigPath) };

    const events = new InstallEvents();
    const seen: InstallEvent[] = [];
    events.subscribe((event) => seen.push(event));
    const outcome = await runInstall({
      configPath,
      dir: () => dir,
      events,
      drivers,
      diagnose,
      confirm: () => Promise.resolve(false),
    }).then(
      () => undefined,
      (error: unknown) => error,
    );

    assert.ok(outcome instanceof InstallError, String(outcome));
    assert.equal(outcome.exitCode, EXIT.failed);
    assert.match(outcome.message, /the wait-nodes phase did not finish within 10\.0s/);
    assert.deepEqual(
      seen.flatMap((event) => (event.type === 'phase-succeeded' ? [event.phase] : [])),
      ['preflight', 'render', 'provision', 'wait-api', 'bootstrap'],
    );
    const failed = seen.find((event) => event.type === 'phase-failed');
    assert.ok(failed?.type === 'phase-failed');
    assert.equal(failed.phase, 'wait-nodes');
    assert.equal(failed.timedOut, true);
    const checks = new Map(failed.diagnosis?.checks.map((check) => [check.name, check]));
    for (const name of ['tcp', 'tls', 'readyz'] as const) {
      assert.equal(checks.get(name)?.status, 'ok', `${name}: ${JSON.stringify(failed.diagnosis)}`);
    }
    const nodes = checks.get('nodes');
    assert.equal(nodes?.status, 'failed', JSON.stringify(failed.diagnosis));
    assert.match(nodes?.detail ?? '', new RegExp(`missing: ${neverBoots.join(', ')}$`));
    assert.match(
      failed.diagnosis?.nextStep ?? '',
      new RegExp(`^the node\\(s\\) ${neverBoots.join(', ')} never registered: check that the machine booted`),
    );
    // The last progress line said whom it was waiting for, too.
    const waiting = seen.filter((event) => event.type === 'phase-progress' && event.phase === 'wait-nodes').at(-1);
    assert.ok(waiting?.type === 'phase-progress');
    assert.match(waiting.message, new RegExp(`waiting for ${neverBoots.join(', ')}`));
  });
});
