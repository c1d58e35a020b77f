// decision_latency_seconds measures the decision, not the wait for a slot: the planner's possibleSince as the
// recorder observes it, over a whole simulated rollout of ten waves.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANNOTATIONS, TRUE, updatePolicySchema } from '@strata/api';
import { defaultUpdatePolicy } from '@strata/assets';
import { pino } from 'pino';
import { DecisionRecorder } from './decision-recorder.ts';
import { OperatorMetrics } from './metrics.ts';
import { applyPatch, type NodeState } from './node-state.ts';
import { planRollout, writesOf, type RolloutPlan } from './plan.ts';
import { aRolloutPolicy, needing, T0 } from './test-fixtures.ts';

const WAVE_MS = 30_000;
/** How long after a change the next pass reads the cache, and how long its writes take to land. */
const PASS_DELAY_MS = 40;
const WRITE_MS = 15;

interface Observed {
  readonly count: number;
  /** Observations at or below each bucket's bound, by bound in seconds. */
  readonly atMost: (seconds: number) => number;
}

async function observed(metrics: OperatorMetrics): Promise<Observed> {
  const { values } = await metrics.decisionLatency.get();
  const buckets = values.filter((value) => value.metricName?.endsWith('_bucket') === true);
  const count = values.find((value) => value.metricName?.endsWith('_count') === true)?.value ?? 0;
  return {
    count,
    // prom-client types a histogram's labels without its own `le`.
    atMost: (seconds) =>
      buckets.find((bucket) => Number((bucket.labels as { le?: number | string }).le) === seconds)?.value ?? Number.NaN,
  };
}

/**
 * 20 nodes need their reboot at T0, two slots: ten waves. Each wave's nodes come back WAVE_MS after their grant (the
 * agent cleared reboot-needed); the next pass reads that change PASS_DELAY_MS later, completes them and grants the
 * next two, whose writes land WRITE_MS later. `tellPlanner` says whether the planner learns which nodes waited.
 */
async function rollout(tellPlanner: boolean): Promise<{ observed: Observed; plans: RolloutPlan[] }> {
  const metrics = new OperatorMetrics();
  const recorder = new DecisionRecorder(metrics, () => Promise.resolve(), pino({ level: 'silent' }));
  const policy = updatePolicySchema.parse({
    ...defaultUpdatePolicy({ maxUnavailable: 2 }),
    metadata: { name: 'workers' },
  });
  const view = aRolloutPolicy({ maxUnavailable: 2 });
  let nodes: NodeState[] = Array.from({ length: 20 }, (_, index) => needing(`node-${String(index).padStart(2, '0')}`));
  const rebootNeededSince = new Map(nodes.map((node) => [node.name, T0]));
  const plans: RolloutPlan[] = [];
  let changedAt = T0;
  let previousQueue: ReadonlySet<string> | undefined;
  for (let wave = 0; wave < 12; wave += 1) {
    const now = changedAt + PASS_DELAY_MS;
    const plan = planRollout({
      policy: view,
      otherPolicies: [],
      nodes,
      now,
      rebootNeededSince,
      ...(tellPlanner && previousQueue !== undefined ? { previousQueue, changedAt } : {}),
    });
    plans.push(plan);
    const writes = writesOf(plan.actions);
    for (const write of writes) recorder.written(policy, write, now + WRITE_MS);
    const patches = new Map(writes.map((write) => [write.node, write.patch]));
    nodes = nodes.map((node) => {
      const patch = patches.get(node.name);
      return patch === undefined ? node : applyPatch(node, patch);
    });
    previousQueue = new Set(plan.queue);
    // The granted nodes reboot and come back a wave later: the agent's reset is the change the next pass reads.
    changedAt = now + WAVE_MS;
    nodes = nodes.map((node) =>
      node.annotations[ANNOTATIONS.rebootOk] === TRUE && node.annotations[ANNOTATIONS.rebootNeeded] === TRUE
        ? { ...node, annotations: { ...node.annotations, [ANNOTATIONS.rebootNeeded]: 'false' } }
        : node,
    );
  }
  return { observed: await observed(metrics), plans };
}

describe('decision_latency_seconds', () => {
  it('measures from the change that freed the slot, so a node that waited ten waves observes the pass, not the wait', async () => {
    const { observed: latency, plans } = await rollout(true);
    assert.equal(latency.count, 20, 'every grant is observed once');
    assert.equal(latency.atMost(0.1), 20, 'each from the change that made it possible to its write: 55 ms');
    assert.equal(latency.atMost(0.05), 0, 'and not less: the pass delay and the write are counted');
    const last = plans[9]?.actions.find((action) => action.kind === 'approve');
    assert.equal(last?.since, T0, 'the fair order still counts from reboot-needed');
    assert.equal(last?.possibleSince, T0 + 9 * (WAVE_MS + PASS_DELAY_MS));
  });

  it('counted from reboot-needed without the previous queue: the waits of nine waves in the same rollout', async () => {
    const { observed: latency } = await rollout(false);
    assert.equal(latency.count, 20);
    assert.equal(latency.atMost(0.1), 2, 'only the first wave found its slots free');
    assert.equal(latency.atMost(60), 4, 'the second wave waited one wave of 30 s');
    assert.equal(latency.atMost(300), 20, 'the last waited nine');
  });

  it('counts from reboot-needed when it comes after the slot freed', () => {
    const nodes = [needing('late')];
    const plan = planRollout({
      policy: aRolloutPolicy({ maxUnavailable: 1 }),
      otherPolicies: [],
      nodes,
      now: T0 + 1_000,
      rebootNeededSince: new Map([['late', T0 + 900]]),
      previousQueue: new Set(['late']),
      changedAt: T0 + 500,
    });
    assert.equal(plan.actions[0]?.possibleSince, T0 + 900);
  });

  it('a node not left waiting by the previous pass counts from when it came to need its reboot', () => {
    const plan = planRollout({
      policy: aRolloutPolicy({ maxUnavailable: 1 }),
      otherPolicies: [],
      nodes: [needing('new')],
      now: T0 + 1_000,
      rebootNeededSince: new Map([['new', T0 + 200]]),
      previousQueue: new Set(['someone-else']),
      changedAt: T0 + 800,
    });
    assert.equal(plan.actions[0]?.possibleSince, T0 + 200);
  });
});
