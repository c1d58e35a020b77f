import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { INSTALL_PHASES, installEventSchema, type InstallEvent, type Phase } from '../install/events.ts';
import { killPlan, KillSwitch, OrphanLedger, showsRecovery } from './kill-plan.ts';

const PHASE_MS = { preflight: 2_000, render: 1_000, provision: 10_000, 'wait-api': 2_000, 'wait-nodes': 5_000 };

/** An install event as the engine emits it, parsed by the engine's own schema. */
function anEvent(type: 'phase-started' | 'phase-succeeded' | 'phase-skipped', phase: Phase): InstallEvent {
  const at = new Date().toISOString();
  const input =
    type === 'phase-started'
      ? { type, at, phase, timeoutMs: 60_000 }
      : type === 'phase-succeeded'
        ? { type, at, phase, durationMs: 10 }
        : { type, at, phase, reason: 'done for this config' };
  return installEventSchema.parse(input);
}

const aProgress = (phase: Phase, message: string): InstallEvent =>
  installEventSchema.parse({ type: 'phase-progress', at: new Date().toISOString(), phase, message });

/** A process that runs until killed. */
function aRun(): ChildProcess {
  return spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
}

describe('killPlan', () => {
  it('puts the i-th of n moments in the i-th n-th of the nominal timeline, phases in install order', () => {
    const plan = killPlan({ seed: 7, kills: 10, phaseMs: PHASE_MS });
    assert.equal(plan.length, 10);
    const total = Object.values(PHASE_MS).reduce((sum, ms) => sum + ms, 0);
    plan.forEach((moment, index) => {
      assert.ok(moment.atMs >= (index * total) / 10 - 1 && moment.atMs <= ((index + 1) * total) / 10 + 1);
      assert.ok(moment.offsetMs >= 0 && moment.offsetMs <= PHASE_MS[moment.phase as keyof typeof PHASE_MS]);
    });
    const order = plan.map((moment) => INSTALL_PHASES.indexOf(moment.phase));
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
    );
    // A phase with no duration (bootstrap here) is never a target.
    assert.ok(!plan.some((moment) => moment.phase === 'bootstrap'));
  });

  it('gives the same moments for the same seed and others for another', () => {
    assert.deepEqual(
      killPlan({ seed: 42, kills: 10, phaseMs: PHASE_MS }),
      killPlan({ seed: 42, kills: 10, phaseMs: PHASE_MS }),
    );
    assert.notDeepEqual(
      killPlan({ seed: 42, kills: 10, phaseMs: PHASE_MS }),
      killPlan({ seed: 43, kills: 10, phaseMs: PHASE_MS }),
    );
  });
});

describe('KillSwitch', () => {
  it('kills its offset after the target phase starts', async () => {
    const run = aRun();
    const exited = once(run, 'exit');
    const killSwitch = new KillSwitch({ phase: 'provision', offsetMs: 200, atMs: 0 });
    killSwitch.observe(anEvent('phase-started', 'preflight'), run);
    killSwitch.observe(anEvent('phase-succeeded', 'preflight'), run);
    killSwitch.observe(anEvent('phase-started', 'provision'), run);
    // Read through a function: an assertion on the property would narrow it for the rest of the test.
    const killedBy = (each: KillSwitch) => each.killed;
    assert.equal(killedBy(killSwitch), undefined);
    const [, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    assert.equal(signal, 'SIGKILL');
    assert.equal(killedBy(killSwitch)?.phase, 'provision');
    assert.ok((killedBy(killSwitch)?.intoPhaseMs ?? 0) >= 200);
  });

  it('kills at once when the target phase ends first, or a resumed run skips it or begins a later one', async () => {
    for (const events of [
      [anEvent('phase-started', 'wait-api'), anEvent('phase-succeeded', 'wait-api')],
      [anEvent('phase-started', 'provision'), anEvent('phase-skipped', 'wait-api')],
      [anEvent('phase-started', 'wait-nodes')],
    ]) {
      const run = aRun();
      const exited = once(run, 'exit');
      const killSwitch = new KillSwitch({ phase: 'wait-api', offsetMs: 60_000, atMs: 0 });
      for (const event of events) killSwitch.observe(event, run);
      const [, signal] = (await exited) as [number | null, NodeJS.Signals | null];
      assert.equal(signal, 'SIGKILL');
      assert.ok((killSwitch.killed?.intoPhaseMs ?? Infinity) < 60_000);
    }
  });

  it('does not kill a run that is still before its phase', async () => {
    const run = aRun();
    const killSwitch = new KillSwitch({ phase: 'bootstrap', offsetMs: 0, atMs: 0 });
    killSwitch.observe(anEvent('phase-started', 'provision'), run);
    killSwitch.observe(anEvent('phase-succeeded', 'provision'), run);
    assert.equal(killSwitch.killed, undefined);
    assert.equal(run.exitCode, null);
    run.kill('SIGTERM');
    await once(run, 'exit');
  });
});

describe('OrphanLedger and showsRecovery', () => {
  it('reports an orphan only when it outlived a run that got past its recovery', () => {
    const ledger = new OrphanLedger();
    assert.deepEqual(ledger.record(new Map([['10@1', '10 pulumi up']]), false), []);
    // The next run was killed before its recovery: the orphan may stay, and is still remembered.
    assert.deepEqual(ledger.record(new Map([['10@1', '10 pulumi up']]), false), []);
    assert.deepEqual(
      ledger.record(
        new Map([
          ['10@1', '10 pulumi up'],
          ['11@5', '11 pulumi preview'],
        ]),
        true,
      ),
      ['10 pulumi up'],
    );
    // The same pid with another start time is another process.
    assert.deepEqual(ledger.record(new Map([['11@9', '11 pulumi up']]), true), []);
  });

  it('sees the recovery in the preview that follows it, or in any phase after provision', () => {
    assert.equal(showsRecovery(aProgress('provision', 'stopped 2 engine process(es) an interrupted run left')), false);
    assert.equal(showsRecovery(aProgress('provision', 'previewing the changes')), true);
    assert.equal(showsRecovery(anEvent('phase-skipped', 'wait-api')), true);
    assert.equal(showsRecovery(anEvent('phase-started', 'render')), false);
  });
});
