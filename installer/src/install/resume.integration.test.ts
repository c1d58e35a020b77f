// Kill -9 the installer at ten seeded random moments along ONE local install:
// run, kill, rerun, kill again further on, ten times, and the last rerun
// completes. The moments are spread over the phases (one in each tenth of the
// install's nominal timeline, see kill-plan.ts). After every kill: at most one
// CA, the same one every time; a Pulumi state (read through the Automation
// API) with no duplicate resource and at most one cluster daemon resource; at
// most one `strata up` daemon; and no orphan of an earlier run still there
// once a rerun got past its recovery. At the end the cluster is Ready with no
// orphan and no pending operation, and destroy leaves no process and every
// port free. Replay a failure with STRATA_INSTALL_KILL_SEED=<the seed printed>;
// STRATA_INSTALL_KILLS changes the count.
import { describe, it, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@strata/host';
import { resolveAllBinaries, resolveBinary } from '@strata/binaries';
import { formatMs } from './format.ts';
import type { InstallEvent } from './events.ts';
import { InstallSandbox, localConfigYaml } from '../testing/install-sandbox.ts';
import {
  caCertificatesIfRendered,
  duplicateUrns,
  failuresOf,
  followEvents,
  orphansById,
  processCensus,
  seededRandom,
  stackState,
} from '../testing/install-invariants.ts';
import { describeMoment, killPlan, KillSwitch, OrphanLedger, showsRecovery } from '../testing/kill-plan.ts';

const KILLS = Number(process.env['STRATA_INSTALL_KILLS'] ?? 10);
const SEED = Number(process.env['STRATA_INSTALL_KILL_SEED'] ?? Date.now() % 100_000);
/**
 * The phases' nominal durations for 1 controller and 1 worker on the 2-core development machine (provision and
 * wait-nodes measured; the short phases raised so that each is a kill's target now and then).
 */
const NOMINAL_MS = {
  preflight: 2_500,
  render: 1_500,
  provision: 15_000,
  'wait-api': 2_500,
  bootstrap: 2_500,
  'wait-nodes': 8_000,
} as const;
const PORTS = [2379, 2380, 2381, 6443, 10257, 10259];
const isDaemonType = (type: string) => type.endsWith('strata-local:Cluster');

describe('strata install killed with SIGKILL at random moments', () => {
  let sandbox: InstallSandbox;
  let configPath: string;

  before(async () => {
    await resolveAllBinaries();
    await resolveBinary('pulumi');
    sandbox = await InstallSandbox.create();
    configPath = await sandbox.writeConfig('cluster.yaml', localConfigYaml({ name: 'resume', workers: 1 }));
  });
  after(async () => {
    await sandbox?.cleanup();
  });

  it(`${KILLS} kills along one install: every rerun resumes, one CA, no duplicate resource, no orphan; then Ready`, async (t: TestContext) => {
    const plan = killPlan({ seed: SEED, kills: KILLS, phaseMs: NOMINAL_MS });
    t.diagnostic(`seed ${SEED} (replay: STRATA_INSTALL_KILL_SEED=${SEED}): ${plan.map(describeMoment).join(', ')}`);
    const dir = join(sandbox.root, 'chain');
    const args = ['install', '--config', configPath, '--dir', dir, '--json'];
    const started = performance.now();
    const ledger = new OrphanLedger();
    let firstCa: string | undefined;
    for (const [index, moment] of plan.entries()) {
      const killSwitch = new KillSwitch(moment);
      const run = sandbox.spawnStrataPiped(args, join(sandbox.root, `install-${index + 1}.log`));
      const exited = once(run, 'exit');
      let recovered = false;
      const events: InstallEvent[] = [];
      followEvents(run, (event) => {
        events.push(event);
        recovered ||= showsRecovery(event);
        killSwitch.observe(event, run);
      });
      const [code] = (await exited) as [number | null];
      const killed = killSwitch.killed;
      // The last moment lies at the install's very end: the run may finish (the summary takes milliseconds) before
      // the SIGKILL lands. Only then does a run complete instead of dying; every check below still applies.
      if (killed === undefined && code === 0 && index === plan.length - 1)
        t.diagnostic(`kill ${index + 1}/${KILLS} at ${describeMoment(moment)}: the install finished before it`);
      else {
        assert.ok(
          killed,
          `run ${index + 1} ended (exit ${code}) before its kill at ${describeMoment(moment)}: ${failuresOf(events)}`,
        );
        t.diagnostic(
          `kill ${index + 1}/${KILLS} at ${describeMoment(moment)}: killed in ${killed.phase ?? 'start-up'} after ${killed.intoPhaseMs} ms of it, ${killed.afterMs} ms into the run`,
        );
      }

      const checksStarted = performance.now();
      const cas = await caCertificatesIfRendered(dir);
      assert.ok(cas.length <= 1, `kill ${index + 1}: ${cas.length} CA certificates`);
      if (cas[0] !== undefined) {
        firstCa ??= cas[0].fingerprint256;
        assert.equal(cas[0].fingerprint256, firstCa, `kill ${index + 1}: the rerun made a new CA`);
      }
      const state = await stackState(dir);
      if (state !== undefined) {
        assert.deepEqual(duplicateUrns(state.resources), [], `kill ${index + 1}: duplicate resources`);
        assert.ok(state.resources.filter((resource) => isDaemonType(resource.type)).length <= 1);
      }
      const census = await processCensus(dir);
      assert.ok(census.daemons.length <= 1, `kill ${index + 1}: ${census.daemons.length} daemons`);
      const survivors = ledger.record(await orphansById(census.orphans), recovered);
      assert.deepEqual(survivors, [], `kill ${index + 1}: orphans of an earlier run outlived this run's recovery`);
      t.diagnostic(`kill ${index + 1}: checked in ${Math.round(performance.now() - checksStarted)} ms`);
    }

    const last = await sandbox.strata(['install', '--config', configPath, '--dir', dir]);
    assert.equal(last.code, 0, last.stderr);
    const cas = await caCertificatesIfRendered(dir);
    assert.equal(cas.length, 1);
    if (firstCa !== undefined) assert.equal(cas[0]?.fingerprint256, firstCa, 'the last rerun made a new CA');
    const state = await stackState(dir);
    assert.ok(state, 'the install left no stack');
    assert.deepEqual(duplicateUrns(state.resources), []);
    assert.equal(state.resources.filter((resource) => isDaemonType(resource.type)).length, 1);
    assert.deepEqual(state.pending, []);
    const status = await sandbox.strata(['status', '--dir', dir, '--json']);
    assert.equal(status.code, 0, status.stderr);
    const report = JSON.parse(status.stdout) as { nodes: { ready: number; total: number } };
    assert.deepEqual([report.nodes.ready, report.nodes.total], [2, 2]);
    const census = await processCensus(dir);
    assert.equal(census.daemons.length, 1, `daemons: ${census.daemons.map((info) => info.argv.join(' ')).join('; ')}`);
    assert.deepEqual(
      census.orphans.map((info) => `${info.pid} ${info.argv.join(' ')}`),
      [],
    );
    t.diagnostic(`${KILLS} kills and the completing rerun took ${formatMs(performance.now() - started)}`);

    const destroy = await sandbox.strata(['destroy', '--dir', dir, '--yes']);
    assert.equal(destroy.code, 0, destroy.stderr);
    const afterDestroy = await processCensus(dir);
    assert.deepEqual([...afterDestroy.daemons, ...afterDestroy.orphans], []);
    assert.deepEqual(await sandbox.portsInUse('127.0.0.2', PORTS), []);
  });

  it('destroy right after a killed install leaves no process and frees every port', async () => {
    const random = seededRandom(SEED);
    const dir = join(sandbox.root, 'half');
    const install = sandbox.spawnStrata(
      ['install', '--config', configPath, '--dir', dir],
      join(sandbox.root, 'half.log'),
    );
    const exited = once(install, 'exit');
    // Inside the provision phase: the daemon may be starting, the engine mid-update.
    await waitFor(
      'the install to start provisioning',
      async () =>
        (await readFile(join(dir, 'journal.jsonl'), 'utf8').catch(() => '')).includes('"provision"') ? true : undefined,
      { timeoutMs: 180_000, intervalMs: 200 },
    );
    await sleep(Math.round(random() * 8_000));
    install.kill('SIGKILL');
    await exited;
    const destroy = await sandbox.strata(['destroy', '--dir', dir, '--yes']);
    assert.equal(destroy.code, 0, destroy.stderr);
    const census = await processCensus(dir);
    assert.deepEqual([...census.daemons, ...census.orphans], []);
    assert.deepEqual(await sandbox.portsInUse('127.0.0.2', PORTS), []);
  });
});
