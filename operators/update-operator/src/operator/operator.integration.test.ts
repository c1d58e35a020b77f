// The operator against a real API server. Nodes are bare Node objects and the
// test plays the agents' part by patching them (FakeAgents), which is what
// these tests are about: the operator's decisions, writes, status, Events,
// metrics and leader election. The system tests with simulated nodes and real
// agents come on top of this.
import assert from 'node:assert/strict';
import { before, describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, EventsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { sharedControlPlane, waitFor } from '@strata/harness';
import { mergePatch } from '../drain/kube-api.ts';
import { ANNOTATIONS, LABELS, TRUE } from '@strata/api';
import { EVENT_NAMESPACE } from './events.ts';
import {
  OperatorTestRun,
  type Replica,
  createNode,
  createPolicy,
  deletePolicy,
  FakeAgents,
  installCrd,
  InvariantChecker,
  markRebootNeeded,
  patchPolicySpec,
  readPolicy,
  RUN_LABEL,
  setReady,
} from './integration-fixtures.ts';

let kubeConfig: KubeConfig;

before(async () => {
  const cluster = await sharedControlPlane();
  kubeConfig = cluster.adminKubeConfig();
  await installCrd(kubeConfig);
});

const nodeNames = (prefix: string, count: number): string[] =>
  Array.from({ length: count }, (_, index) => `${prefix}-${index}`);

function allRebooted(checker: InvariantChecker, names: readonly string[]): boolean | undefined {
  const nodes = checker.nodes().filter((node) => names.includes(node.metadata?.name ?? ''));
  const done =
    nodes.length === names.length &&
    nodes.every(
      (node) =>
        node.metadata?.annotations?.[ANNOTATIONS.rebootNeeded] === 'false' &&
        node.metadata.annotations[ANNOTATIONS.rebootOk] === undefined,
    );
  return done ? true : undefined;
}

async function metricsText(replica: Replica): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${replica.running.metricsPort ?? 0}/metrics`);
  return response.text();
}

/** Waits until the policy's condition of `type` is True, and answers it. */
function trueCondition(policy: string, type: 'Blocked' | 'Degraded', timeoutMs = 10_000) {
  return waitFor(
    `${type} on ${policy}`,
    async () =>
      (await readPolicy(kubeConfig, policy)).status?.conditions?.find(
        (condition) => condition.type === type && condition.status === 'True',
      ),
    timeoutMs,
  );
}

async function eventReasons(regardingName: string): Promise<string[]> {
  const { items } = await kubeConfig
    .makeApiClient(EventsV1Api)
    .listNamespacedEvent({ namespace: EVENT_NAMESPACE, fieldSelector: `regarding.name=${regardingName}` });
  return items.map((event) => event.reason ?? '');
}

describe('update operator against a real API server', () => {
  it('grants reboots within maxUnavailable, finishes the rollout, and writes status, conditions, Events and metrics', async (t: TestContext) => {
    const run = new OperatorTestRun(kubeConfig);
    await run.setUp();
    const names = nodeNames(run.id, 6);
    const checker = new InvariantChecker(kubeConfig, run.selector, 2);
    const agents = new FakeAgents(kubeConfig, run.selector, 300);
    try {
      for (const name of names) await createNode(kubeConfig, run.id, name);
      await createPolicy(kubeConfig, run.id, run.id, {
        nodeSelector: { matchLabels: { [RUN_LABEL]: run.id } },
        maxUnavailable: 2,
      });
      const replica = await run.startReplica();
      await run.waitForLeader();
      await checker.start();
      await waitFor(
        'the operator to write the first status',
        async () => ((await readPolicy(kubeConfig, run.id)).status?.nodes?.total === 6 ? true : undefined),
        20_000,
      );

      // The latency of a decision: from reboot-needed to reboot-ok on an idle cluster with free slots.
      const first = names[0] ?? '';
      const asked = performance.now();
      await markRebootNeeded(kubeConfig, first);
      await waitFor(
        'the first node to be approved',
        () =>
          checker.nodes().find((node) => node.metadata?.name === first)?.metadata?.annotations?.[
            ANNOTATIONS.rebootOk
          ] === TRUE
            ? true
            : undefined,
        10_000,
      );
      const latencyMs = performance.now() - asked;
      t.diagnostic(`decision latency (reboot-needed written -> reboot-ok seen by a watch): ${latencyMs.toFixed(0)} ms`);

      await agents.start();
      for (const name of names.slice(1)) await markRebootNeeded(kubeConfig, name);
      await waitFor('every node to be rebooted and cleared', () => allRebooted(checker, names), 60_000);

      assert.deepEqual(checker.violations, []);
      assert.equal(checker.maxSlots, 2, 'two nodes rebooted at once, never more');

      const policy = await waitFor(
        'the status to show the finished rollout',
        async () => {
          const current = await readPolicy(kubeConfig, run.id);
          return current.status?.nodes?.idle === 6 ? current : undefined;
        },
        10_000,
      );
      const status = policy.status;
      assert.ok(status);
      assert.equal(status.observedGeneration, 1);
      assert.equal(status.inProgressCount, 0);
      assert.ok((status.lastTransitions ?? []).length > 0, 'phase changes are recorded');
      const condition = (type: string) => status.conditions?.find((candidate) => candidate.type === type);
      assert.equal(condition('Progressing')?.status, 'False');
      assert.equal(condition('Progressing')?.reason, 'Idle');
      assert.equal(condition('Blocked')?.status, 'False');
      assert.equal(condition('Degraded')?.status, 'False');

      const reasons = await eventReasons(first);
      assert.ok(reasons.includes('RebootApproved'), `events of ${first}: ${reasons.join(', ')}`);
      assert.ok(reasons.includes('RebootCompleted'), `events of ${first}: ${reasons.join(', ')}`);

      const metrics = await metricsText(replica);
      assert.match(
        metrics,
        new RegExp(`strata_update_operator_reboots_started_total\\{policy="${run.id}",source="agent"\\} 6`),
      );
      assert.match(metrics, new RegExp(`strata_update_operator_reboots_completed_total\\{policy="${run.id}"\\} 6`));
      assert.match(metrics, new RegExp(`strata_update_operator_nodes\\{policy="${run.id}",phase="idle"\\} 6`));
      assert.match(metrics, /strata_update_operator_leader 1/);
      const latency = /strata_update_operator_decision_latency_seconds_sum\{policy="[^"]+"\} ([\d.e-]+)/.exec(metrics);
      t.diagnostic(
        `decision latency histogram sum over 6 grants (each from the change that made it possible): ${latency?.[1] ?? '?'} s`,
      );
    } finally {
      await agents.stop();
      await checker.stop();
      await run.tearDown();
    }
  });

  it('starts nothing while paused, says so in a Blocked condition and an Event, and goes on once resumed', async () => {
    const run = new OperatorTestRun(kubeConfig);
    await run.setUp();
    const names = nodeNames(run.id, 2);
    try {
      for (const name of names) await createNode(kubeConfig, run.id, name);
      await createPolicy(kubeConfig, run.id, run.id, {
        nodeSelector: { matchLabels: { [RUN_LABEL]: run.id } },
        paused: true,
      });
      await run.startReplica();
      await run.waitForLeader();
      for (const name of names) await markRebootNeeded(kubeConfig, name);
      const blocked = await trueCondition(run.id, 'Blocked', 20_000);
      assert.equal(blocked.reason, 'Paused');
      await waitFor(
        'an Event on the policy',
        async () => ((await eventReasons(run.id)).includes('Paused') ? true : undefined),
        10_000,
      );
      const core = kubeConfig.makeApiClient(CoreV1Api);
      for (const name of names)
        assert.equal(
          (await core.readNode({ name })).metadata?.annotations?.[ANNOTATIONS.rebootOk],
          undefined,
          `${name} is not approved while paused`,
        );

      await patchPolicySpec(kubeConfig, run.id, { paused: false });
      await waitFor(
        'one node to be approved once resumed',
        async () => {
          const approved = await Promise.all(
            names.map(
              async (name) => (await core.readNode({ name })).metadata?.annotations?.[ANNOTATIONS.rebootOk] === TRUE,
            ),
          );
          return approved.filter(Boolean).length === 1 ? true : undefined;
        },
        10_000,
      );
    } finally {
      await run.tearDown();
    }
  });

  it('holds a node at its before-reboot hook with a visible reason, and approves it once the hook says "true"', async () => {
    const run = new OperatorTestRun(kubeConfig);
    await run.setUp();
    const [name = ''] = nodeNames(run.id, 1);
    const hook = 'example.com/backup-done';
    const core = kubeConfig.makeApiClient(CoreV1Api);
    try {
      await createNode(kubeConfig, run.id, name);
      await createPolicy(kubeConfig, run.id, run.id, {
        nodeSelector: { matchLabels: { [RUN_LABEL]: run.id } },
        hooks: { beforeReboot: [hook] },
      });
      await run.startReplica();
      await run.waitForLeader();
      await markRebootNeeded(kubeConfig, name);
      await waitFor(
        'the before-reboot label',
        async () =>
          (await core.readNode({ name })).metadata?.labels?.[LABELS.beforeReboot] === TRUE ? true : undefined,
        10_000,
      );
      const blocked = await waitFor(
        'Blocked: HooksPending',
        async () =>
          (await readPolicy(kubeConfig, run.id)).status?.conditions?.find(
            (condition) => condition.type === 'Blocked' && condition.status === 'True',
          ),
        10_000,
      );
      assert.equal(blocked.reason, 'HooksPending');
      assert.match(blocked.message, new RegExp(hook));
      assert.equal((await core.readNode({ name })).metadata?.annotations?.[ANNOTATIONS.rebootOk], undefined);

      await core.patchNode({ name, body: { metadata: { annotations: { [hook]: TRUE } } } }, mergePatch());
      const approved = await waitFor(
        'the approval',
        async () => {
          const node = await core.readNode({ name });
          return node.metadata?.annotations?.[ANNOTATIONS.rebootOk] === TRUE ? node : undefined;
        },
        10_000,
      );
      assert.equal(approved.metadata?.labels?.[LABELS.beforeReboot], undefined);
      assert.equal(
        approved.metadata?.annotations?.[hook],
        undefined,
        'the hook annotation is reset for the next reboot',
      );
    } finally {
      await run.tearDown();
    }
  });

  it('starts nothing outside the reboot windows and names the next opening', async () => {
    const run = new OperatorTestRun(kubeConfig);
    await run.setUp();
    const [name = ''] = nodeNames(run.id, 1);
    // A one-hour window three days from now: closed for the whole test.
    const later = new Date(Date.now() + 3 * 86_400_000);
    const day = (['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const)[later.getUTCDay()] ?? 'Sun';
    try {
      await createNode(kubeConfig, run.id, name);
      await createPolicy(kubeConfig, run.id, run.id, {
        nodeSelector: { matchLabels: { [RUN_LABEL]: run.id } },
        rebootWindows: [{ days: [day], start: '12:00', duration: '1h', timeZone: 'UTC' }],
      });
      await run.startReplica();
      await run.waitForLeader();
      await markRebootNeeded(kubeConfig, name);
      const blocked = await waitFor(
        'Blocked: WindowClosed',
        async () =>
          (await readPolicy(kubeConfig, run.id)).status?.conditions?.find(
            (condition) => condition.type === 'Blocked' && condition.status === 'True',
          ),
        10_000,
      );
      assert.equal(blocked.reason, 'WindowClosed');
      assert.match(blocked.message, /next opens at \d{4}-\d{2}-\d{2}T12:00:00Z/);
      assert.equal(
        (await kubeConfig.makeApiClient(CoreV1Api).readNode({ name })).metadata?.annotations?.[ANNOTATIONS.rebootOk],
        undefined,
      );
    } finally {
      await run.tearDown();
    }
  });

  it('marks a node that does not come back within rebootTimeout failed, on a timer alone, with a Warning Event and Degraded', async () => {
    const run = new OperatorTestRun(kubeConfig);
    await run.setUp();
    const [name = ''] = nodeNames(run.id, 1);
    try {
      await createNode(kubeConfig, run.id, name);
      await createPolicy(kubeConfig, run.id, run.id, {
        nodeSelector: { matchLabels: { [RUN_LABEL]: run.id } },
        rebootTimeout: { duration: '2s' },
      });
      await run.startReplica();
      await run.waitForLeader();
      await markRebootNeeded(kubeConfig, name);
      // Nobody plays the agent: the node is approved and then nothing about it changes.
      const failed = await waitFor(
        'reboot-failed',
        async () => {
          const node = await kubeConfig.makeApiClient(CoreV1Api).readNode({ name });
          return node.metadata?.annotations?.[ANNOTATIONS.rebootFailed] === TRUE ? node : undefined;
        },
        10_000,
      );
      assert.equal(failed.metadata?.annotations?.[ANNOTATIONS.rebootOk], TRUE, 'HoldSlot keeps the slot');
      const degraded = await trueCondition(run.id, 'Degraded');
      assert.equal(degraded.reason, 'RebootTimedOut');
      await waitFor(
        'the RebootTimedOut Event',
        async () => ((await eventReasons(name)).includes('RebootTimedOut') ? true : undefined),
        10_000,
      );
    } finally {
      await run.tearDown();
    }
  });

  it('marks a node that rolled back failed, with a Warning Event, Degraded and the metric, and does not grant it again', async () => {
    const run = new OperatorTestRun(kubeConfig);
    await run.setUp();
    const [name = '', other = ''] = nodeNames(run.id, 2);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const annotationsOf = async (node: string) => (await core.readNode({ name: node })).metadata?.annotations ?? {};
    try {
      await createNode(kubeConfig, run.id, name);
      await createNode(kubeConfig, run.id, other);
      await createPolicy(kubeConfig, run.id, run.id, {
        nodeSelector: { matchLabels: { [RUN_LABEL]: run.id } },
        maxUnavailable: 1,
      });
      const replica = await run.startReplica();
      await run.waitForLeader();
      await markRebootNeeded(kubeConfig, name);
      await waitFor(
        'reboot-ok',
        async () => ((await annotationsOf(name))[ANNOTATIONS.rebootOk] === TRUE ? true : undefined),
        10_000,
      );
      // The agent's write after the reboot: the machine came back on its old version.
      await core.patchNode(
        {
          name,
          body: {
            metadata: {
              annotations: {
                [ANNOTATIONS.rebootNeeded]: 'false',
                [ANNOTATIONS.rebootInProgress]: 'false',
                [ANNOTATIONS.rolledBack]: '4230.2.4',
              },
              labels: { [LABELS.rebootNeeded]: 'false' },
            },
          },
        },
        mergePatch(),
      );
      const marked = await waitFor(
        'reboot-failed',
        async () => {
          const annotations = await annotationsOf(name);
          return annotations[ANNOTATIONS.rebootFailed] === TRUE ? annotations : undefined;
        },
        10_000,
      );
      assert.equal(marked[ANNOTATIONS.rebootOk], undefined, 'the grant is consumed');
      const degraded = await trueCondition(run.id, 'Degraded');
      assert.equal(degraded.reason, 'RebootRolledBack');
      assert.match(degraded.message, new RegExp(`${name} \\(from 4230\\.2\\.4\\) rolled back`));
      await waitFor(
        'the RebootRolledBack Event',
        async () => ((await eventReasons(name)).includes('RebootRolledBack') ? true : undefined),
        10_000,
      );
      assert.match(
        await metricsText(replica),
        new RegExp(`strata_update_operator_reboots_failed_total\\{policy="${run.id}",cause="rollback"\\} 1`),
      );

      // The agent stages the same version again, then the other node needs a reboot too (the informer delivers them
      // in that order): the failed node holds the one slot (HoldSlot), is no candidate itself, and the other waits.
      await markRebootNeeded(kubeConfig, name);
      await markRebootNeeded(kubeConfig, other);
      const blocked = await trueCondition(run.id, 'Blocked');
      assert.match(blocked.message, new RegExp(`1 already are \\(${name}\\).*; 1 node\\(s\\) wait for a reboot`));
      assert.equal(blocked.reason, 'BudgetExhausted');
      assert.equal((await annotationsOf(name))[ANNOTATIONS.rebootOk], undefined, 'no second grant');
      assert.equal((await annotationsOf(other))[ANNOTATIONS.rebootOk], undefined, 'the failure fills the budget');
    } finally {
      await run.tearDown();
    }
  });

  it('clears reboot-ok of a node whose UpdatePolicy was deleted while it rebooted, once it is back', async () => {
    const run = new OperatorTestRun(kubeConfig);
    await run.setUp();
    const [name = ''] = nodeNames(run.id, 1);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const checker = new InvariantChecker(kubeConfig, run.selector, 1);
    const annotationsOf = () => checker.nodes().find((node) => node.metadata?.name === name)?.metadata?.annotations;
    try {
      await createNode(kubeConfig, run.id, name);
      await createPolicy(kubeConfig, run.id, run.id, { nodeSelector: { matchLabels: { [RUN_LABEL]: run.id } } });
      const replica = await run.startReplica();
      await run.waitForLeader();
      await checker.start();
      await markRebootNeeded(kubeConfig, name);
      await waitFor(
        'the node to be approved',
        () => (annotationsOf()?.[ANNOTATIONS.rebootOk] === TRUE ? true : undefined),
        20_000,
      );

      // The agent's part: the reboot starts and the node goes down.
      await core.patchNode(
        { name, body: { metadata: { annotations: { [ANNOTATIONS.rebootInProgress]: TRUE } } } },
        mergePatch(),
      );
      await setReady(kubeConfig, name, false);
      // The operator's per-policy node gauges name the policy until it sees the policy gone: the node must come
      // back only after that, or the policy's own reconcile would clear it.
      const policySeries = `strata_update_operator_nodes{policy="${run.id}"`;
      await waitFor(
        'the policy in the metrics',
        async () => ((await metricsText(replica)).includes(policySeries) ? true : undefined),
        10_000,
      );
      await deletePolicy(kubeConfig, run.id);
      await waitFor(
        'the operator to forget the deleted policy',
        async () => ((await metricsText(replica)).includes(policySeries) ? undefined : true),
        10_000,
      );
      assert.equal(annotationsOf()?.[ANNOTATIONS.rebootOk], TRUE, 'a node still rebooting keeps its grant');

      // Back: Ready, the update applied, the reboot over.
      await setReady(kubeConfig, name, true);
      await core.patchNode(
        {
          name,
          body: {
            metadata: {
              annotations: { [ANNOTATIONS.rebootNeeded]: 'false', [ANNOTATIONS.rebootInProgress]: null },
              labels: { [LABELS.rebootNeeded]: null },
            },
          },
        },
        mergePatch(),
      );
      await waitFor(
        'reboot-ok and the grant to be cleared though no policy selects the node',
        () => {
          const annotations = annotationsOf();
          return annotations !== undefined &&
            annotations[ANNOTATIONS.rebootOk] === undefined &&
            annotations[ANNOTATIONS.rebootGrantedAt] === undefined &&
            annotations[ANNOTATIONS.policy] === undefined
            ? true
            : undefined;
        },
        20_000,
      );
      assert.deepEqual(checker.violations, []);
    } finally {
      await checker.stop();
      await run.tearDown();
    }
  });

  it('keeps the fair order across a leader failover: waiting nodes keep their places instead of going by name', async () => {
    const run = new OperatorTestRun(kubeConfig);
    await run.setUp();
    // Named so that the order by name is the reverse of the order in which they come to need a reboot.
    const names = nodeNames(run.id, 5).reverse();
    const checker = new InvariantChecker(kubeConfig, run.selector, 1);
    const agents = new FakeAgents(kubeConfig, run.selector, 300);
    try {
      for (const name of names) await createNode(kubeConfig, run.id, name);
      await createPolicy(kubeConfig, run.id, run.id, {
        nodeSelector: { matchLabels: { [RUN_LABEL]: run.id } },
        maxUnavailable: 1,
      });
      const first = await run.startReplica();
      await run.waitForLeader();
      await checker.start();
      for (const [index, name] of names.entries()) {
        await markRebootNeeded(kubeConfig, name);
        await waitFor(
          `the leader to see ${name} need a reboot`,
          async () => {
            const counts = (await readPolicy(kubeConfig, run.id)).status?.nodes;
            return counts !== undefined && counts.approved + counts.rebootNeeded === index + 1 ? true : undefined;
          },
          10_000,
        );
      }
      const [head = '', ...waiting] = names;
      const status = await waitFor(
        'the first in line approved and the others queued in the order they asked',
        async () => {
          const current = (await readPolicy(kubeConfig, run.id)).status;
          return current?.inProgress?.join() === head && current.queue?.join() === waiting.join() ? current : undefined;
        },
        10_000,
      );
      assert.deepEqual(status.queue, waiting);

      // The leader hands over to a replica that has seen none of it; only then do the reboots go on.
      await run.startReplica();
      await run.stopReplica(first);
      await run.waitForLeader();
      await agents.start();
      const granted: string[] = [];
      await waitFor(
        'every node to reboot',
        () => {
          for (const node of checker.nodes()) {
            const name = node.metadata?.name ?? '';
            if (node.metadata?.annotations?.[ANNOTATIONS.rebootOk] === TRUE && !granted.includes(name))
              granted.push(name);
          }
          return allRebooted(checker, names);
        },
        60_000,
      );
      assert.deepEqual(granted, names, 'grants in the order the nodes came to need their reboots');
      assert.deepEqual(checker.violations, []);
    } finally {
      await agents.stop();
      await checker.stop();
      await run.tearDown();
    }
  });

  it('reboots the node the leader runs on after every other node of the policy, though it asked first', async () => {
    // The 1000-node benchmark's leaders ran on workers, and each was drained with the wave that took its node:
    // leadership changed in the middle of the rollout with no fault injected (ADR 0075).
    const run = new OperatorTestRun(kubeConfig);
    await run.setUp();
    const names = nodeNames(run.id, 4);
    const own = names[0] ?? '';
    const checker = new InvariantChecker(kubeConfig, run.selector, 1);
    const agents = new FakeAgents(kubeConfig, run.selector, 500);
    try {
      for (const name of names) await createNode(kubeConfig, run.id, name);
      // Paused until all four wait, so that they are all in line when the first slot is handed out.
      await createPolicy(kubeConfig, run.id, run.id, {
        nodeSelector: { matchLabels: { [RUN_LABEL]: run.id } },
        maxUnavailable: 1,
        paused: true,
      });
      await run.startReplica(undefined, own);
      await run.waitForLeader();
      await checker.start();
      // Its own node first in line: oldest, and first by name.
      for (const name of names) await markRebootNeeded(kubeConfig, name);
      const queue = await waitFor(
        'all four in line',
        async () => {
          const line = (await readPolicy(kubeConfig, run.id)).status?.queue ?? [];
          return line.length === 4 ? line : undefined;
        },
        10_000,
      );
      assert.equal(queue.at(-1), own, 'the status shows it last in line');
      await patchPolicySpec(kubeConfig, run.id, { paused: false });
      const granted: string[] = [];
      const noteGrants = (): void => {
        for (const node of checker.nodes()) {
          const name = node.metadata?.name ?? '';
          if (node.metadata?.annotations?.[ANNOTATIONS.rebootOk] === TRUE && !granted.includes(name))
            granted.push(name);
        }
      };
      await waitFor(
        'the first grant',
        () => {
          noteGrants();
          return granted.length > 0 ? true : undefined;
        },
        10_000,
      );
      assert.deepEqual(granted, [names[1]], 'the next oldest goes first, not the leader’s own node');
      await agents.start();
      await waitFor(
        'every node to be rebooted and cleared',
        () => {
          noteGrants();
          return allRebooted(checker, names);
        },
        60_000,
      );
      assert.deepEqual(granted, [...names.slice(1), own]);
      assert.deepEqual(checker.violations, []);
    } finally {
      await agents.stop();
      await checker.stop();
      await run.tearDown();
    }
  });

  it('survives repeated leader failovers between in-process replicas without ever exceeding the budget', async (t: TestContext) => {
    const run = new OperatorTestRun(kubeConfig);
    await run.setUp();
    const names = nodeNames(run.id, 12);
    const checker = new InvariantChecker(kubeConfig, run.selector, 3);
    const agents = new FakeAgents(kubeConfig, run.selector, 1500);
    try {
      for (const name of names) await createNode(kubeConfig, run.id, name);
      await createPolicy(kubeConfig, run.id, run.id, {
        nodeSelector: { matchLabels: { [RUN_LABEL]: run.id } },
        maxUnavailable: 3,
      });
      await run.startReplica();
      await run.startReplica();
      await run.waitForLeader();
      await checker.start();
      await agents.start();
      for (const name of names) await markRebootNeeded(kubeConfig, name);

      let failovers = 0;
      const deadline = Date.now() + 90_000;
      while (allRebooted(checker, names) === undefined && Date.now() < deadline) {
        await sleep(1000);
        if (failovers >= 6) continue;
        const leader = run.leader();
        if (leader === undefined) continue;
        // The leader steps down (as on SIGTERM); a fresh replica takes its place as the standby.
        await run.stopReplica(leader);
        failovers += 1;
        await run.startReplica();
      }
      t.diagnostic(`leader failovers during the rollout: ${failovers}`);
      assert.equal(allRebooted(checker, names), true, 'the rollout completed');
      assert.ok(failovers >= 3, `at least 3 failovers happened during the rollout (${failovers})`);
      assert.deepEqual(checker.violations, []);
      assert.ok(checker.maxSlots <= 3);
    } finally {
      await agents.stop();
      await checker.stop();
      await run.tearDown();
    }
  });
});
