import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, CoreV1Api, PolicyV1Api, type V1Pod } from '@kubernetes/client-node';
import { startTestCluster, type TestCluster } from '@strata/platform-local/testing';
import { waitFor } from '@strata/harness';
import { mergePatch } from '../drain/kube-api.ts';
import { ANNOTATIONS, LABELS, TRUE } from '@strata/api';
import {
  annotationsOf,
  countBoots,
  grantReboot,
  labelsOf,
  needsRebootInto,
  nodeEventReasons,
  assertNodeEventReasons,
  nodeNeverDuring,
  rebootedInto,
  revokeReboot,
  startAgent,
  waitForNode,
  type RunningAgent,
} from './agent-test-support.ts';

// A real local cluster (control plane, controller-manager, scheduler, simulated
// Flatcar workers with their simulated kubelets), the agent running in-process
// for each worker, and this test playing the operator's part of the protocol.
// Run it under `flock /tmp/strata-local-cluster.lock`: local clusters use fixed
// loopback addresses.

let cluster: TestCluster;
let core: CoreV1Api;
let apps: AppsV1Api;
let policy: PolicyV1Api;
let workers: string[];
const agents = new Map<string, RunningAgent>();
let nextPatch = 4;

/** A version newer than any offered so far (the nodes start on 4230.2.3). */
const nextVersion = (): string => `4230.2.${nextPatch++}`;

before(async () => {
  cluster = await startTestCluster({ workers: 2 });
  core = cluster.adminKubeConfig().makeApiClient(CoreV1Api);
  apps = cluster.adminKubeConfig().makeApiClient(AppsV1Api);
  policy = cluster.adminKubeConfig().makeApiClient(PolicyV1Api);
  workers = cluster.topology.workers.map((worker) => worker.name);
  for (const worker of workers)
    agents.set(worker, startAgent(cluster.adminKubeConfig(), worker, cluster.operatingSystem(worker)));
});

after(async () => {
  for (const agent of agents.values()) await agent.stop();
  await cluster?.destroy();
});

function restartAgent(worker: string): RunningAgent {
  const agent = startAgent(cluster.adminKubeConfig(), worker, cluster.operatingSystem(worker));
  agents.set(worker, agent);
  return agent;
}

/** Offers `version` and has the worker's update_engine check now (the test cluster's engines never check on their own). */
async function stageUpdate(worker: string, version: string): Promise<void> {
  cluster.updates.offer({ version });
  await cluster.operatingSystem(worker).updateEngine.attemptUpdate();
  await waitForNode(core, worker, `reboot-needed into ${version}`, needsRebootInto(version));
}

/** A Deployment whose pods may only run on `worker`, and its pods once they run there. */
async function pinnedDeployment(
  worker: string,
  name: string,
  replicas: number,
  labels: Record<string, string> = {},
): Promise<V1Pod[]> {
  const selector = { app: name, ...labels };
  await apps.createNamespacedDeployment({
    namespace: 'default',
    body: {
      metadata: { name },
      spec: {
        replicas,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: selector },
          spec: {
            nodeSelector: { 'kubernetes.io/hostname': worker },
            terminationGracePeriodSeconds: 1,
            containers: [{ name: 'app', image: 'registry.example/app:1' }],
          },
        },
      },
    },
  });
  return waitFor(
    `${replicas} pods of ${name} ready on ${worker}`,
    async () => {
      const { items } = await core.listNamespacedPod({ namespace: 'default', labelSelector: `app=${name}` });
      const ready = items.filter(
        (pod) =>
          pod.spec?.nodeName === worker &&
          pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
      return ready.length === replicas ? ready : undefined;
    },
    60_000,
  );
}

async function podUidsOn(worker: string, app: string): Promise<string[]> {
  const { items } = await core.listNamespacedPod({
    namespace: 'default',
    labelSelector: `app=${app}`,
    fieldSelector: `spec.nodeName=${worker}`,
  });
  return items.filter((pod) => pod.metadata?.deletionTimestamp === undefined).map((pod) => pod.metadata?.uid ?? '');
}

describe('the update agent on a local cluster', () => {
  it('reports the OS and a staged update, then on reboot-ok cordons, drains, reboots once, uncordons and resets', async () => {
    const worker = workers[0] ?? '';
    const os = cluster.operatingSystem(worker);
    const started = new Date();
    const bootBefore = os.bootId();
    const initial = await waitForNode(
      core,
      worker,
      'OS labels',
      (node) => labelsOf(node)[LABELS.version] === '4230.2.3',
    );
    assert.equal(labelsOf(initial)[LABELS.osId], 'flatcar');
    assert.equal(labelsOf(initial)[LABELS.group], 'stable');
    assert.equal(annotationsOf(initial)[ANNOTATIONS.status], 'UPDATE_STATUS_IDLE');
    assert.equal(annotationsOf(initial)[ANNOTATIONS.rebootNeeded], 'false');

    const pods = await pinnedDeployment(worker, 'web', 2);
    const version = nextVersion();
    await stageUpdate(worker, version);
    const boots = countBoots(os);
    // Cordoned and marked as the agent's own cordon at some point before the reboot.
    const cordonSeen = waitForNode(
      core,
      worker,
      'cordoned by the agent',
      (node) => node.spec?.unschedulable === true && annotationsOf(node)[ANNOTATIONS.agentMadeUnschedulable] === TRUE,
      60_000,
    );

    await grantReboot(core, worker);
    const cordoned = await cordonSeen;
    assert.equal(annotationsOf(cordoned)[ANNOTATIONS.rebootInProgress], TRUE);
    assert.equal(annotationsOf(cordoned)[ANNOTATIONS.rebootBootId], bootBefore);
    const done = await waitForNode(core, worker, `rebooted into ${version}`, rebootedInto(version), 90_000);

    assert.notEqual(done.spec?.unschedulable, true, 'uncordoned');
    assert.equal(annotationsOf(done)[ANNOTATIONS.agentMadeUnschedulable], undefined);
    assert.equal(boots.bootIds.length, 1, 'exactly one reboot');
    assert.equal(done.status?.nodeInfo?.bootID, os.bootId());
    assert.notEqual(os.bootId(), bootBefore);
    assert.match(done.status?.nodeInfo?.osImage ?? '', new RegExp(version.replaceAll('.', '\\.')));
    const evictedGone = pods.map((pod) => pod.metadata?.uid ?? '');
    assert.deepEqual(
      (await podUidsOn(worker, 'web')).filter((uid) => evictedGone.includes(uid)),
      [],
      'the pods were evicted before the reboot',
    );
    await assertNodeEventReasons(core, worker, started, ['DrainStarted', 'RebootStarted', 'RebootCompleted']);

    await revokeReboot(core, worker);
    await apps.deleteNamespacedDeployment({ namespace: 'default', name: 'web' });
    boots.stop();
  });

  it('resumes the drain after being killed mid-drain (a PodDisruptionBudget holds it) and reboots once', async () => {
    const worker = workers[1] ?? '';
    const os = cluster.operatingSystem(worker);
    await pinnedDeployment(worker, 'guarded', 1);
    await policy.createNamespacedPodDisruptionBudget({
      namespace: 'default',
      body: { metadata: { name: 'guarded' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } } },
    });
    const version = nextVersion();
    await stageUpdate(worker, version);
    const bootBefore = os.bootId();
    const boots = countBoots(os);

    await grantReboot(core, worker);
    await waitForNode(
      core,
      worker,
      'cordoned by the agent',
      (node) => annotationsOf(node)[ANNOTATIONS.agentMadeUnschedulable] === TRUE,
    );
    await waitFor('the drain to start', async () =>
      (await nodeEventReasons(core, worker, new Date(Date.now() - 60_000))).includes('DrainStarted') ? true : undefined,
    );
    // The eviction is refused and retried meanwhile; the reboot stays in progress and the node cordoned.
    await nodeNeverDuring(
      cluster.adminKubeConfig(),
      worker,
      'the drain ending while the budget holds',
      1_500,
      (node) =>
        annotationsOf(node)[ANNOTATIONS.rebootInProgress] === TRUE && node.spec?.unschedulable === true
          ? undefined
          : 'the drain ended',
    );

    await agents.get(worker)?.stop();
    const orphaned = await core.readNode({ name: worker });
    assert.equal(annotationsOf(orphaned)[ANNOTATIONS.rebootInProgress], TRUE);
    assert.equal(annotationsOf(orphaned)[ANNOTATIONS.rebootBootId], bootBefore);
    assert.equal(orphaned.spec?.unschedulable, true);
    assert.equal(boots.bootIds.length, 0);

    restartAgent(worker);
    await nodeNeverDuring(
      cluster.adminKubeConfig(),
      worker,
      'the resumed agent letting go while the budget holds',
      2_000,
      (node) => {
        if (node.spec?.unschedulable !== true) return 'uncordoned while the budget holds the drain';
        if (annotationsOf(node)[ANNOTATIONS.agentMadeUnschedulable] !== TRUE)
          return 'the resumed agent forgot that it cordoned';
        return annotationsOf(node)[ANNOTATIONS.rebootBootId] === bootBefore
          ? undefined
          : 'a reboot while the budget holds';
      },
    );
    assert.equal(boots.bootIds.length, 0, 'no reboot while the budget holds');

    await policy.deleteNamespacedPodDisruptionBudget({ namespace: 'default', name: 'guarded' });
    const done = await waitForNode(core, worker, `rebooted into ${version}`, rebootedInto(version), 90_000);
    assert.notEqual(done.spec?.unschedulable, true);
    assert.equal(annotationsOf(done)[ANNOTATIONS.agentMadeUnschedulable], undefined);
    assert.equal(boots.bootIds.length, 1, 'exactly one reboot');

    await revokeReboot(core, worker);
    await apps.deleteNamespacedDeployment({ namespace: 'default', name: 'guarded' });
    boots.stop();
  });

  it('cleans up after boot when killed right after the reboot started, and reboots once', async () => {
    const worker = workers[0] ?? '';
    const os = cluster.operatingSystem(worker);
    const version = nextVersion();
    await stageUpdate(worker, version);
    const boots = countBoots(os);
    const agent = agents.get(worker);
    let killed: Promise<void> | undefined;
    // The kubelet's graceful shutdown runs here: the reboot has started; the agent dies with the machine.
    const stopKilling = os.onShutdown(() => {
      killed ??= agent?.stop();
      return Promise.resolve();
    });

    await grantReboot(core, worker);
    await waitFor('the reboot to start', () => (killed === undefined ? undefined : true), 60_000);
    await killed;
    stopKilling();
    const orphaned = await core.readNode({ name: worker });
    assert.equal(
      annotationsOf(orphaned)[ANNOTATIONS.rebootInProgress],
      TRUE,
      'the old agent left the reboot in progress',
    );
    assert.equal(orphaned.spec?.unschedulable, true);

    // Started at once: it waits for the machine to be up, then sees a new boot id.
    restartAgent(worker);
    const done = await waitForNode(core, worker, `rebooted into ${version}`, rebootedInto(version), 90_000);
    assert.notEqual(done.spec?.unschedulable, true, 'uncordoned by the new agent');
    assert.equal(annotationsOf(done)[ANNOTATIONS.agentMadeUnschedulable], undefined);
    await nodeNeverDuring(cluster.adminKubeConfig(), worker, 'a second reboot', 1_000, (node) => {
      if (annotationsOf(node)[ANNOTATIONS.rebootInProgress] !== 'false') return 'a reboot started again';
      return node.status?.nodeInfo?.bootID === done.status?.nodeInfo?.bootID ? undefined : 'it booted again';
    });
    assert.equal(boots.bootIds.length, 1, 'exactly one reboot');

    await revokeReboot(core, worker);
    boots.stop();
  });

  it('leaves a node cordoned by someone else cordoned after its reboot', async () => {
    const worker = workers[1] ?? '';
    const os = cluster.operatingSystem(worker);
    const version = nextVersion();
    await stageUpdate(worker, version);
    await core.patchNode({ name: worker, body: { spec: { unschedulable: true } } }, mergePatch());
    const boots = countBoots(os);

    await grantReboot(core, worker);
    const done = await waitForNode(core, worker, `rebooted into ${version}`, rebootedInto(version), 90_000);
    assert.equal(done.spec?.unschedulable, true, 'still cordoned: the agent did not cordon it');
    assert.equal(annotationsOf(done)[ANNOTATIONS.agentMadeUnschedulable], undefined);
    assert.equal(boots.bootIds.length, 1);

    await revokeReboot(core, worker);
    await core.patchNode({ name: worker, body: { spec: { unschedulable: false } } }, mergePatch());
    boots.stop();
  });
});
