// The update operator's rollout on a real local cluster of 50 simulated
// Flatcar workers (plus the controller): the bootstrap manifests install the
// operator (two replicas, leader election) and its agents (one per node), the
// test offers an update to every machine, and a watch on every Node checks
// for the whole run that no more than maxUnavailable nodes are ever down.
// Run under `flock /tmp/strata-local-cluster.lock`: local clusters use fixed
// loopback addresses.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Node } from '@kubernetes/client-node';
import { BudgetInvariant } from './invariant.ts';
import { FAST_UPDATE_TIMINGS } from '@strata/platform-local/testing';
import { countBoots, DEFAULT_POLICY, isDoneOn, RolloutCluster } from './rollout-cluster.ts';

const WORKERS = 50;
const MAX_UNAVAILABLE = 5;
/** Long enough for kills of the leader to land in the middle of a rollout; short enough for CI. */
const REBOOT_MS = 4_000;
const FAST_UPDATES = FAST_UPDATE_TIMINGS;
const LEADER_KILLS = 10;
/** A kill each time this many more nodes are done: the tenth lands with about 70% of the nodes done. */
const NODES_PER_KILL = 4;

const log = (line: string): void => {
  process.stderr.write(`# ${line}\n`);
};

let rollout: RolloutCluster;

before(
  async () => {
    const started = performance.now();
    rollout = await RolloutCluster.start({ workers: WORKERS, os: { rebootDelayMs: REBOOT_MS, timings: FAST_UPDATES } });
    log(
      `cluster of ${rollout.nodeNames().length} nodes with the update operator up in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    await rollout.patchPolicy(DEFAULT_POLICY, { maxUnavailable: MAX_UNAVAILABLE });
  },
  { timeout: 240_000 },
);

after(async () => {
  await rollout?.destroy();
});

describe(`a rollout over ${WORKERS} workers with maxUnavailable ${MAX_UNAVAILABLE}`, () => {
  it(
    'brings every node to the new version, each rebooted once, never more than maxUnavailable down at once',
    { timeout: 240_000 },
    async () => {
      const version = '4230.2.4';
      const nodes = rollout.nodeNames();
      const invariant = new BudgetInvariant(rollout.nodes, { maxUnavailable: MAX_UNAVAILABLE });
      const boots = countBoots(rollout, nodes);
      const started = performance.now();

      await rollout.offerUpdate(version);
      // Scraped while the rollout runs: the leader reboots its own node last (ADR 0075), so the replica that made
      // the grants is replaced at the end when its node is in the policy.
      const decidedPattern = /strata_update_operator_decision_latency_seconds_count\{policy="default"\} [1-9]\d*/;
      await rollout.waitFor(
        'the leading replica to have measured its decisions',
        async () => {
          const metrics = await rollout.operatorMetrics().catch(() => new Map<string, string>());
          return [...metrics.values()].some((text) => decidedPattern.test(text)) ? true : undefined;
        },
        100_000,
      );
      await rollout.waitForVersion(version, nodes, 200_000);
      log(
        `rolled ${nodes.length} nodes out in ${((performance.now() - started) / 1000).toFixed(1)} s; ${invariant.summary()}`,
      );
      invariant.stop();
      boots.stop();

      invariant.assertHeld();
      assert.equal(
        invariant.maxSeen,
        MAX_UNAVAILABLE,
        'the operator used its whole budget: several nodes rebooted at once',
      );
      assert.deepEqual(boots.notOnce(), [], 'every node rebooted exactly once');
      const status = await rollout.waitFor(
        'the policy status to show every node idle',
        async () => {
          const current = (await rollout.readPolicy()).status;
          return current?.nodes?.idle === nodes.length ? current : undefined;
        },
        30_000,
      );
      assert.equal(status.nodes?.total, nodes.length);
      assert.deepEqual(status.inProgress ?? [], []);
      assert.equal(status.conditions?.find((condition) => condition.type === 'Progressing')?.reason, 'Idle');
    },
  );

  it(
    `completes again while the leader is killed at random moments (${LEADER_KILLS} times), within the budget`,
    { timeout: 240_000 },
    async () => {
      // Failover in seconds rather than client-go's 15 s, so that the kills fit in one rollout.
      await rollout.tuneOperator([
        '--leader-elect-lease-duration=2s',
        '--leader-elect-renew-deadline=1500ms',
        '--leader-elect-retry-period=300ms',
      ]);
      const version = '4230.2.5';
      const nodes = rollout.nodeNames();
      const invariant = new BudgetInvariant(rollout.nodes, { maxUnavailable: MAX_UNAVAILABLE });
      const boots = countBoots(rollout, nodes);
      const doneCount = (all: readonly V1Node[]): number => all.filter((node) => isDoneOn(node, version)).length;
      const started = performance.now();

      await rollout.offerUpdate(version);
      const killed: string[] = [];
      let lastLeader: string | undefined;
      while (killed.length < LEADER_KILLS) {
        // Spread over the rollout: the next kill once a few more nodes are done, at a random moment of the leader's term.
        const threshold = killed.length * NODES_PER_KILL;
        await rollout.nodes.until(
          `${threshold} nodes done`,
          (all) => (doneCount(all) >= threshold ? true : undefined),
          120_000,
        );
        lastLeader = await rollout.waitFor(
          'a new leader',
          async () => {
            const pod = await rollout.leaderPod();
            const name = pod?.metadata?.name;
            return name !== undefined &&
              name !== lastLeader &&
              /^strata:\/\/\d+$/.test(pod?.status?.containerStatuses?.[0]?.containerID ?? '')
              ? name
              : undefined;
          },
          60_000,
        );
        await sleep(Math.random() * 1_500);
        const done = doneCount(rollout.nodes.list());
        assert.ok(done < nodes.length, `the rollout finished before kill ${killed.length + 1}`);
        // The leader may have changed meanwhile (a drain evicts operator pods too): kill whoever leads now, if anyone.
        const victim = await rollout.killLeader();
        if (victim !== undefined)
          killed.push(`${victim} at ${((performance.now() - started) / 1000).toFixed(1)} s (${done} done)`);
      }
      await rollout.waitForVersion(version, nodes, 200_000);
      log(
        `rolled ${nodes.length} nodes out in ${((performance.now() - started) / 1000).toFixed(1)} s, killing the leader ${killed.length} times (${killed.join('; ')}); ${invariant.summary()}`,
      );
      invariant.stop();
      boots.stop();

      invariant.assertHeld();
      assert.equal(killed.length, LEADER_KILLS);
      assert.deepEqual(boots.notOnce(), [], 'every node rebooted exactly once');
    },
  );
});
