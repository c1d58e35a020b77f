import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Node } from '@kubernetes/client-node';
import { ANNOTATIONS, LABELS, TRUE } from '@strata/api';
import { rolloutRow } from './rollout-row.ts';

interface NodeSpec {
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly ready?: boolean;
  readonly cordoned?: boolean;
}

function node(spec: NodeSpec = {}): V1Node {
  return {
    metadata: {
      name: 'worker-1',
      labels: { [LABELS.version]: '4081.2.0', ...spec.labels },
      annotations: spec.annotations ?? {},
    },
    spec: { unschedulable: spec.cordoned === true },
    status: { conditions: [{ type: 'Ready', status: spec.ready === false ? 'False' : 'True' }] },
  };
}

const staged = { [ANNOTATIONS.rebootNeeded]: TRUE, [ANNOTATIONS.newVersion]: '4230.2.3' };
const granted = { ...staged, [ANNOTATIONS.rebootOk]: TRUE, [ANNOTATIONS.policy]: 'workers' };
const started = { ...granted, [ANNOTATIONS.rebootInProgress]: TRUE };

describe('rolloutRow', () => {
  it('follows a node through a rollout, phase and words', () => {
    const steps: [NodeSpec, string, string][] = [
      [{}, 'idle', 'On 4081.2.0'],
      [{ annotations: staged }, 'rebootNeeded', 'Waiting for a slot (4230.2.3 staged)'],
      [{ annotations: staged, labels: { [LABELS.beforeReboot]: TRUE } }, 'waiting', 'Before-reboot hooks pending'],
      [{ annotations: granted }, 'approved', 'Reboot granted'],
      [{ annotations: started }, 'draining', 'Starting its reboot'],
      [{ annotations: started, cordoned: true }, 'draining', 'Cordoned, draining'],
      [{ annotations: started, cordoned: true, ready: false }, 'rebooting', 'Rebooting'],
      // Up again on the new version, before its agent has uncordoned it and ended its reboot.
      [
        { annotations: started, cordoned: true, labels: { [LABELS.version]: '4230.2.3' } },
        'draining',
        'Back on 4230.2.3, uncordoning',
      ],
      [
        {
          annotations: { ...granted, [ANNOTATIONS.rebootNeeded]: 'false' },
          labels: { [LABELS.version]: '4230.2.3' },
        },
        'afterReboot',
        'Back on 4230.2.3',
      ],
      [{ labels: { [LABELS.version]: '4230.2.3' } }, 'idle', 'On 4230.2.3'],
    ];
    for (const [spec, phase, state] of steps) {
      const row = rolloutRow(node(spec));
      assert.deepEqual([row.phase, row.state], [phase, state], JSON.stringify(spec));
    }
  });

  it('carries the versions and the granting policy', () => {
    assert.deepEqual(rolloutRow(node({ annotations: granted })), {
      name: 'worker-1',
      phase: 'approved',
      state: 'Reboot granted',
      version: '4081.2.0',
      newVersion: '4230.2.3',
      policy: 'workers',
    });
  });

  it('tells a timed-out reboot from a rollback, and a failed drain from a drain', () => {
    assert.equal(
      rolloutRow(node({ annotations: { ...granted, [ANNOTATIONS.rebootFailed]: TRUE } })).state,
      'Reboot timed out',
    );
    const rolledBack = rolloutRow(
      node({ annotations: { ...granted, [ANNOTATIONS.rebootFailed]: TRUE, [ANNOTATIONS.rolledBack]: '4230.2.3' } }),
    );
    assert.deepEqual([rolledBack.phase, rolledBack.state], ['failed', 'Rolled back from 4230.2.3']);
    // The agent clears the annotation by emptying it: no rollback then.
    assert.equal(
      rolloutRow(node({ annotations: { ...granted, [ANNOTATIONS.rebootFailed]: TRUE, [ANNOTATIONS.rolledBack]: '' } }))
        .state,
      'Reboot timed out',
    );
    const drainFailed = rolloutRow(
      node({ annotations: { ...started, [ANNOTATIONS.drainFailed]: '2026-12-05T06:00:00Z' }, cordoned: true }),
    );
    assert.deepEqual([drainFailed.phase, drainFailed.state], ['draining', 'Drain failed at 2026-12-05T06:00:00Z']);
  });

  it('counts a FleetLock holder (Zincati) as at work, like the operator', () => {
    const row = rolloutRow(node({ annotations: { [ANNOTATIONS.fleetLockHolder]: 'abc' }, ready: false }));
    assert.deepEqual([row.phase, row.state], ['rebooting', 'Rebooting']);
    const back = rolloutRow(
      node({ annotations: { [ANNOTATIONS.fleetLockHolder]: 'abc' }, labels: { [LABELS.afterReboot]: TRUE } }),
    );
    assert.deepEqual([back.phase, back.state], ['afterReboot', 'After-reboot hooks pending']);
  });

  it('says when the agent has reported nothing', () => {
    const bare: V1Node = { metadata: { name: 'bare' } };
    assert.deepEqual(rolloutRow(bare), { name: 'bare', phase: 'idle', state: 'Not reported' });
  });
});
