// Randomised properties of the decision core, drawn by fast-check: a failure
// prints the seed and path that replay it (fc.assert's `seed` and `path`). They end on the first failure rather than
// shrink it: shrinking a draw history this long exhausts the heap before it reports anything.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANNOTATIONS, LABELS, TRUE } from '@strata/api';
import { applyPatch, patchIsReflected, type NodeState } from './node-state.ts';
import { grantsAfterFailures, planRollout, writesOf, type PendingWrite } from './plan.ts';
import fc from 'fast-check';
import { aNode, aRolloutPolicy, MINUTE, T0, uniformDraws } from './test-fixtures.ts';

const HOOK_BEFORE = 'example.com/before';
const HOOK_AFTER = 'example.com/after';

/**
 * Which nodes hold a slot of maxUnavailable (down or cordoned by anyone, or let go by the operator: reboot-ok,
 * reboot-in-progress, before-reboot, a FleetLock lock; under ReleaseSlot a failed node that is up holds none),
 * written out again independently of the implementation.
 */
function slotsTaken(nodes: readonly NodeState[], releaseFailed: boolean): number {
  return nodes.filter((node) => {
    const a = node.annotations;
    if (!node.ready || node.unschedulable) return true;
    // A failed node (timed out, or rolled back) is the failure budget: HoldSlot counts it, ReleaseSlot does not.
    if (a[ANNOTATIONS.rebootFailed] === TRUE) return !releaseFailed;
    return (
      a[ANNOTATIONS.rebootOk] === TRUE ||
      a[ANNOTATIONS.rebootInProgress] === TRUE ||
      node.labels[LABELS.beforeReboot] === TRUE ||
      a[ANNOTATIONS.fleetLockHolder] !== undefined
    );
  }).length;
}

/** What a user sees as disruption: nodes down or cordoned. */
const disrupted = (nodes: readonly NodeState[]): number =>
  nodes.filter((node) => !node.ready || node.unschedulable).length;

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** Any combination of protocol marks, consistent or not. */
function arbitraryNode(random: () => number, name: string): NodeState {
  const annotations: Record<string, string> = {};
  const labels: Record<string, string> = {};
  const maybe = (p: number): boolean => random() < p;
  if (maybe(0.6)) annotations[ANNOTATIONS.rebootNeeded] = maybe(0.8) ? TRUE : 'false';
  if (maybe(0.25)) annotations[ANNOTATIONS.rebootOk] = TRUE;
  if (maybe(0.2)) annotations[ANNOTATIONS.rebootInProgress] = TRUE;
  if (maybe(0.3))
    annotations[ANNOTATIONS.rebootGrantedAt] = new Date(T0 - Math.floor(random() * 60) * MINUTE).toISOString();
  if (maybe(0.1)) annotations[ANNOTATIONS.rebootFailed] = TRUE;
  if (maybe(0.1)) annotations[ANNOTATIONS.rolledBack] = '4230.2.4';
  if (maybe(0.1))
    annotations[ANNOTATIONS.drainFailed] = new Date(T0 - Math.floor(random() * 10) * MINUTE).toISOString();
  if (maybe(0.1)) annotations[ANNOTATIONS.fleetLockHolder] = `id-${name}`;
  if (maybe(0.1)) annotations[ANNOTATIONS.fleetLockRequester] = `id-${name}`;
  if (maybe(0.15)) labels[LABELS.beforeReboot] = TRUE;
  if (maybe(0.1)) labels[LABELS.afterReboot] = TRUE;
  if (maybe(0.3)) annotations[HOOK_BEFORE] = TRUE;
  if (maybe(0.3)) annotations[HOOK_AFTER] = TRUE;
  return aNode({ name, ready: !maybe(0.1), unschedulable: maybe(0.1), annotations, labels });
}

describe('planRollout properties', () => {
  it('one plan never takes a slot beyond maxUnavailable, from any state of the nodes (2000 cases)', () => {
    fc.assert(
      fc.property(fc.gen(), (g) => {
        const random = uniformDraws(g);
        const count = 1 + Math.floor(random() * 30);
        const nodes = Array.from({ length: count }, (_, index) => arbitraryNode(random, `n${index}`));
        const releaseFailed = random() < 0.5;
        const policy = aRolloutPolicy({
          maxUnavailable: 1 + Math.floor(random() * 6),
          beforeRebootHooks: random() < 0.3 ? [HOOK_BEFORE] : [],
          afterRebootHooks: random() < 0.3 ? [HOOK_AFTER] : [],
          onRebootTimeout: releaseFailed ? 'ReleaseSlot' : 'HoldSlot',
          paused: random() < 0.1,
          window: random() < 0.15 ? { open: false } : { open: true },
        });
        const requests = nodes
          .filter(() => random() < 0.1)
          .map((node) => ({
            node: node.name,
            clientId: random() < 0.7 ? `id-${node.name}` : 'other',
            since: T0 - Math.floor(random() * 10) * MINUTE,
            live: random() < 0.7,
          }));
        const limit = policy.budgetFor(count);
        const before = slotsTaken(nodes, releaseFailed);
        const plan = planRollout({ policy, otherPolicies: [], nodes, now: T0, fleetLockRequests: requests });
        const writes = new Map(writesOf(plan.actions).map((write) => [write.node, write.patch]));
        const afterNodes = nodes.map((node) => {
          const patch = writes.get(node.name);
          return patch === undefined ? node : applyPatch(node, patch);
        });
        const afterCount = slotsTaken(afterNodes, releaseFailed);
        assert.ok(
          afterCount <= Math.max(before, limit),
          `${before} slots taken before, ${afterCount} after, limit ${limit}`,
        );
        assert.equal(plan.budget.unavailable, afterCount, `the plan's own count of the slots taken agrees`);
        assert.ok(
          new Set(plan.actions.map((action) => `${action.node}/${action.kind}`)).size === plan.actions.length,
          'no action twice',
        );
      }),
      { numRuns: 2000, endOnFailure: true },
    );
  });

  it('a whole rollout with lagging informers, agents, hooks, drain failures and timeouts never exceeds the budget and finishes (100 runs)', () => {
    fc.assert(
      fc.property(fc.gen(), (g) => simulate(uniformDraws(g))),
      { numRuns: 100, endOnFailure: true },
    );
  });
});

/**
 * The world: Node objects in the API server (`truth`), the operator's informer
 * cache lagging behind it, the operator's pending writes, agents and hook
 * controllers acting on the truth, and a clock.
 */
function simulate(random: () => number): void {
  const count = 3 + Math.floor(random() * 25);
  const limit = 1 + Math.floor(random() * 5);
  const releaseFailed = random() < 0.5;
  const beforeHooks = random() < 0.3 ? [HOOK_BEFORE] : [];
  const afterHooks = random() < 0.3 ? [HOOK_AFTER] : [];
  let now = T0;
  let windowOpen = true;
  const policy = () =>
    aRolloutPolicy({
      maxUnavailable: limit,
      beforeRebootHooks: beforeHooks,
      afterRebootHooks: afterHooks,
      onRebootTimeout: releaseFailed ? 'ReleaseSlot' : 'HoldSlot',
      window: { open: windowOpen },
      rebootTimeoutMs: 90 * MINUTE,
      drainRetryMaxDelayMs: 2 * MINUTE,
    });

  let version = 1;
  const truth = new Map<string, NodeState>();
  for (let index = 0; index < count; index += 1) {
    const name = `n${String(index).padStart(2, '0')}`;
    truth.set(
      name,
      aNode({ name, resourceVersion: String(version++), annotations: { [ANNOTATIONS.rebootNeeded]: TRUE } }),
    );
  }
  const cache = new Map(truth);
  const pending = new Map<string, PendingWrite>();
  /** As the controller keeps it: when the informer first showed each node needing a reboot. */
  const since = new Map<string, number>();
  /** Nodes whose agent gave up draining (they stay up but never drain again in this run) and nodes that never come back. */
  const stubborn = new Set<string>();
  const lost = new Set<string>();
  for (const name of truth.keys()) {
    if (random() < 0.05) stubborn.add(name);
    // A node that never comes back holds its slot for good (down, or HoldSlot): at most limit - 1 of them, so the rest can finish.
    else if (random() < 0.03 && lost.size < limit - 1) lost.add(name);
  }

  const write = (name: string, update: (node: NodeState) => NodeState): void => {
    const node = truth.get(name);
    if (node !== undefined) truth.set(name, { ...update(node), resourceVersion: String(version++) });
  };

  const operatorRound = (): void => {
    const plan = planRollout({
      policy: policy(),
      otherPolicies: [],
      nodes: [...cache.values()],
      now,
      pendingWrites: pending,
      rebootNeededSince: since,
    });
    const writes = writesOf(plan.actions);
    const grants = writes.filter((change) => change.takesSlot).length;
    let failedFirstStage = 0;
    let granted = 0;
    for (const change of writes) {
      // As the controller does: each first-stage write that failed withholds one grant, the last in the fair order.
      if (change.takesSlot && granted >= grantsAfterFailures(grants, failedFirstStage)) break;
      if (change.takesSlot) granted += 1;
      const current = truth.get(change.node);
      // The API server refuses a write conditioned on a resourceVersion that is no longer current.
      if (current === undefined || current.resourceVersion !== change.basedOn) {
        if (!change.takesSlot) failedFirstStage += 1;
        continue;
      }
      write(change.node, (node) => applyPatch(node, change.patch));
      const previous = pending.get(change.node);
      const merged =
        previous === undefined
          ? change.patch
          : {
              annotations: { ...previous.patch.annotations, ...change.patch.annotations },
              labels: { ...previous.patch.labels, ...change.patch.labels },
            };
      pending.set(change.node, { patch: merged, resourceVersion: truth.get(change.node)?.resourceVersion });
    }
  };

  const agentStep = (name: string): void => {
    const node = truth.get(name);
    if (node === undefined) return;
    const a = node.annotations;
    const ok = a[ANNOTATIONS.rebootOk] === TRUE;
    const needed = a[ANNOTATIONS.rebootNeeded] === TRUE;
    const started = a[ANNOTATIONS.rebootInProgress] === TRUE;
    if (ok && needed && !started && a[ANNOTATIONS.drainFailed] === undefined) {
      write(name, (n) => ({
        ...applyPatch(n, {
          annotations: { [ANNOTATIONS.rebootInProgress]: TRUE, [ANNOTATIONS.agentMadeUnschedulable]: TRUE },
        }),
        unschedulable: true,
      }));
    } else if (started && node.ready && stubborn.has(name)) {
      write(name, (n) => ({
        ...applyPatch(n, {
          annotations: {
            [ANNOTATIONS.rebootInProgress]: null,
            [ANNOTATIONS.agentMadeUnschedulable]: null,
            [ANNOTATIONS.drainFailed]: new Date(now).toISOString(),
          },
        }),
        unschedulable: false,
      }));
    } else if (started && node.ready) {
      write(name, (n) => ({ ...n, ready: false }));
    } else if (started && !node.ready && !lost.has(name)) {
      write(name, (n) => ({
        ...applyPatch(n, {
          annotations: {
            [ANNOTATIONS.rebootInProgress]: null,
            [ANNOTATIONS.rebootNeeded]: 'false',
            [ANNOTATIONS.agentMadeUnschedulable]: null,
          },
        }),
        ready: true,
        unschedulable: false,
      }));
    }
  };

  const hookStep = (name: string): void => {
    const node = truth.get(name);
    if (node === undefined) return;
    if (node.labels[LABELS.beforeReboot] === TRUE)
      write(name, (n) => applyPatch(n, { annotations: { [HOOK_BEFORE]: TRUE } }));
    if (node.labels[LABELS.afterReboot] === TRUE)
      write(name, (n) => applyPatch(n, { annotations: { [HOOK_AFTER]: TRUE } }));
  };

  const observe = (name: string): void => {
    const node = truth.get(name);
    if (node === undefined) return;
    cache.set(name, node);
    if (node.annotations[ANNOTATIONS.rebootNeeded] !== TRUE) since.delete(name);
    else if (!since.has(name)) since.set(name, now);
    const expectation = pending.get(name);
    if (
      expectation !== undefined &&
      (Number(node.resourceVersion) >= Number(expectation.resourceVersion) || patchIsReflected(node, expectation.patch))
    )
      pending.delete(name);
  };

  const names = [...truth.keys()];
  for (let step = 0; step < 2500; step += 1) {
    const roll = random();
    if (roll < 0.25) operatorRound();
    else if (roll < 0.55) agentStep(pick(random, names));
    else if (roll < 0.65) hookStep(pick(random, names));
    else if (roll < 0.9) observe(pick(random, names));
    else if (roll < 0.98) now += Math.floor(random() * 3 * MINUTE);
    else windowOpen = random() < 0.8;

    const nodes = [...truth.values()];
    assert.ok(
      slotsTaken(nodes, releaseFailed) <= limit,
      `step ${step}: ${slotsTaken(nodes, releaseFailed)} slots taken, limit ${limit}`,
    );
    assert.ok(disrupted(nodes) <= limit, `step ${step}: ${disrupted(nodes)} nodes down or cordoned, limit ${limit}`);
  }

  // Then calm: the window opens, every informer catches up, time passes: every node that can finish, finishes.
  windowOpen = true;
  for (let round = 0; round < 12 * count; round += 1) {
    for (const name of names) observe(name);
    operatorRound();
    for (const name of names) {
      hookStep(name);
      agentStep(name);
    }
    now += MINUTE;
  }
  let finished = 0;
  for (const [name, node] of truth) {
    // A node that timed out waits for an administrator, by design; one that never comes back must be among them.
    if (lost.has(name))
      assert.equal(node.annotations[ANNOTATIONS.rebootFailed], TRUE, `lost node ${name} is marked failed`);
    if (stubborn.has(name) || lost.has(name) || node.annotations[ANNOTATIONS.rebootFailed] === TRUE) continue;
    finished += 1;
    assert.notEqual(
      node.annotations[ANNOTATIONS.rebootNeeded],
      TRUE,
      `node ${name} was rebooted: ${JSON.stringify(node)}`,
    );
    assert.equal(node.annotations[ANNOTATIONS.rebootOk], undefined, `node ${name} was cleaned up`);
  }
  assert.ok(finished >= count - stubborn.size - lost.size - 3, `only ${finished} of ${count} nodes finished`);
}
