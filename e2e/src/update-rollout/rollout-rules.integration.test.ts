// The update operator's rules and its faults on a small local cluster (5
// Flatcar workers, a Fedora CoreOS worker for FleetLock, and the controller), one scenario after the other, each on fresh
// updates offered to the nodes it needs: agents killed mid-drain and
// mid-reboot, a node that never comes back, drains blocked by a
// PodDisruptionBudget, pause, hooks that stay false, overlapping policies, a
// FleetLock (Fedora CoreOS) node sharing the budget with agent-driven nodes,
// and, alongside all of them, a reboot window that is closed at first and
// opens during the run. Run under `flock /tmp/strata-local-cluster.lock`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Node } from '@kubernetes/client-node';
import { PolicyV1Api } from '@kubernetes/client-node';
import { ANNOTATIONS, LABELS, TRUE, zincatiClientId } from '@strata/update-operator';
import { ZincatiClient, type FleetLockReply } from './fleetlock-client.ts';
import { BudgetInvariant } from './invariant.ts';
import {
  countBoots,
  DEFAULT_POLICY,
  describeNode,
  isDoneOn,
  isReady,
  nodeName,
  RolloutCluster,
} from './rollout-cluster.ts';

const WORKERS = 5;
/** One more worker, after the Flatcar ones, boots Fedora CoreOS: the FleetLock scenario's Zincati node. */
const ZINCATI_WORKER = WORKERS;
/** A node label that keeps the window scenario's node out of the default policy. */
const SCENARIO_LABEL = 'e2e.strata.dev/policy';
const WINDOWED_POLICY = 'windowed';
const BEFORE_HOOK = 'e2e.strata.dev/before-reboot-check';
const AFTER_HOOK = 'e2e.strata.dev/after-reboot-check';
/** How long "nothing happens" is watched for. */
const QUIET_MS = 3_000;

const log = (line: string): void => {
  process.stderr.write(`# ${line}\n`);
};

let rollout: RolloutCluster;
let policyApi: PolicyV1Api;
let workers: string[];
let nextPatch = 4;
/** A version newer than every one offered so far (nodes boot 4230.2.3). */
const nextVersion = (): string => `4230.2.${nextPatch++}`;

const annotations = (name: string): Record<string, string> => rollout.nodes.get(name)?.metadata?.annotations ?? {};
const labels = (name: string): Record<string, string> => rollout.nodes.get(name)?.metadata?.labels ?? {};
const find = (nodes: readonly V1Node[], name: string): V1Node | undefined =>
  nodes.find((node) => nodeName(node) === name);
/** Nothing of a reboot has started on the node: no grant, no hook request, not cordoned. */
const untouched = (node: V1Node | undefined): boolean =>
  node !== undefined &&
  node.metadata?.annotations?.[ANNOTATIONS.rebootOk] === undefined &&
  node.metadata?.labels?.[LABELS.beforeReboot] === undefined &&
  node.spec?.unschedulable !== true;
const inDefaultPolicy = (node: V1Node): boolean => node.metadata?.labels?.[SCENARIO_LABEL] === undefined;

async function waitForNode(
  name: string,
  what: string,
  holds: (node: V1Node) => boolean,
  timeoutMs = 30_000,
): Promise<V1Node> {
  return rollout.nodes.until(
    `${name}: ${what}`,
    (nodes) => {
      const node = find(nodes, name);
      return node !== undefined && holds(node) ? node : undefined;
    },
    timeoutMs,
    (nodes) => {
      const node = find(nodes, name);
      return node === undefined ? 'no such node' : describeNode(node);
    },
  );
}

/** The agent reported the staged update (or the node is already through with it: a fast rollout may not wait for the test). */
const stagedOrDone = (version: string) => (node: V1Node) =>
  (node.metadata?.annotations?.[ANNOTATIONS.rebootNeeded] === TRUE &&
    node.metadata.annotations[ANNOTATIONS.newVersion] === version) ||
  node.metadata?.labels?.[LABELS.version] === version;

/** One offer at a time: every machine's update engine checks the one update source, a moment after it is told to. */
let offering: Promise<unknown> = Promise.resolve();

/** Offers a new version to `nodes` and waits until their agents report that they need a reboot. */
function stageUpdate(nodes: readonly string[]): Promise<string> {
  const staged = offering.then(async () => {
    const version = nextVersion();
    await rollout.offerUpdate(version, nodes);
    await Promise.all(nodes.map((name) => waitForNode(name, `needs a reboot into ${version}`, stagedOrDone(version))));
    return version;
  });
  offering = staged.catch(() => undefined);
  return staged;
}

/** A one-replica Deployment pinned to `node`, guarded by a PodDisruptionBudget that allows no eviction. */
async function guardedWorkload(
  node: string,
  name: string,
): Promise<{ podUid: string; removeBudget: () => Promise<void>; remove: () => Promise<void> }> {
  const selector = { app: name };
  await rollout.apps.createNamespacedDeployment({
    namespace: 'default',
    body: {
      metadata: { name },
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: selector },
          spec: {
            nodeSelector: { 'kubernetes.io/hostname': node },
            terminationGracePeriodSeconds: 1,
            containers: [{ name: 'app', image: 'registry.example/app:1' }],
          },
        },
      },
    },
  });
  await policyApi.createNamespacedPodDisruptionBudget({
    namespace: 'default',
    body: { metadata: { name }, spec: { minAvailable: 1, selector: { matchLabels: selector } } },
  });
  const pod = await rollout.waitFor(`the pod of ${name} ready on ${node}`, async () => {
    const { items } = await rollout.core.listNamespacedPod({ namespace: 'default', labelSelector: `app=${name}` });
    return items.find(
      (candidate) =>
        candidate.spec?.nodeName === node &&
        candidate.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
  });
  // The PDB controller must have counted the pod, or the eviction would not be refused.
  await rollout.waitFor(`PodDisruptionBudget ${name} to count its pod`, async () => {
    const budget = await policyApi.readNamespacedPodDisruptionBudget({ name, namespace: 'default' });
    return budget.status?.currentHealthy === 1 && budget.status.disruptionsAllowed === 0 ? true : undefined;
  });
  const removeBudget = async (): Promise<void> => {
    await policyApi.deleteNamespacedPodDisruptionBudget({ name, namespace: 'default' }).catch(() => undefined);
  };
  return {
    podUid: pod.metadata?.uid ?? '',
    removeBudget,
    remove: async () => {
      await removeBudget();
      await rollout.apps.deleteNamespacedDeployment({ name, namespace: 'default' });
    },
  };
}

async function podExists(uid: string): Promise<boolean> {
  const { items } = await rollout.core.listNamespacedPod({ namespace: 'default' });
  return items.some((pod) => pod.metadata?.uid === uid && pod.metadata.deletionTimestamp === undefined);
}

/** The next minute boundary at least `leadMs` away: a window starting there is closed now and opens soon. */
function nextMinute(leadMs: number): Date {
  const at = new Date(Date.now() + leadMs);
  at.setUTCSeconds(0, 0);
  at.setUTCMinutes(at.getUTCMinutes() + 1);
  return at;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

interface WindowOutcome {
  readonly opensAt: Date;
  readonly blockedMessage: string;
  readonly grantedAt: Date;
  readonly node: string;
}

/** Runs beside the other scenarios: its node waits for a window opening at the next minute. */
let windowScenario: Promise<WindowOutcome | Error>;

async function runWindowScenario(node: string): Promise<WindowOutcome> {
  const opensAt = nextMinute(15_000);
  await rollout.createPolicy(WINDOWED_POLICY, {
    nodeSelector: { matchLabels: { [SCENARIO_LABEL]: WINDOWED_POLICY } },
    rebootWindows: [
      {
        days: [WEEKDAYS[opensAt.getUTCDay()] ?? 'Mon'],
        start: opensAt.toISOString().slice(11, 16),
        duration: '1h',
        timeZone: 'UTC',
      },
    ],
  });
  const version = await stageUpdate([node]);
  const blocked = await rollout.waitForCondition(
    WINDOWED_POLICY,
    'Blocked',
    (condition) => condition.status === 'True' && condition.reason === 'WindowClosed',
  );
  assert.ok(Date.now() < opensAt.getTime(), 'the window was still closed when the operator said so');
  assert.ok(untouched(rollout.nodes.get(node)), `nothing started on ${node} while its window is closed`);
  const granted = await waitForNode(
    node,
    'reboot granted',
    (candidate) => candidate.metadata?.annotations?.[ANNOTATIONS.rebootGrantedAt] !== undefined,
    opensAt.getTime() - Date.now() + 60_000,
  );
  const grantedAt = new Date(granted.metadata?.annotations?.[ANNOTATIONS.rebootGrantedAt] ?? 0);
  await rollout.waitForVersion(version, [node], 60_000);
  return { opensAt, blockedMessage: blocked.message, grantedAt, node };
}

before(
  async () => {
    const started = performance.now();
    rollout = await RolloutCluster.start({
      workers: WORKERS + 1,
      agentRestartDelayMs: 1_000,
      workerOs: (index) => (index === ZINCATI_WORKER ? 'fedora-coreos' : undefined),
    });
    const moved = await rollout.leadFromController();
    policyApi = rollout.kubeConfig.makeApiClient(PolicyV1Api);
    workers = rollout.workerNames();
    log(
      `cluster of ${rollout.nodeNames().length} nodes with the update operator up in ${((performance.now() - started) / 1000).toFixed(1)} s, led from the controller${moved ? ' (the leader moved there)' : ''}`,
    );
    const windowed = workers[4] ?? '';
    // The default policy selects every node; the windowed node must belong to its own policy only.
    await rollout.patchPolicy(DEFAULT_POLICY, {
      nodeSelector: { matchExpressions: [{ key: SCENARIO_LABEL, operator: 'DoesNotExist' }] },
    });
    await rollout.patchNode(windowed, { labels: { [SCENARIO_LABEL]: WINDOWED_POLICY } });
    windowScenario = runWindowScenario(windowed).catch((error: unknown) =>
      error instanceof Error ? error : new Error(String(error)),
    );
  },
  // A cold cluster on a loaded machine took 132 s to its operator's lead, and a leader on a worker hands over.
  { timeout: 300_000 },
);

after(async () => {
  await rollout?.destroy();
});

describe('update operator rules and faults on a local cluster', () => {
  it(
    'an agent killed mid-drain resumes it; a PodDisruptionBudget holds the drain until it goes; one reboot, uncordoned',
    { timeout: 90_000 },
    async () => {
      const node = workers[0] ?? '';
      const invariant = new BudgetInvariant(rollout.nodes, { maxUnavailable: 1, selects: inDefaultPolicy });
      const workload = await guardedWorkload(node, 'guarded');
      const version = await stageUpdate([node]);
      const boots = countBoots(rollout, [node]);
      await waitForNode(
        node,
        'cordoned by its agent and draining',
        (candidate) => candidate.metadata?.annotations?.[ANNOTATIONS.agentMadeUnschedulable] === TRUE,
      );
      await rollout.waitFor('the drain to start', async () =>
        (await rollout.eventReasons(node, new Date(Date.now() - 30_000))).includes('DrainStarted') ? true : undefined,
      );
      await sleep(1_000); // the eviction is refused (429) and retried meanwhile

      rollout.components.updateAgents.crash(node, { reason: 'mid-drain' });
      await rollout.stays(
        `${node} cordoned, its reboot in progress, and not rebooted, while the budget holds`,
        (nodes) => {
          const current = find(nodes, node);
          return (
            current?.spec?.unschedulable === true &&
            current.metadata?.annotations?.[ANNOTATIONS.rebootInProgress] === TRUE &&
            isReady(current)
          );
        },
        QUIET_MS,
      );
      assert.ok(await podExists(workload.podUid), 'the guarded pod was not evicted');
      assert.deepEqual(boots.notOnce(), [`${node}: 0 boots`]);

      await workload.removeBudget();
      await rollout.waitForVersion(version, [node], 60_000);
      boots.stop();
      assert.deepEqual(boots.notOnce(), [], 'exactly one reboot');
      assert.equal(annotations(node)[ANNOTATIONS.agentMadeUnschedulable], undefined);
      assert.ok(!(await podExists(workload.podUid)), 'the pod was evicted once the budget allowed it');
      await workload.remove();
      invariant.stop();
      invariant.assertHeld();
    },
  );

  it(
    'an agent killed as its node comes back from the reboot leaves the node counted until it restarts; no second reboot',
    { timeout: 60_000 },
    async () => {
      const node = workers[1] ?? '';
      const other = workers[2] ?? '';
      const invariant = new BudgetInvariant(rollout.nodes, { maxUnavailable: 1, selects: inDefaultPolicy });
      const os = rollout.cluster.operatingSystem(node);
      const boots = countBoots(rollout, [node]);
      let killedAt: number | undefined;
      // Boot listeners run in order: the node's own (which starts its pods again) first, then this one.
      const stopKilling = os.onBoot(() => {
        if (killedAt === undefined) {
          killedAt = Date.now();
          rollout.components.updateAgents.crash(node, { reason: 'mid-reboot', restartAfterMs: QUIET_MS });
        }
        return Promise.resolve();
      });
      const version = await stageUpdate([node]);
      await waitForNode(node, 'back from its reboot', (candidate) => killedAt !== undefined && isReady(candidate));
      stopKilling();
      const otherVersion = await stageUpdate([other]);
      await rollout.stays(
        `${node} still counted (cordoned, reboot in progress) while its agent is dead, and ${other} kept waiting`,
        (nodes) => {
          const current = find(nodes, node);
          return (
            current?.spec?.unschedulable === true &&
            current.metadata?.annotations?.[ANNOTATIONS.rebootInProgress] === TRUE &&
            untouched(find(nodes, other))
          );
        },
        Math.max(0, (killedAt ?? 0) + QUIET_MS - 500 - Date.now()),
      );
      await rollout.waitForVersion(version, [node], 30_000);
      await rollout.waitForVersion(otherVersion, [other], 30_000);
      boots.stop();
      assert.deepEqual(boots.notOnce(), [], 'exactly one reboot');
      invariant.stop();
      invariant.assertHeld();
    },
  );

  it(
    'a node that never comes back is marked failed (Event, Degraded) and, with HoldSlot, keeps its slot until it is back',
    { timeout: 90_000 },
    async () => {
      const [node, other] = [workers[2] ?? '', workers[3] ?? ''];
      const invariant = new BudgetInvariant(rollout.nodes, { maxUnavailable: 1, selects: inDefaultPolicy });
      const started = new Date();
      await rollout.patchPolicy(DEFAULT_POLICY, { rebootTimeout: { duration: '4s', onTimeout: 'HoldSlot' } });
      rollout.cluster.operatingSystem(node).failNextReboot('never-returns');
      const version = await stageUpdate([node]);
      await waitForNode(node, 'down', (candidate) => !isReady(candidate));
      const otherVersion = await stageUpdate([other]);

      await waitForNode(
        node,
        'marked reboot-failed',
        (candidate) => candidate.metadata?.annotations?.[ANNOTATIONS.rebootFailed] === TRUE,
        30_000,
      );
      const degraded = await rollout.waitForCondition(
        DEFAULT_POLICY,
        'Degraded',
        (condition) => condition.status === 'True',
      );
      assert.equal(degraded.reason, 'RebootTimedOut');
      assert.match(degraded.message, new RegExp(node));
      await rollout.waitFor('a RebootTimedOut Event on the node', async () =>
        (await rollout.eventReasons(node, started)).includes('RebootTimedOut') ? true : undefined,
      );
      await rollout.stays(
        `${other} waiting while the failed node holds the only slot`,
        (nodes) => untouched(find(nodes, other)),
        QUIET_MS,
      );

      await rollout.cluster.operatingSystem(node).powerOn();
      await rollout.waitForVersion(version, [node], 30_000);
      assert.equal(annotations(node)[ANNOTATIONS.rebootFailed], undefined, 'done clears reboot-failed');
      await rollout.waitForVersion(otherVersion, [other], 30_000);
      await rollout.waitForCondition(DEFAULT_POLICY, 'Degraded', (condition) => condition.status === 'False');
      invariant.stop();
      invariant.assertHeld();
    },
  );

  it(
    'with ReleaseSlot, a node granted a reboot that never starts is marked failed and its slot goes to the next node',
    { timeout: 90_000 },
    async () => {
      const [node, other] = [workers[3] ?? '', workers[0] ?? ''];
      const invariant = new BudgetInvariant(rollout.nodes, { maxUnavailable: 1, selects: inDefaultPolicy });
      await rollout.patchPolicy(DEFAULT_POLICY, {
        rebootTimeout: { duration: '4s', onTimeout: 'ReleaseSlot' },
        paused: true,
      });
      // Its agent reports the update, then dies and stays dead for a while: the grant is never acted on.
      const version = await stageUpdate([node]);
      rollout.components.updateAgents.crash(node, { reason: 'dead agent', restartAfterMs: 60_000 });
      await rollout.patchPolicy(DEFAULT_POLICY, { paused: false });
      await waitForNode(
        node,
        'granted',
        (candidate) => candidate.metadata?.annotations?.[ANNOTATIONS.rebootOk] === TRUE,
      );
      const otherVersion = await stageUpdate([other]);
      const failed = await waitForNode(
        node,
        'marked failed',
        (candidate) => candidate.metadata?.annotations?.[ANNOTATIONS.rebootFailed] === TRUE,
        30_000,
      );
      assert.equal(
        failed.metadata?.annotations?.[ANNOTATIONS.rebootOk],
        undefined,
        'the unstarted grant was taken back with the slot',
      );
      await rollout.waitForVersion(otherVersion, [other], 30_000);
      assert.ok(untouched(rollout.nodes.get(node)), 'the failed node is not granted again on its own');

      // An administrator who fixed the node clears reboot-failed; the restarted agent then reboots it.
      await rollout.patchNode(node, { annotations: { [ANNOTATIONS.rebootFailed]: null } });
      rollout.components.updateAgents.restartNow(node);
      await rollout.waitForVersion(version, [node], 30_000);
      await rollout.patchPolicy(DEFAULT_POLICY, { rebootTimeout: null });
      invariant.stop();
      invariant.assertHeld();
    },
  );

  it(
    'a drain held by a PodDisruptionBudget past drain.timeout (onTimeout Retry) is given up: uncordoned, no reboot, slot released',
    { timeout: 60_000 },
    async () => {
      const node = workers[1] ?? '';
      const started = new Date();
      await rollout.patchPolicy(DEFAULT_POLICY, { drain: { timeout: '3s', onTimeout: 'Retry' } });
      const workload = await guardedWorkload(node, 'held');
      const boots = countBoots(rollout, [node]);
      const version = await stageUpdate([node]);
      await waitForNode(node, 'cordoned for the drain', (candidate) => candidate.spec?.unschedulable === true);
      const gaveUp = await waitForNode(
        node,
        'the drain given up and the grant revoked',
        (candidate) =>
          candidate.metadata?.annotations?.[ANNOTATIONS.drainFailed] !== undefined &&
          candidate.metadata.annotations[ANNOTATIONS.rebootOk] === undefined &&
          candidate.metadata.annotations[ANNOTATIONS.rebootInProgress] !== TRUE &&
          candidate.spec?.unschedulable !== true,
        30_000,
      );
      assert.equal(gaveUp.metadata?.annotations?.[ANNOTATIONS.agentMadeUnschedulable], undefined);
      assert.ok(await podExists(workload.podUid), 'the PodDisruptionBudget was not bypassed');
      assert.deepEqual(boots.notOnce(), [`${node}: 0 boots`]);
      const blocked = await rollout.waitForCondition(
        DEFAULT_POLICY,
        'Blocked',
        (condition) => condition.status === 'True',
      );
      assert.equal(blocked.reason, 'DrainRetryBackoff');
      const reasons = await rollout.eventReasons(node, started);
      assert.ok(reasons.includes('DrainFailed') && reasons.includes('RebootRevoked'), `Events: ${reasons.join(', ')}`);

      // The operator retries after its back-off (one minute at first, doubling up to spec.drain.maxRetryDelay); an administrator who removed the cause retries at once.
      await workload.remove();
      await rollout.patchNode(node, { annotations: { [ANNOTATIONS.drainFailed]: null } });
      await rollout.waitForVersion(version, [node], 30_000);
      boots.stop();
      assert.deepEqual(boots.notOnce(), []);
      await rollout.patchPolicy(DEFAULT_POLICY, { drain: null });
    },
  );

  it('paused: nothing starts (Blocked, Paused) until the policy is resumed', { timeout: 60_000 }, async () => {
    const node = workers[2] ?? '';
    await rollout.patchPolicy(DEFAULT_POLICY, { paused: true });
    const version = await stageUpdate([node]);
    const blocked = await rollout.waitForCondition(
      DEFAULT_POLICY,
      'Blocked',
      (condition) => condition.status === 'True' && condition.reason === 'Paused',
    );
    assert.match(blocked.message, /paused/);
    await rollout.stays(`${node} untouched while paused`, (nodes) => untouched(find(nodes, node)), QUIET_MS);
    await rollout.patchPolicy(DEFAULT_POLICY, { paused: false });
    await rollout.waitForVersion(version, [node], 30_000);
  });

  it(
    'hooks that stay false halt the rollout with the reason in its status, before and after the reboot',
    { timeout: 60_000 },
    async () => {
      const node = workers[3] ?? '';
      await rollout.patchPolicy(DEFAULT_POLICY, { hooks: { beforeReboot: [BEFORE_HOOK], afterReboot: [AFTER_HOOK] } });
      const boots = countBoots(rollout, [node]);
      const version = await stageUpdate([node]);
      await waitForNode(
        node,
        'labelled before-reboot',
        (candidate) => candidate.metadata?.labels?.[LABELS.beforeReboot] === TRUE,
      );
      const before = await rollout.waitForCondition(
        DEFAULT_POLICY,
        'Blocked',
        (condition) => condition.status === 'True' && condition.reason === 'HooksPending',
      );
      assert.match(before.message, new RegExp(`${node}.*${BEFORE_HOOK}`));
      await rollout.stays(
        `${node} not granted while its before-reboot hook is not "true"`,
        (nodes) => find(nodes, node)?.metadata?.annotations?.[ANNOTATIONS.rebootOk] === undefined,
        QUIET_MS,
      );
      assert.deepEqual(boots.notOnce(), [`${node}: 0 boots`]);

      await rollout.patchNode(node, { annotations: { [BEFORE_HOOK]: TRUE } });
      await waitForNode(
        node,
        'labelled after-reboot',
        (candidate) => candidate.metadata?.labels?.[LABELS.afterReboot] === TRUE,
        30_000,
      );
      const afterReboot = await rollout.waitForCondition(
        DEFAULT_POLICY,
        'Blocked',
        (condition) => condition.status === 'True' && condition.message.includes(AFTER_HOOK),
      );
      assert.equal(afterReboot.reason, 'HooksPending');
      await rollout.stays(
        `${node} not done while its after-reboot hook is not "true"`,
        (nodes) => find(nodes, node)?.metadata?.annotations?.[ANNOTATIONS.rebootOk] === TRUE,
        QUIET_MS,
      );

      await rollout.patchNode(node, { annotations: { [AFTER_HOOK]: TRUE } });
      await rollout.waitForVersion(version, [node], 30_000);
      boots.stop();
      assert.deepEqual(boots.notOnce(), []);
      assert.equal(labels(node)[LABELS.afterReboot], undefined);
      assert.equal(annotations(node)[AFTER_HOOK], undefined, 'the hook annotations are reset for the next reboot');
      await rollout.patchPolicy(DEFAULT_POLICY, { hooks: null });
    },
  );

  it(
    'two overlapping policies: both Blocked, the shared node left alone, the others rolled; resolved when one goes',
    { timeout: 60_000 },
    async () => {
      const [shared, alone] = [workers[0] ?? '', workers[1] ?? ''];
      await rollout.createPolicy('overlapping', {
        nodeSelector: { matchLabels: { 'kubernetes.io/hostname': shared } },
      });
      const sharedVersion = await stageUpdate([shared]);
      for (const policy of [DEFAULT_POLICY, 'overlapping']) {
        const blocked = await rollout.waitForCondition(
          policy,
          'Blocked',
          (condition) => condition.status === 'True' && condition.reason === 'OverlappingPolicies',
        );
        assert.match(blocked.message, new RegExp(shared));
      }
      const aloneVersion = await stageUpdate([alone]);
      await rollout.waitForVersion(aloneVersion, [alone], 30_000);
      assert.ok(untouched(rollout.nodes.get(shared)), `${shared}, selected by both, was not acted on`);
      await rollout.stays(`${shared} untouched`, (nodes) => untouched(find(nodes, shared)), 1_000);
      await rollout.deletePolicy('overlapping');
      await rollout.waitForVersion(sharedVersion, [shared], 30_000);
    },
  );

  it(
    'a FleetLock (Zincati) node and agent-driven nodes share one maxUnavailable budget',
    { timeout: 90_000 },
    async () => {
      const fleetLockNode = workers[ZINCATI_WORKER] ?? '';
      const agentNodes = [workers[0] ?? '', workers[2] ?? '', workers[3] ?? ''];
      const maxUnavailable = 2;
      const invariant = new BudgetInvariant(rollout.nodes, { maxUnavailable, selects: inDefaultPolicy });
      const zincatiNode = rollout.nodes.get(fleetLockNode);
      assert.match(zincatiNode?.status?.nodeInfo?.osImage ?? '', /^Fedora CoreOS /, `${fleetLockNode} runs Zincati`);
      const machineId = zincatiNode?.status?.nodeInfo?.machineID ?? '';
      const nodeAddress = zincatiNode?.status?.addresses?.find((address) => address.type === 'InternalIP')?.address;
      assert.ok(nodeAddress !== undefined, `${fleetLockNode} reports its InternalIP`);
      const endpoints = async (): Promise<string[]> =>
        (await rollout.operatorPods()).flatMap((pod) =>
          pod.status?.podIP === undefined ? [] : [`${pod.status.podIP}:8081`],
        );
      // Over HTTPS as the rendered Zincati config asks, trusting the cluster CA the node's Ignition anchors.
      const tls = await rollout.fleetLockTls();
      // The same request from the test process's own address is someone else's: refused, whatever the budget.
      const impostor = new ZincatiClient({ id: zincatiClientId(machineId), from: '127.0.0.1', endpoints, tls });
      const zincati = new ZincatiClient({
        id: zincatiClientId(machineId),
        from: nodeAddress,
        endpoints,
        tls,
      });
      // Plain HTTP reaches no replica: the port speaks only TLS.
      const plain = await new ZincatiClient({
        id: zincatiClientId(machineId),
        from: nodeAddress,
        endpoints,
      }).preReboot();
      assert.equal(plain.kind, 'unreachable', JSON.stringify(plain));

      // A before-reboot hook holds the agent-driven nodes in their slots while Zincati asks.
      await rollout.patchPolicy(DEFAULT_POLICY, { maxUnavailable, hooks: { beforeReboot: [BEFORE_HOOK] } });
      const version = await stageUpdate(agentNodes);
      await rollout.nodes.until(
        'both slots taken by agent-driven nodes',
        (nodes) =>
          nodes.filter(
            (node) => agentNodes.includes(nodeName(node)) && node.metadata?.labels?.[LABELS.beforeReboot] === TRUE,
          ).length === maxUnavailable
            ? true
            : undefined,
        30_000,
      );
      // The leader's answer: a replica being replaced or a standby says nothing about the budget, and Zincati asks again.
      const leaderAnswer = async (
        ask: () => Promise<FleetLockReply> = () => zincati.preReboot(),
      ): Promise<FleetLockReply> => {
        for (const deadline = Date.now() + 30_000; ; await sleep(200)) {
          const reply = await ask();
          if (
            !['not_leader', 'not_ready', 'unreachable', 'no_endpoint'].includes(reply.kind ?? '') ||
            Date.now() > deadline
          )
            return reply;
        }
      };
      const refusals: FleetLockReply[] = [];
      for (let attempt = 0; attempt < 3; attempt += 1) {
        refusals.push(await leaderAnswer());
        await sleep(200);
      }
      assert.deepEqual(
        refusals.map((reply) => [reply.status, reply.kind]),
        [
          [409, 'failed_lock'],
          [409, 'failed_lock'],
          [409, 'failed_lock'],
        ],
        `Zincati is refused while agent-driven nodes hold every slot: ${JSON.stringify(refusals)}`,
      );
      assert.match(refusals[0]?.value ?? '', /slots/);
      const fromHost = await leaderAnswer(() => impostor.preReboot());
      assert.deepEqual([fromHost.status, fromHost.kind], [403, 'wrong_source_address'], JSON.stringify(fromHost));
      for (const node of agentNodes) await rollout.patchNode(node, { annotations: { [BEFORE_HOOK]: TRUE } });
      // When its turn comes, Zincati's node takes the same before-reboot hook: it holds its slot until the hook says
      // "true", and only then gets the lock.
      let heldAtHook = false;
      let granted: FleetLockReply | undefined;
      const deadline = Date.now() + 60_000;
      while (granted === undefined && Date.now() < deadline) {
        const reply = await zincati.preReboot();
        if (reply.status === 200) granted = reply;
        else {
          refusals.push(reply);
          if (!heldAtHook && reply.kind === 'failed_lock' && /before-reboot hooks/.test(reply.value ?? '')) {
            heldAtHook = true;
            await rollout.patchNode(fleetLockNode, { annotations: { [BEFORE_HOOK]: TRUE } });
          }
          await sleep(200);
        }
      }
      assert.ok(
        granted !== undefined,
        `the FleetLock client never got its lock: ${JSON.stringify(refusals.slice(-3))}`,
      );
      assert.ok(heldAtHook, `Zincati was held at the before-reboot hook first: ${JSON.stringify(refusals.slice(-3))}`);
      // Read from the API server: the grant is answered after the writes that cordon and lock the node, and the
      // test's own watch may not have delivered them yet.
      const locked = await rollout.core.readNode({ name: fleetLockNode });
      assert.equal(locked.metadata?.annotations?.[ANNOTATIONS.fleetLockHolder], zincatiClientId(machineId));
      assert.equal(locked.spec?.unschedulable, true, 'cordoned (and drained) before the lock was granted');
      assert.equal((await leaderAnswer()).status, 200, 'the lock is recursive: asking again while holding it succeeds');
      const unlockFromHost = await leaderAnswer(() => impostor.steadyState());
      assert.equal(unlockFromHost.kind, 'wrong_source_address', 'only the node itself gives its slot back');
      assert.equal(
        (await rollout.core.readNode({ name: fleetLockNode })).metadata?.annotations?.[ANNOTATIONS.fleetLockHolder],
        zincatiClientId(machineId),
      );

      // Zincati finalizes the update and reboots; once booted it reports steady state.
      await rollout.cluster.operatingSystem(fleetLockNode).reboot();
      await waitForNode(fleetLockNode, 'Ready again', isReady);
      const released = await rollout.waitFor('steady-state to be accepted', async () =>
        (await zincati.steadyState()).status === 200 ? true : undefined,
      );
      assert.ok(released);
      await waitForNode(
        fleetLockNode,
        'unlocked and uncordoned',
        (node) =>
          node.metadata?.annotations?.[ANNOTATIONS.fleetLockHolder] === undefined && node.spec?.unschedulable !== true,
      );
      await rollout.waitForVersion(version, agentNodes, 60_000);
      invariant.stop();
      log(
        `FleetLock: ${refusals.length} refusal(s) before the lock (${refusals.map((reply) => reply.kind).join(', ')}); ${invariant.summary()}`,
      );
      invariant.assertHeld();
      assert.equal(invariant.maxSeen, maxUnavailable);
      await rollout.patchPolicy(DEFAULT_POLICY, { maxUnavailable: null, hooks: null });
    },
  );

  it(
    'a closed reboot window starts nothing; the node reboots once the window opens during the run',
    { timeout: 120_000 },
    async () => {
      const outcome = await windowScenario;
      if (outcome instanceof Error) throw outcome;
      log(
        `window opened at ${outcome.opensAt.toISOString()}; ${outcome.node} granted at ${outcome.grantedAt.toISOString()}`,
      );
      assert.match(outcome.blockedMessage, /window/);
      assert.ok(
        outcome.grantedAt.getTime() >= outcome.opensAt.getTime(),
        `granted at ${outcome.grantedAt.toISOString()}, before the window opened at ${outcome.opensAt.toISOString()}`,
      );
      assert.ok(isDoneOn(rollout.nodes.get(outcome.node) ?? {}, labels(outcome.node)[LABELS.version] ?? ''));
    },
  );
});
