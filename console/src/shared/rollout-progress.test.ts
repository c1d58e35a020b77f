import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { policyProgress, rolloutProgress } from './rollout-progress.ts';
import type { RolloutRow } from './rollout-row.ts';
import type { UpdatePolicyRow } from './update-policy-row.ts';

const OLD = '4081.2.0';
const NEW = '4230.2.3';

function row(name: string, phase: RolloutRow['phase'], version?: string, newVersion?: string): RolloutRow {
  return {
    name,
    phase,
    state: phase,
    ...(version === undefined ? {} : { version }),
    ...(newVersion === undefined ? {} : { newVersion }),
  };
}

function policy(nodes: UpdatePolicyRow['nodes'], paused = false): UpdatePolicyRow {
  return {
    name: 'workers',
    maxUnavailable: '1',
    paused,
    nodeSelector: 'every node',
    rebootWindows: 'any time',
    conditions: [],
    observed: true,
    ...(nodes === undefined ? {} : { nodes }),
  };
}

describe('rolloutProgress', () => {
  it('counts nodes on the newest staged version, and those waiting, in progress and failed', () => {
    const progress = rolloutProgress([
      row('a', 'idle', NEW, NEW),
      row('b', 'rebooting', OLD, NEW),
      row('c', 'draining', OLD, NEW),
      row('d', 'rebootNeeded', OLD, NEW),
      row('e', 'waiting', OLD, NEW),
      row('f', 'failed', OLD, NEW),
      row('g', 'approved', OLD, NEW),
      row('h', 'afterReboot', NEW, NEW),
      row('i', 'idle', OLD),
    ]);
    assert.deepEqual(progress, { target: NEW, total: 9, onTarget: 2, inProgress: 4, waiting: 2, failed: 1 });
  });

  it('orders versions by their numbers, not as text', () => {
    const progress = rolloutProgress([row('a', 'idle', '4230.2.10'), row('b', 'idle', '4230.2.9')]);
    assert.equal(progress.target, '4230.2.10');
    assert.equal(progress.onTarget, 1);
  });

  it('prefers a version over a label that is none, and has no target without versions', () => {
    assert.equal(rolloutProgress([row('a', 'idle', 'garbage'), row('b', 'idle', OLD)]).target, OLD);
    assert.equal(rolloutProgress([row('a', 'idle', OLD), row('b', 'idle', 'garbage')]).target, OLD);
    assert.deepEqual(rolloutProgress([row('a', 'idle')]), {
      target: undefined,
      total: 1,
      onTarget: 0,
      inProgress: 0,
      waiting: 0,
      failed: 0,
    });
    assert.equal(rolloutProgress([]).total, 0);
  });
});

describe('policyProgress', () => {
  it("groups the operator's counts per phase as the nodes are grouped", () => {
    assert.deepEqual(
      policyProgress(
        policy({
          total: 9,
          idle: 2,
          rebootNeeded: 1,
          waiting: 1,
          approved: 1,
          draining: 1,
          rebooting: 1,
          afterReboot: 1,
          failed: 1,
        }),
      ),
      { name: 'workers', paused: false, total: 9, inProgress: 4, waiting: 2, failed: 1 },
    );
  });

  it('says when the operator has not counted yet', () => {
    assert.deepEqual(policyProgress(policy(undefined, true)), {
      name: 'workers',
      paused: true,
      total: undefined,
      inProgress: 0,
      waiting: 0,
      failed: 0,
    });
  });
});
