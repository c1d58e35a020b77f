import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANNOTATIONS, LABELS, TRUE, updatePolicySchema } from '@strata/api';
import { defaultUpdatePolicy } from '@strata/assets';
import { applyPatch, type NodeState } from './node-state.ts';
import { rolloutPolicyOf } from './rollout-policy.ts';
import { planRollout, writesOf, type ActionKind, type PlanInput, type RolloutPlan } from './plan.ts';
import { aNode, aRolloutPolicy, approved, inProgress, MINUTE, needing, rebooted, T0 } from './test-fixtures.ts';

const plan = (input: Partial<PlanInput> & Pick<PlanInput, 'nodes'>): RolloutPlan =>
  planRollout({ policy: aRolloutPolicy(), otherPolicies: [], now: T0, ...input });

const kinds = (result: RolloutPlan, kind: ActionKind): string[] =>
  result.actions.filter((action) => action.kind === kind).map((action) => action.node);
const condition = (result: RolloutPlan, type: 'Progressing' | 'Blocked' | 'Degraded') => {
  const found = result.conditions.find((candidate) => candidate.type === type);
  assert.ok(found, `condition ${type} is planned`);
  return found;
};
const refusal = (result: RolloutPlan, node: string): string => {
  const decision = result.fleetLock.get(node);
  return decision?.granted === false ? decision.reason : 'granted';
};
const after = (nodes: readonly NodeState[], result: RolloutPlan): NodeState[] => {
  const writes = new Map(writesOf(result.actions).map((write) => [write.node, write.patch]));
  return nodes.map((node) => {
    const patch = writes.get(node.name);
    return patch === undefined ? node : applyPatch(node, patch);
  });
};

describe('planRollout: budget', () => {
  it('does nothing while no node needs a reboot', () => {
    const result = plan({ nodes: [aNode({ name: 'a' }), aNode({ name: 'b' })] });
    assert.deepEqual(result.actions, []);
    assert.equal(condition(result, 'Progressing').reason, 'Idle');
    assert.equal(condition(result, 'Blocked').status, 'False');
    assert.equal(result.counts.idle, 2);
  });

  it('approves as many nodes as maxUnavailable allows, oldest reboot-needed first, then by name', () => {
    const nodes = ['e', 'd', 'c', 'b', 'a'].map((name) => needing(name));
    const since = new Map([
      ['d', T0 - 3 * MINUTE],
      ['e', T0 - 2 * MINUTE],
    ]);
    const result = plan({ policy: aRolloutPolicy({ maxUnavailable: 3 }), nodes, rebootNeededSince: since });
    assert.deepEqual(kinds(result, 'approve'), ['d', 'e', 'a']);
    assert.equal(result.budget.unavailable, 3);
    assert.equal(result.counts.approved, 3);
    assert.equal(result.counts.rebootNeeded, 2);
    const grant = result.actions[0];
    assert.equal(grant?.patch.annotations?.[ANNOTATIONS.rebootOk], TRUE);
    assert.equal(grant?.patch.annotations?.[ANNOTATIONS.rebootGrantedAt], '2025-03-10T12:00:00Z');
    assert.equal(grant?.patch.annotations?.[ANNOTATIONS.policy], 'workers');
    assert.equal(grant?.since, T0 - 3 * MINUTE);
    assert.equal(condition(result, 'Progressing').status, 'True');
  });

  it('names the nodes still waiting in the fair order, FleetLock clients among them, for a new leader to keep', () => {
    const nodes = ['e', 'd', 'c', 'b', 'a'].map((name) => needing(name)).concat(aNode({ name: 'f' }));
    const result = plan({
      nodes,
      rebootNeededSince: new Map([
        ['c', T0 - 3 * MINUTE],
        ['e', T0 - 2 * MINUTE],
        ['b', T0 - 2 * MINUTE],
      ]),
      fleetLockRequests: [{ node: 'f', clientId: 'id-f', since: T0 - 4 * MINUTE, live: false }],
    });
    // f's turn came first but it is not asking: its slot is kept, so nobody is granted and everybody waits.
    assert.deepEqual(result.actions, []);
    assert.deepEqual(result.queue, ['f', 'c', 'b', 'e', 'a', 'd']);
    const granted = plan({ nodes, rebootNeededSince: new Map([['c', T0 - 3 * MINUTE]]) });
    assert.deepEqual(kinds(granted, 'approve'), ['c']);
    assert.deepEqual(granted.queue, ['a', 'b', 'd', 'e'], 'the one granted leaves the line');
  });

  it("grants the leader's own node only once no other node of the policy waits or reboots (ADR 0075)", () => {
    // The benchmark's leaders ran on workers and were drained with whichever wave took their node: a leader change
    // in the middle of the rollout with no fault injected. Its own node must reboot when the rollout is over.
    const since = new Map([
      ['a', T0 - 4 * MINUTE],
      ['b', T0 - 3 * MINUTE],
      ['c', T0 - 2 * MINUTE],
      ['d', T0 - MINUTE],
    ]);
    const policy = aRolloutPolicy({ maxUnavailable: 2 });
    const grantLast = new Set(['a']);
    const first = plan({
      policy,
      nodes: ['a', 'b', 'c', 'd'].map((name) => needing(name)),
      rebootNeededSince: since,
      grantLast,
    });
    assert.deepEqual(kinds(first, 'approve'), ['b', 'c']);
    assert.deepEqual(first.queue, ['d', 'a']);
    // A free slot, nobody else waiting, but d still reboots: a waits, and nothing says the budget is exhausted.
    const lastWave = [needing('a'), aNode({ name: 'b' }), aNode({ name: 'c' }), inProgress('d', T0)];
    const held = plan({ policy, nodes: lastWave, rebootNeededSince: since, grantLast });
    assert.deepEqual(kinds(held, 'approve'), []);
    assert.deepEqual(held.queue, ['a']);
    assert.equal(condition(held, 'Blocked').status, 'False');
    const alone = plan({
      policy,
      nodes: [needing('a'), aNode({ name: 'b' }), aNode({ name: 'c' }), aNode({ name: 'd' })],
      rebootNeededSince: since,
      grantLast,
    });
    assert.deepEqual(kinds(alone, 'approve'), ['a'], 'granted once it is alone');
    const withoutLeader = plan({ policy, nodes: lastWave, rebootNeededSince: since });
    assert.deepEqual(kinds(withoutLeader, 'approve'), ['a'], 'any other node takes the free slot at once');
  });

  it('counts nodes that are not ready, cordoned by anyone, or in any operator state against maxUnavailable', () => {
    const nodes = [
      aNode({ name: 'down', ready: false }),
      aNode({ name: 'cordoned', unschedulable: true }),
      needing('a'),
      needing('b'),
      needing('c'),
    ];
    assert.deepEqual(kinds(plan({ policy: aRolloutPolicy({ maxUnavailable: 3 }), nodes }), 'approve'), ['a']);
    assert.deepEqual(kinds(plan({ policy: aRolloutPolicy({ maxUnavailable: 2 }), nodes }), 'approve'), []);
    const blocked = condition(plan({ policy: aRolloutPolicy({ maxUnavailable: 2 }), nodes }), 'Blocked');
    assert.equal(blocked.reason, 'BudgetExhausted');
    assert.match(blocked.message, /cordoned, down/);
  });

  it('approves a node that is already down without taking a slot', () => {
    const nodes = [approved('busy', T0 - MINUTE), needing('down', { ready: false }), needing('up')];
    const result = plan({ nodes });
    assert.deepEqual(kinds(result, 'approve'), ['down']);
    assert.equal(result.actions[0]?.takesSlot, false);
  });

  it('counts FleetLock holders against the budget', () => {
    const holder = aNode({
      name: 'fcos',
      annotations: { [ANNOTATIONS.fleetLockHolder]: 'abc', [ANNOTATIONS.rebootGrantedAt]: new Date(T0).toISOString() },
    });
    assert.deepEqual(kinds(plan({ nodes: [holder, needing('a')] }), 'approve'), []);
    assert.deepEqual(
      kinds(plan({ policy: aRolloutPolicy({ maxUnavailable: 2 }), nodes: [holder, needing('a')] }), 'approve'),
      ['a'],
    );
  });

  it('counts its own pending writes, so a stale cache cannot lead to a second grant', () => {
    const nodes = [needing('a'), needing('b')];
    const first = plan({ nodes });
    assert.deepEqual(kinds(first, 'approve'), ['a']);
    const write = writesOf(first.actions)[0];
    assert.ok(write);
    // The informer still shows both nodes as before; the pending write is laid over them.
    const second = plan({
      nodes,
      pendingWrites: new Map([[write.node, { patch: write.patch, resourceVersion: '7' }]]),
    });
    assert.deepEqual(second.actions, []);
    assert.equal(second.budget.unavailable, 1);
  });

  it('conditions each write on the resourceVersion the decision saw, or the one its own pending write produced', () => {
    const nodes = [needing('a', { resourceVersion: '10' }), needing('b', { resourceVersion: '11' })];
    const first = plan({
      policy: aRolloutPolicy({ maxUnavailable: 2 }),
      nodes,
      pendingWrites: new Map([['b', { patch: { annotations: { x: 'y' } }, resourceVersion: '15' }]]),
    });
    assert.deepEqual(
      first.actions.map((action) => [action.node, action.basedOn]),
      [
        ['a', '10'],
        ['b', '15'],
      ],
    );
  });

  it('leaves nodes of other policies and unselected nodes alone', () => {
    const result = plan({ nodes: [needing('other', { labels: { pool: 'infra' } }), needing('a')] });
    assert.deepEqual(kinds(result, 'approve'), ['a']);
    assert.equal(result.budget.selected, 1);
  });
});

describe('planRollout: completion', () => {
  it('clears a node that is back and done', () => {
    const nodes = [rebooted('a', T0 - 5 * MINUTE, { annotations: { [ANNOTATIONS.drainFailed]: 'x' } })];
    const result = plan({ nodes });
    assert.deepEqual(kinds(result, 'complete'), ['a']);
    const [done] = after(nodes, result);
    assert.ok(done);
    for (const key of [ANNOTATIONS.rebootOk, ANNOTATIONS.rebootGrantedAt, ANNOTATIONS.policy, ANNOTATIONS.drainFailed])
      assert.equal(done.annotations[key], undefined, key);
    assert.equal(result.phases.get('a'), 'idle');
  });

  it('frees the slot of a finished node for the next one in the same round', () => {
    const result = plan({ nodes: [rebooted('a', T0 - MINUTE), needing('b')] });
    assert.deepEqual(kinds(result, 'complete'), ['a']);
    assert.deepEqual(kinds(result, 'approve'), ['b']);
  });

  it('keeps counting a node that is back but still not ready', () => {
    const result = plan({ nodes: [rebooted('a', T0 - MINUTE, { ready: false }), needing('b')] });
    assert.deepEqual(kinds(result, 'complete'), ['a']);
    assert.deepEqual(kinds(result, 'approve'), []);
  });

  it('leaves nodes the agent is draining or rebooting alone', () => {
    const result = plan({
      nodes: [inProgress('a', T0 - MINUTE), inProgress('b', T0 - MINUTE, { ready: false })],
      policy: aRolloutPolicy({ maxUnavailable: 2 }),
    });
    assert.deepEqual(result.actions, []);
    assert.equal(result.phases.get('a'), 'draining');
    assert.equal(result.phases.get('b'), 'rebooting');
  });
});

describe('planRollout: hooks', () => {
  const hooks = aRolloutPolicy({
    beforeRebootHooks: ['example.com/backup-done'],
    afterRebootHooks: ['example.com/healthy'],
  });

  it('labels a node before-reboot, taking its slot, and approves it only once every hook says "true"', () => {
    const first = plan({ policy: hooks, nodes: [needing('a'), needing('b')] });
    assert.deepEqual(kinds(first, 'requestBeforeRebootHooks'), ['a']);
    assert.equal(first.actions[0]?.patch.labels?.[LABELS.beforeReboot], TRUE);
    const [a, b] = after([needing('a'), needing('b')], first);
    assert.ok(a && b);
    const pending = plan({ policy: hooks, nodes: [a, b] });
    assert.deepEqual(pending.actions, [], 'nothing moves while the hook is pending');
    assert.equal(pending.phases.get('a'), 'waiting');
    assert.equal(condition(pending, 'Blocked').reason, 'HooksPending');
    assert.match(
      condition(pending, 'Blocked').message,
      /node a waits for its before-reboot hook annotation\(s\) example\.com\/backup-done/,
    );

    const hooked = applyPatch(a, { annotations: { 'example.com/backup-done': TRUE } });
    const approvedPlan = plan({ policy: hooks, nodes: [hooked, b] });
    assert.deepEqual(kinds(approvedPlan, 'approve'), ['a']);
    const [done] = after([hooked], approvedPlan);
    assert.equal(done?.labels[LABELS.beforeReboot], undefined);
    assert.equal(
      done?.annotations['example.com/backup-done'],
      undefined,
      'the hook annotation is reset for the next reboot',
    );
    assert.equal(done?.annotations[ANNOTATIONS.rebootOk], TRUE);
  });

  it('holds a finished node in after-reboot until its hooks say "true", then clears labels and hook annotations', () => {
    const back = rebooted('a', T0 - MINUTE);
    const first = plan({ policy: hooks, nodes: [back, needing('b')] });
    assert.deepEqual(kinds(first, 'requestAfterRebootHooks'), ['a']);
    assert.deepEqual(kinds(first, 'approve'), [], 'the node keeps its slot while after-reboot hooks are pending');
    const [labelled] = after([back], first);
    assert.ok(labelled);
    assert.equal(plan({ policy: hooks, nodes: [labelled] }).actions.length, 0);
    const healthy = applyPatch(labelled, { annotations: { 'example.com/healthy': TRUE } });
    const finished = plan({ policy: hooks, nodes: [healthy] });
    assert.deepEqual(kinds(finished, 'complete'), ['a']);
    const [clean] = after([healthy], finished);
    assert.equal(clean?.labels[LABELS.afterReboot], undefined);
    assert.equal(clean?.annotations['example.com/healthy'], undefined);
  });

  it('takes the before-reboot label back from a node that no longer needs a reboot', () => {
    const waiting = aNode({ name: 'a', labels: { [LABELS.beforeReboot]: TRUE } });
    assert.deepEqual(kinds(plan({ policy: hooks, nodes: [waiting] }), 'revoke'), ['a']);
  });
});

describe('planRollout: windows and pause', () => {
  const closed = { open: false, nextChangeAt: T0 + 60 * MINUTE, nextOpenAt: T0 + 60 * MINUTE };

  it('starts nothing while no window is open, and wakes when the next opens', () => {
    const result = plan({ policy: aRolloutPolicy({ window: closed }), nodes: [needing('a')] });
    assert.deepEqual(result.actions, []);
    assert.equal(result.wakeAt, T0 + 60 * MINUTE);
    const blocked = condition(result, 'Blocked');
    assert.equal(blocked.reason, 'WindowClosed');
    assert.match(blocked.message, /next opens at 2025-03-10T13:00:00Z/);
  });

  it('revokes a node approved before the window closed that has not started, and lets started ones finish', () => {
    const nodes = [
      approved('a', T0 - MINUTE),
      inProgress('b', T0 - MINUTE),
      aNode({ name: 'c', labels: { [LABELS.beforeReboot]: TRUE }, annotations: { [ANNOTATIONS.rebootNeeded]: TRUE } }),
      rebooted('d', T0 - MINUTE),
    ];
    const result = plan({ policy: aRolloutPolicy({ window: closed, maxUnavailable: 4 }), nodes });
    assert.deepEqual(kinds(result, 'revoke'), ['a', 'c']);
    assert.deepEqual(kinds(result, 'complete'), ['d'], 'finishing a node that is back is no disruption');
    const [a, , c] = after(nodes, result);
    assert.equal(a?.annotations[ANNOTATIONS.rebootOk], undefined);
    assert.equal(a?.annotations[ANNOTATIONS.rebootNeeded], TRUE, 'the node still needs its reboot');
    assert.equal(c?.labels[LABELS.beforeReboot], undefined);
  });

  it('wakes when the open window closes', () => {
    const result = plan({
      policy: aRolloutPolicy({ window: { open: true, nextChangeAt: T0 + 5 * MINUTE } }),
      nodes: [needing('a')],
    });
    assert.deepEqual(kinds(result, 'approve'), ['a']);
    assert.equal(result.wakeAt, T0 + 5 * MINUTE);
  });

  it('starts nothing while paused and revokes unstarted approvals', () => {
    const result = plan({
      policy: aRolloutPolicy({ paused: true, maxUnavailable: 3 }),
      nodes: [needing('a'), approved('b', T0 - MINUTE)],
    });
    assert.deepEqual(kinds(result, 'approve'), []);
    assert.deepEqual(kinds(result, 'revoke'), ['b']);
    assert.equal(condition(result, 'Blocked').reason, 'Paused');
    assert.equal(condition(result, 'Progressing').status, 'False');
  });
});

describe('planRollout: rebootTimeout', () => {
  it('wakes at the deadline and then marks the node failed with a warning, holding its slot', () => {
    const granted = T0 - 29 * MINUTE;
    const early = plan({ nodes: [inProgress('a', granted, { ready: false }), needing('b')] });
    assert.deepEqual(early.actions, []);
    assert.equal(early.wakeAt, granted + 30 * MINUTE);

    const late = plan({
      nodes: [inProgress('a', granted, { ready: false }), needing('b')],
      now: granted + 30 * MINUTE,
    });
    assert.deepEqual(kinds(late, 'markFailed'), ['a']);
    assert.equal(late.actions[0]?.warning, true);
    assert.equal(late.actions[0]?.patch.annotations?.[ANNOTATIONS.rebootFailed], TRUE);
    assert.deepEqual(kinds(late, 'approve'), [], 'HoldSlot keeps the slot');
    assert.equal(condition(late, 'Degraded').status, 'True');
    assert.match(condition(late, 'Degraded').message, /a/);
  });

  it('under ReleaseSlot lets another node take the slot of a failed node that is up, and revokes one that never started', () => {
    const policy = aRolloutPolicy({ onRebootTimeout: 'ReleaseSlot' });
    const stuck = approved('a', T0 - 31 * MINUTE);
    const result = plan({ policy, nodes: [stuck, needing('b')] });
    assert.deepEqual(kinds(result, 'markFailed'), ['a']);
    assert.deepEqual(kinds(result, 'approve'), ['b']);
    const [failed] = after([stuck], result);
    assert.equal(failed?.annotations[ANNOTATIONS.rebootOk], undefined, 'it can no longer start uncounted');
    assert.equal(failed?.annotations[ANNOTATIONS.rebootFailed], TRUE);
  });

  it('under ReleaseSlot still counts a failed node while it is down', () => {
    const policy = aRolloutPolicy({ onRebootTimeout: 'ReleaseSlot' });
    const result = plan({ policy, nodes: [inProgress('a', T0 - 31 * MINUTE, { ready: false }), needing('b')] });
    assert.deepEqual(kinds(result, 'markFailed'), ['a']);
    assert.deepEqual(kinds(result, 'approve'), []);
  });

  it('never grants a failed node again until someone clears the annotation, and finishes it if it comes back', () => {
    const failedNeeding = needing('a', { annotations: { [ANNOTATIONS.rebootFailed]: TRUE } });
    assert.deepEqual(plan({ nodes: [failedNeeding] }).actions, []);
    const back = rebooted('a', T0 - 40 * MINUTE, { annotations: { [ANNOTATIONS.rebootFailed]: TRUE } });
    const result = plan({ nodes: [back] });
    assert.deepEqual(kinds(result, 'complete'), ['a']);
    assert.equal(after([back], result)[0]?.annotations[ANNOTATIONS.rebootFailed], undefined);
  });

  it('under ReleaseSlot does not finish a failed node that still holds a FleetLock lock, which would count again over the budget', () => {
    const policy = aRolloutPolicy({ onRebootTimeout: 'ReleaseSlot', maxUnavailable: 1 });
    const holder = rebooted('a', T0 - 40 * MINUTE, {
      annotations: { [ANNOTATIONS.rebootFailed]: TRUE, [ANNOTATIONS.fleetLockHolder]: 'id-a' },
    });
    const down = aNode({ name: 'b', ready: false });
    const result = plan({ policy, nodes: [holder, down] });
    assert.deepEqual(kinds(result, 'complete'), []);
    assert.equal(result.budget.unavailable, 1, 'only the node that is down takes the one slot');
    const released = rebooted('a', T0 - 40 * MINUTE, { annotations: { [ANNOTATIONS.rebootFailed]: TRUE } });
    assert.deepEqual(
      kinds(plan({ policy, nodes: [released, down] }), 'complete'),
      ['a'],
      'once the lock is released, it finishes',
    );
  });
});

describe('planRollout: rollbacks', () => {
  // The agent's write at the end of a reboot that fell back to the old slot: the grant is still on the node.
  const rolledBack = (name: string, from = '4230.2.4', more: Record<string, string> = {}) =>
    rebooted(name, T0 - 5 * MINUTE, { annotations: { [ANNOTATIONS.rolledBack]: from, ...more } });
  // The agent staged the same version again and asks for a reboot into it.
  const restaged = (node: NodeState, version = '4230.2.4') =>
    applyPatch(node, {
      annotations: { [ANNOTATIONS.rebootNeeded]: TRUE, [ANNOTATIONS.newVersion]: version },
      labels: { [LABELS.rebootNeeded]: TRUE },
    });

  it('marks a node that came back rolled back failed, with a Warning Event, instead of completing it', () => {
    const node = rolledBack('a');
    const result = plan({ nodes: [node] });
    assert.deepEqual(kinds(result, 'markRolledBack'), ['a']);
    assert.deepEqual(kinds(result, 'complete'), []);
    const [action] = result.actions;
    assert.equal(action?.reason, 'RebootRolledBack');
    assert.equal(action?.warning, true);
    assert.match(action?.message ?? '', /4230\.2\.4 failed to boot and it rolled back/);
    const [marked] = after([node], result);
    assert.equal(marked?.annotations[ANNOTATIONS.rebootFailed], TRUE);
    assert.equal(marked?.annotations[ANNOTATIONS.rebootOk], undefined, 'the grant is consumed: counted once');
    assert.equal(marked?.annotations[ANNOTATIONS.rolledBack], '4230.2.4', 'the agent’s mark is left to the agent');
    assert.equal(result.phases.get('a'), 'failed');
    assert.equal(result.counts.failed, 1);
    const degraded = condition(result, 'Degraded');
    assert.equal(degraded.status, 'True');
    assert.equal(degraded.reason, 'RebootRolledBack');
    assert.match(degraded.message, /a \(from 4230\.2\.4\) rolled back/);
  });

  it('counts a rolled-back node against maxUnavailable under HoldSlot, and not under ReleaseSlot', () => {
    const hold = plan({ nodes: [rolledBack('a'), needing('b')] });
    assert.deepEqual(kinds(hold, 'approve'), [], 'the failure fills the one slot');
    const marked = after([rolledBack('a')], hold)[0];
    assert.ok(marked);
    const next = plan({ nodes: [marked, needing('b')] });
    assert.deepEqual(next.actions, []);
    assert.equal(condition(next, 'Blocked').reason, 'BudgetExhausted');
    assert.equal(next.budget.unavailable, 1);

    const policy = aRolloutPolicy({ onRebootTimeout: 'ReleaseSlot' });
    const release = plan({ policy, nodes: [rolledBack('a'), needing('b')] });
    assert.deepEqual(kinds(release, 'markRolledBack'), ['a']);
    assert.deepEqual(kinds(release, 'approve'), ['b']);
  });

  it('never grants the node again by itself, however often its agent stages the version again', () => {
    const policy = aRolloutPolicy({ maxUnavailable: 3 });
    let node = rolledBack('a');
    const first = plan({ policy, nodes: [node] });
    node = after([node], first)[0] ?? node;
    let marks = kinds(first, 'markRolledBack').length;
    for (let round = 1; round <= 20; round += 1) {
      node = restaged(node);
      const result = plan({ policy, nodes: [node], now: T0 + round * MINUTE });
      marks += kinds(result, 'markRolledBack').length;
      assert.deepEqual(result.actions, [], `round ${round}`);
      assert.equal(result.phases.get('a'), 'failed');
    }
    assert.equal(marks, 1, 'the rollback is counted once');

    // Someone removes reboot-failed: that, and only that, lets the node try again.
    const cleared = applyPatch(node, { annotations: { [ANNOTATIONS.rebootFailed]: null } });
    assert.deepEqual(kinds(plan({ policy, nodes: [cleared] }), 'approve'), ['a']);
  });

  it('names timeouts and rollbacks apart in Degraded', () => {
    const timedOut = needing('t', { annotations: { [ANNOTATIONS.rebootFailed]: TRUE } });
    const result = plan({ policy: aRolloutPolicy({ maxUnavailable: 2 }), nodes: [rolledBack('r'), timedOut] });
    const degraded = condition(result, 'Degraded');
    assert.equal(degraded.reason, 'RebootsFailed');
    assert.match(
      degraded.message,
      /node\(s\) t did not come back within rebootTimeout; node\(s\) r \(from 4230\.2\.4\) rolled back/,
    );
  });

  it('completes a node whose reboot landed where it was meant to, as before', () => {
    const result = plan({ nodes: [rebooted('a', T0 - 5 * MINUTE)] });
    assert.deepEqual(kinds(result, 'complete'), ['a']);
    assert.equal(condition(result, 'Degraded').status, 'False');
  });
});

describe('planRollout: drain failures', () => {
  it('revokes the approval of a node whose drain failed and retries it after the back-off', () => {
    const failedAt = T0 - 10_000;
    const node = approved('a', T0 - 2 * MINUTE, {
      annotations: { [ANNOTATIONS.drainFailed]: new Date(failedAt).toISOString() },
    });
    const first = plan({ nodes: [node] });
    assert.deepEqual(kinds(first, 'revoke'), ['a']);
    assert.equal(first.actions[0]?.warning, true);
    const [revoked] = after([node], first);
    assert.ok(revoked);
    const waiting = plan({ nodes: [revoked] });
    assert.deepEqual(waiting.actions, []);
    assert.equal(condition(waiting, 'Blocked').reason, 'DrainRetryBackoff');
    const retryAt = waiting.wakeAt ?? Number.NaN;
    // The first failure waits one minute, less at most a fifth as jitter.
    assert.ok(retryAt > failedAt + 0.8 * MINUTE - 1 && retryAt <= failedAt + MINUTE, new Date(retryAt).toISOString());
    assert.deepEqual(plan({ nodes: [revoked], now: retryAt - 1 }).actions, []);
    const retry = plan({ nodes: [revoked], now: retryAt });
    assert.deepEqual(kinds(retry, 'approve'), ['a']);
    const annotations = retry.actions[0]?.patch.annotations;
    assert.equal(annotations?.[ANNOTATIONS.drainFailed], null, 'a new attempt starts with a clean record');
    assert.equal(annotations?.[ANNOTATIONS.drainFailures], '1', 'the failure is counted');
  });

  it('doubles the wait with each drain failure in a row, capped by the policy', () => {
    const failedAt = T0;
    const waitAfter = (failuresBefore: number, maxDelayMs: number): number => {
      const node = needing('a', {
        annotations: {
          [ANNOTATIONS.drainFailed]: new Date(failedAt).toISOString(),
          [ANNOTATIONS.drainFailures]: String(failuresBefore),
        },
      });
      const result = planRollout({
        policy: aRolloutPolicy({ drainRetryMaxDelayMs: maxDelayMs }),
        otherPolicies: [],
        now: T0,
        nodes: [node],
      });
      assert.deepEqual(result.actions, []);
      return (result.wakeAt ?? Number.NaN) - failedAt;
    };
    const within = (wait: number, full: number): void =>
      assert.ok(wait > 0.8 * full - 1 && wait <= full, `${wait} ms for a full wait of ${full} ms`);
    within(waitAfter(0, 30 * MINUTE), MINUTE);
    within(waitAfter(1, 30 * MINUTE), 2 * MINUTE);
    within(waitAfter(3, 30 * MINUTE), 8 * MINUTE);
    within(waitAfter(9, 30 * MINUTE), 30 * MINUTE);
    within(waitAfter(9, 2 * MINUTE), 2 * MINUTE);
  });

  it('counts the failed drain of a FleetLock client when it is granted again, and forgets the count once the node rebooted', () => {
    const granted = needing('a', {
      annotations: {
        [ANNOTATIONS.drainFailed]: new Date(T0 - 60 * MINUTE).toISOString(),
        [ANNOTATIONS.drainFailures]: '2',
      },
    });
    const grant = plan({
      nodes: [granted],
      fleetLockRequests: [{ node: 'a', clientId: 'zincati-a', since: T0 - 60 * MINUTE, live: true }],
    });
    assert.deepEqual(kinds(grant, 'grantFleetLock'), ['a']);
    assert.equal(grant.actions[0]?.patch.annotations?.[ANNOTATIONS.drainFailures], '3');
    const nodes = [rebooted('a', T0 - 5 * MINUTE, { annotations: { [ANNOTATIONS.drainFailures]: '3' } })];
    const [done] = after(nodes, plan({ nodes }));
    assert.equal(done?.annotations[ANNOTATIONS.drainFailures], undefined);
  });
});

describe('planRollout: overlapping policies', () => {
  it('acts on no node that another policy also selects, counts it, and reports Blocked naming the other policy and the node', () => {
    const other = {
      name: 'canaries',
      selects: (labels: Readonly<Record<string, string>>) => labels['canary'] === 'yes',
    };
    const nodes = [
      needing('a', { labels: { canary: 'yes' } }),
      rebooted('b', T0, { labels: { canary: 'yes' } }),
      needing('c'),
    ];
    const result = plan({ nodes, otherPolicies: [other], policy: aRolloutPolicy({ maxUnavailable: 1 }) });
    assert.deepEqual(kinds(result, 'approve'), [], 'b is left holding reboot-ok, so it keeps the only slot');
    assert.deepEqual(kinds(result, 'complete'), []);
    const blocked = condition(result, 'Blocked');
    assert.equal(blocked.reason, 'OverlappingPolicies');
    assert.match(blocked.message, /node a is also selected by UpdatePolicy canaries \(2 nodes overlap\)/);
  });

  it('still rolls out the nodes only it selects', () => {
    const other = {
      name: 'canaries',
      selects: (labels: Readonly<Record<string, string>>) => labels['canary'] === 'yes',
    };
    const result = plan({ nodes: [needing('a', { labels: { canary: 'yes' } }), needing('c')], otherPolicies: [other] });
    assert.deepEqual(kinds(result, 'approve'), ['c']);
    assert.equal(condition(result, 'Blocked').reason, 'OverlappingPolicies');
  });
});

describe('planRollout: FleetLock', () => {
  const fcos = (name: string, more: Record<string, string> = {}) => aNode({ name, annotations: more });

  it('grants a FleetLock request when a slot is free, recording holder, time and policy', () => {
    const result = plan({ nodes: [fcos('f')], fleetLockRequests: [{ node: 'f', clientId: 'id-f', since: T0 }] });
    assert.deepEqual(kinds(result, 'grantFleetLock'), ['f']);
    assert.deepEqual(result.fleetLock.get('f'), { granted: true, alreadyHeld: false });
    assert.equal(result.actions[0]?.patch.annotations?.[ANNOTATIONS.fleetLockHolder], 'id-f');
  });

  it('refuses when the budget is full, whoever holds the slots', () => {
    const result = plan({
      nodes: [approved('a', T0), fcos('f')],
      fleetLockRequests: [{ node: 'f', clientId: 'id-f', since: T0 }],
    });
    assert.deepEqual(result.actions, []);
    assert.match(refusal(result, 'f'), /all 1 slots/);
  });

  it('shares the fair order with agent-driven nodes', () => {
    const nodes = [needing('a'), fcos('f')];
    const older = plan({
      nodes,
      rebootNeededSince: new Map([['a', T0 - MINUTE]]),
      fleetLockRequests: [{ node: 'f', clientId: 'id-f', since: T0 - 2 * MINUTE }],
    });
    assert.deepEqual(kinds(older, 'grantFleetLock'), ['f']);
    assert.deepEqual(kinds(older, 'approve'), []);
    const younger = plan({
      nodes,
      rebootNeededSince: new Map([['a', T0 - 3 * MINUTE]]),
      fleetLockRequests: [{ node: 'f', clientId: 'id-f', since: T0 - 2 * MINUTE }],
    });
    assert.deepEqual(kinds(younger, 'approve'), ['a']);
    assert.equal(younger.fleetLock.get('f')?.granted, false);
  });

  it('keeps the slot whose turn comes to a client that asked before but is not asking now, and grants nobody behind it', () => {
    const result = plan({
      nodes: [fcos('f'), needing('a')],
      rebootNeededSince: new Map([['a', T0]]),
      fleetLockRequests: [{ node: 'f', clientId: 'id-f', since: T0 - MINUTE, live: false }],
    });
    assert.deepEqual(result.actions, []);
    assert.match(refusal(result, 'f'), /kept for FleetLock client id-f/);
    const again = plan({
      nodes: [fcos('f'), needing('a')],
      rebootNeededSince: new Map([['a', T0]]),
      fleetLockRequests: [{ node: 'f', clientId: 'id-f', since: T0 - MINUTE, live: true }],
    });
    assert.deepEqual(kinds(again, 'grantFleetLock'), ['f']);
  });

  it('answers a holder asking again with success (a recursive lock), even while paused', () => {
    const holder = fcos('f', {
      [ANNOTATIONS.fleetLockHolder]: 'id-f',
      [ANNOTATIONS.rebootGrantedAt]: new Date(T0).toISOString(),
    });
    const result = plan({
      policy: aRolloutPolicy({ paused: true }),
      nodes: [holder],
      fleetLockRequests: [{ node: 'f', clientId: 'id-f', since: T0 }],
    });
    assert.deepEqual(result.fleetLock.get('f'), { granted: true, alreadyHeld: true });
    assert.deepEqual(result.actions, []);
  });

  it('refuses while paused, outside windows, for overlapping nodes and for another client id', () => {
    const request = [{ node: 'f', clientId: 'id-f', since: T0 }];
    const reason = (result: RolloutPlan): string => refusal(result, 'f');
    assert.match(
      reason(plan({ policy: aRolloutPolicy({ paused: true }), nodes: [fcos('f')], fleetLockRequests: request })),
      /paused/,
    );
    assert.match(
      reason(
        plan({
          policy: aRolloutPolicy({ window: { open: false, nextOpenAt: T0 + MINUTE } }),
          nodes: [fcos('f')],
          fleetLockRequests: request,
        }),
      ),
      /no reboot window/,
    );
    assert.match(
      reason(
        plan({ nodes: [fcos('f')], fleetLockRequests: request, otherPolicies: [{ name: 'all', selects: () => true }] }),
      ),
      /more than one policy/,
    );
    assert.match(
      reason(
        plan({ nodes: [fcos('f', { [ANNOTATIONS.fleetLockHolder]: 'someone-else' })], fleetLockRequests: request }),
      ),
      /another FleetLock client/,
    );
  });

  it('holds a client\'s slot at the before-reboot hooks, and grants the lock once they say "true"', () => {
    const policy = aRolloutPolicy({ beforeRebootHooks: ['example.com/drained-elsewhere'] });
    const request = [{ node: 'f', clientId: 'id-f', since: T0 - MINUTE }];
    const nodes = [fcos('f'), needing('a')];
    const first = plan({ policy, nodes, fleetLockRequests: request, rebootNeededSince: new Map([['a', T0]]) });
    assert.deepEqual(kinds(first, 'requestBeforeRebootHooks'), ['f']);
    assert.deepEqual(kinds(first, 'grantFleetLock'), []);
    assert.deepEqual(kinds(first, 'approve'), [], 'the slot is taken while the hooks run');
    assert.match(refusal(first, 'f'), /before-reboot hooks example.com\/drained-elsewhere/);
    const step = first.actions[0]?.patch;
    assert.equal(step?.labels?.[LABELS.beforeReboot], TRUE);
    assert.equal(step?.annotations?.[ANNOTATIONS.fleetLockRequester], 'id-f');

    const waiting = after(nodes, first);
    const again = plan({ policy, nodes: waiting, fleetLockRequests: request });
    assert.deepEqual(again.actions, []);
    assert.match(refusal(again, 'f'), /before-reboot hooks/);
    assert.equal(condition(again, 'Blocked').reason, 'HooksPending');
    assert.equal(again.phases.get('f'), 'waiting');
    assert.match(
      refusal(plan({ policy, nodes: waiting, fleetLockRequests: [{ ...request[0]!, clientId: 'other' }] }), 'f'),
      /another FleetLock client/,
    );

    const hooked = waiting.map((node) =>
      node.name === 'f' ? applyPatch(node, { annotations: { 'example.com/drained-elsewhere': TRUE } }) : node,
    );
    const granted = plan({ policy, nodes: hooked, fleetLockRequests: request });
    assert.deepEqual(kinds(granted, 'grantFleetLock'), ['f']);
    assert.deepEqual(granted.fleetLock.get('f'), { granted: true, alreadyHeld: false });
    assert.equal(granted.actions[0]?.takesSlot, false);
    const locked = after(hooked, granted).find((node) => node.name === 'f');
    assert.equal(locked?.annotations[ANNOTATIONS.fleetLockHolder], 'id-f');
    assert.equal(locked?.annotations[ANNOTATIONS.fleetLockRequester], undefined);
    assert.equal(locked?.annotations['example.com/drained-elsewhere'], undefined);
    assert.equal(locked?.labels[LABELS.beforeReboot], undefined);
  });

  it("takes back a client's before-reboot step when the policy is paused", () => {
    const waiting = fcos('f', { [ANNOTATIONS.fleetLockRequester]: 'id-f' });
    const labelled = applyPatch(waiting, { labels: { [LABELS.beforeReboot]: TRUE } });
    const result = plan({
      policy: aRolloutPolicy({ paused: true, beforeRebootHooks: ['example.com/h'] }),
      nodes: [labelled],
      fleetLockRequests: [{ node: 'f', clientId: 'id-f', since: T0 }],
    });
    assert.deepEqual(kinds(result, 'revoke'), ['f']);
    assert.equal(result.actions[0]?.patch.annotations?.[ANNOTATIONS.fleetLockRequester], null);
    assert.match(refusal(result, 'f'), /paused/);
  });

  it('keeps the lock of a client back from its reboot until the after-reboot hooks say "true", then clears it', () => {
    const policy = aRolloutPolicy({ afterRebootHooks: ['example.com/healthy'], rebootTimeoutMs: 10 * MINUTE });
    const back = applyPatch(
      fcos('f', {
        [ANNOTATIONS.fleetLockHolder]: 'id-f',
        [ANNOTATIONS.rebootGrantedAt]: new Date(T0 - 31 * MINUTE).toISOString(),
        [ANNOTATIONS.policy]: 'workers',
      }),
      { labels: { [LABELS.afterReboot]: TRUE } },
    );
    const nodes = [back, needing('a')];
    const waiting = plan({ policy, nodes, fleetLockRequests: [{ node: 'f', clientId: 'id-f', since: T0 }] });
    assert.deepEqual(waiting.actions, [], 'not failed for its rebootTimeout, and its slot still held');
    assert.equal(waiting.phases.get('f'), 'afterReboot');
    assert.deepEqual(waiting.slotHolders, ['f']);
    assert.equal(condition(waiting, 'Blocked').reason, 'HooksPending');
    assert.match(refusal(waiting, 'f'), /after-reboot hooks example.com\/healthy/, 'no second reboot meanwhile');

    const healthy = [applyPatch(back, { annotations: { 'example.com/healthy': TRUE } }), needing('a')];
    const done = plan({ policy, nodes: healthy });
    assert.deepEqual(kinds(done, 'complete'), ['f']);
    assert.deepEqual(kinds(done, 'approve'), ['a'], 'the freed slot goes to the next in line');
    const cleared = after(healthy, done).find((node) => node.name === 'f');
    assert.deepEqual(cleared?.annotations, {});
    assert.equal(cleared?.labels[LABELS.afterReboot], undefined);
  });

  it('marks a lock holder failed after rebootTimeout', () => {
    const holder = fcos('f', {
      [ANNOTATIONS.fleetLockHolder]: 'id-f',
      [ANNOTATIONS.rebootGrantedAt]: new Date(T0 - 31 * MINUTE).toISOString(),
    });
    assert.deepEqual(kinds(plan({ nodes: [holder] }), 'markFailed'), ['f']);
  });
});

describe('writesOf', () => {
  it('merges the actions on one node into one patch conditioned on the first decision', () => {
    const stuck = approved('a', T0 - 31 * MINUTE, { resourceVersion: '42' });
    const result = plan({ policy: aRolloutPolicy({ window: { open: false } }), nodes: [stuck] });
    assert.deepEqual(kinds(result, 'markFailed'), ['a']);
    assert.deepEqual(kinds(result, 'revoke'), ['a']);
    const writes = writesOf(result.actions);
    assert.equal(writes.length, 1);
    assert.equal(writes[0]?.basedOn, '42');
    assert.equal(writes[0]?.patch.annotations?.[ANNOTATIONS.rebootFailed], TRUE);
    assert.equal(writes[0]?.patch.annotations?.[ANNOTATIONS.rebootOk], null);
  });
});

describe('planRollout: a node whose reboots are paused (ADR 0062)', () => {
  it('is not granted by the default policy, which does not select it, while the others are', () => {
    const policy = rolloutPolicyOf(
      updatePolicySchema.parse({ ...defaultUpdatePolicy({ maxUnavailable: 2 }), metadata: { name: 'default' } }),
    );
    const nodes = [needing('held', { labels: { [LABELS.rebootsPaused]: TRUE } }), needing('free')];
    const result = plan({ policy, nodes });
    assert.deepEqual(kinds(result, 'approve'), ['free']);
    assert.equal(result.budget.selected, 1);
    // Resumed (the label removed): granted like any other node.
    const resumed = plan({ policy, nodes: [needing('held'), needing('free')] });
    assert.deepEqual(kinds(resumed, 'approve'), ['free', 'held']);
  });
});

describe('completing a reboot', () => {
  /** One pass over one node that a FleetLock client rebooted, under a one-slot policy. */
  const planOne = (node: NodeState, onRebootTimeout: 'HoldSlot' | 'ReleaseSlot' = 'HoldSlot') =>
    planRollout({
      policy: aRolloutPolicy({ maxUnavailable: 1, onRebootTimeout }),
      otherPolicies: [],
      now: T0,
      nodes: [node],
    });
  /** The node as the pass's completion leaves it; fails naming the actions when there is none. */
  const completed = (node: NodeState, result: RolloutPlan): NodeState => {
    const complete = result.actions.find((action) => action.kind === 'complete');
    assert.ok(complete, `a completion: ${result.actions.map((action) => action.kind).join(', ')}`);
    return applyPatch(node, complete.patch);
  };
  const fleetLockNode = (annotations: Record<string, string>, labels: Record<string, string>): NodeState =>
    aNode({ name: 'both', annotations: { [ANNOTATIONS.fleetLockHolder]: 'id-both', ...annotations }, labels });

  it('clears a before-reboot label left on the node, so the completed node no longer holds a slot', () => {
    // Found by the property test: a FleetLock node back and done, with a stale before-reboot label, stayed counted.
    const node = fleetLockNode(
      { [ANNOTATIONS.rebootNeeded]: TRUE, [ANNOTATIONS.rebootGrantedAt]: '2025-03-10T11:14:00.000Z' },
      { [LABELS.beforeReboot]: TRUE, [LABELS.afterReboot]: TRUE },
    );
    const after = completed(node, planOne(node));
    assert.equal(after.labels[LABELS.beforeReboot], undefined);
    assert.equal(after.labels[LABELS.afterReboot], undefined);
    assert.equal(after.annotations[ANNOTATIONS.fleetLockHolder], undefined);
  });

  it("clears an agent's reboot-ok with the FleetLock lock, so the failed node does not count again once unmarked", () => {
    // Found by the property test (seed 198140778, path "845"): under ReleaseSlot a failed node counts nothing; the
    // FleetLock completion cleared reboot-failed and the lock but left reboot-ok, which then counted, over the budget.
    const node = fleetLockNode(
      {
        [ANNOTATIONS.rebootOk]: TRUE,
        [ANNOTATIONS.rebootFailed]: TRUE,
        [ANNOTATIONS.rebootGrantedAt]: '2025-03-10T11:14:00.000Z',
      },
      { [LABELS.afterReboot]: TRUE },
    );
    const result = planOne(node, 'ReleaseSlot');
    const after = completed(node, result);
    assert.equal(after.annotations[ANNOTATIONS.fleetLockHolder], undefined);
    assert.equal(after.annotations[ANNOTATIONS.rebootOk], undefined);
    assert.equal(result.budget.unavailable, 0);
  });

  it("waits for an agent's reboot in progress before completing the FleetLock lock of a failed node", () => {
    // Found by the property test (seed 1457044440, path "1770"): clearing reboot-failed under reboot-in-progress
    // counted the node again under ReleaseSlot.
    const node = fleetLockNode(
      { [ANNOTATIONS.rebootInProgress]: TRUE, [ANNOTATIONS.rebootFailed]: TRUE },
      { [LABELS.afterReboot]: TRUE },
    );
    const result = planOne(node, 'ReleaseSlot');
    assert.deepEqual(
      result.actions.filter((action) => action.kind === 'complete'),
      [],
    );
    assert.equal(result.budget.unavailable, 0);
  });
});
