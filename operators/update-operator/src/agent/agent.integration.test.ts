import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  PolicyV1Api,
  loadYaml,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { UPDATE_POLICY, updatePolicyCrd, type UpdatePolicySpecInput } from '@strata/api';
import { ManualUpdateSource, SimulatedOperatingSystem } from '@strata/platform-local/testing';
import { sharedControlPlane, uniqueName, waitFor } from '@strata/harness';
import { mergePatch } from '../drain/kube-api.ts';
import { ANNOTATIONS, LABELS, TRUE } from '@strata/api';
import { runAgent } from './agent.ts';
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
import { AgentConfigError } from './errors.ts';

// The agent against a real API server with a simulated OS, but no kubelet:
// the Node is a bare object, pods are bound to it by spec.nodeName, and drains
// evict them with a policy's grace period of 0 so that they go at once.

const FAST = {
  checkMs: 10,
  downloadStepMs: 10,
  verifyMs: 10,
  finalizeMs: 10,
  firstCheckDelayMs: Infinity,
  checkIntervalMs: Infinity,
};

let kubeConfig: KubeConfig;
let core: CoreV1Api;
let custom: CustomObjectsApi;
let policies: PolicyV1Api;
const agents: RunningAgent[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

before(async () => {
  const cluster = await sharedControlPlane();
  kubeConfig = cluster.adminKubeConfig();
  core = kubeConfig.makeApiClient(CoreV1Api);
  custom = kubeConfig.makeApiClient(CustomObjectsApi);
  policies = kubeConfig.makeApiClient(PolicyV1Api);
  // Loaded as client-node loads YAML, so that the x-kubernetes-* schema keys survive serialization.
  const crd = loadYaml<KubernetesObject>(JSON.stringify(updatePolicyCrd()));
  await KubernetesObjectApi.makeApiClient(kubeConfig).patch(
    crd,
    undefined,
    undefined,
    'strata-agent-test',
    true,
    PatchStrategy.ServerSideApply,
  );
  const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
  await waitFor('the UpdatePolicy CRD to be established', async () => {
    const current = await extensions.readCustomResourceDefinition({ name: crd.metadata?.name ?? '' });
    return current.status?.conditions?.some(
      (condition) => condition.type === 'Established' && condition.status === 'True',
    )
      ? true
      : undefined;
  });
});

after(async () => {
  for (const agent of agents) await agent.stop();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

interface Machine {
  readonly nodeName: string;
  readonly namespace: string;
  readonly os: SimulatedOperatingSystem;
  readonly updates: ManualUpdateSource;
}

/** A Node object, a simulated machine for it, a namespace for its pods, and its agent running. */
async function aMachine(id: 'flatcar' | 'fedora-coreos' = 'flatcar'): Promise<Machine> {
  const nodeName = uniqueName('agent-node');
  const namespace = uniqueName('agent');
  const updates = new ManualUpdateSource();
  const os = new SimulatedOperatingSystem({
    id,
    version: id === 'flatcar' ? '4230.2.3' : '42.20250901.3.0',
    updateSource: updates,
    rebootDelayMs: 100,
    timings: FAST,
  });
  await core.createNode({ body: { metadata: { name: nodeName } } });
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'default' } } });
  cleanups.push(
    () => core.deleteNode({ name: nodeName }),
    () => core.deleteNamespace({ name: namespace }),
  );
  agents.push(startAgent(kubeConfig, nodeName, os));
  return { nodeName, namespace, os, updates };
}

async function aPolicy(spec: UpdatePolicySpecInput): Promise<string> {
  const name = uniqueName('policy');
  await custom.createClusterCustomObject({
    group: UPDATE_POLICY.group,
    version: UPDATE_POLICY.version,
    plural: UPDATE_POLICY.plural,
    body: {
      apiVersion: UPDATE_POLICY.apiVersion,
      kind: UPDATE_POLICY.kind,
      metadata: { name },
      spec: { nodeSelector: { matchLabels: { 'example.com/none': 'x' } }, ...spec },
    },
  });
  cleanups.push(() =>
    custom.deleteClusterCustomObject({
      group: UPDATE_POLICY.group,
      version: UPDATE_POLICY.version,
      plural: UPDATE_POLICY.plural,
      name,
    }),
  );
  return name;
}

/** A running, ready pod bound to the machine's node, as a kubelet would report it. */
async function aRunningPod(
  machine: Machine,
  name: string,
  options: { labels?: Record<string, string>; controlled?: boolean } = {},
): Promise<void> {
  const controlled = options.controlled ?? true;
  await core.createNamespacedPod({
    namespace: machine.namespace,
    body: {
      metadata: {
        name,
        ...(options.labels === undefined ? {} : { labels: options.labels }),
        ...(controlled
          ? {
              ownerReferences: [
                {
                  apiVersion: 'apps/v1',
                  kind: 'ReplicaSet',
                  name: `${name}-rs`,
                  uid: '00000000-0000-0000-0000-000000000001',
                  controller: true,
                },
              ],
            }
          : {}),
      },
      spec: {
        nodeName: machine.nodeName,
        automountServiceAccountToken: false,
        containers: [{ name: 'app', image: 'registry.example/app:1' }],
      },
    },
  });
  await core.patchNamespacedPodStatus(
    {
      namespace: machine.namespace,
      name,
      body: {
        status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date() }] },
      },
    },
    mergePatch(),
  );
}

async function stageUpdate(machine: Machine, version: string): Promise<void> {
  machine.updates.offer({ version });
  await machine.os.updateEngine.attemptUpdate();
  await waitForNode(core, machine.nodeName, `reboot-needed into ${version}`, needsRebootInto(version));
}

async function guard(machine: Machine, app: string): Promise<void> {
  await policies.createNamespacedPodDisruptionBudget({
    namespace: machine.namespace,
    body: { metadata: { name: `${app}-budget` }, spec: { minAvailable: 1, selector: { matchLabels: { app } } } },
  });
}

describe('the update agent against an API server, with a simulated OS', () => {
  it('reboots with the drain settings of the policy that granted the reboot', async () => {
    const machine = await aMachine();
    const policy = await aPolicy({ drain: { gracePeriodSeconds: 0 } });
    await aRunningPod(machine, 'web');
    await stageUpdate(machine, '4230.2.4');
    const boots = countBoots(machine.os);
    const started = new Date();

    await grantReboot(core, machine.nodeName, policy);
    const done = await waitForNode(core, machine.nodeName, 'rebooted into 4230.2.4', rebootedInto('4230.2.4'));
    assert.equal(boots.bootIds.length, 1);
    assert.notEqual(done.spec?.unschedulable, true);
    assert.deepEqual(
      (await core.listNamespacedPod({ namespace: machine.namespace })).items,
      [],
      'the pod was evicted with grace period 0',
    );
    await assertNodeEventReasons(core, machine.nodeName, started, ['DrainStarted', 'RebootStarted', 'RebootCompleted']);
    boots.stop();
  });

  it('reports a reboot that fell back to the old slot as a rollback: a Warning Event and the rolled-back mark', async () => {
    const machine = await aMachine();
    const policy = await aPolicy({ drain: { gracePeriodSeconds: 0 } });
    await stageUpdate(machine, '4230.2.4');
    machine.os.faults.failNextNewSlotBoot();
    const boots = countBoots(machine.os);
    const started = new Date();

    await grantReboot(core, machine.nodeName, policy);
    const done = await waitForNode(
      core,
      machine.nodeName,
      'back on 4230.2.3 after the reboot',
      rebootedInto('4230.2.3'),
    );
    assert.equal(boots.bootIds.length, 1, 'it did reboot');
    assert.equal(annotationsOf(done)[ANNOTATIONS.rolledBack], '4230.2.4');
    assert.equal(annotationsOf(done)[ANNOTATIONS.rebootTargetVersion], undefined);
    assert.notEqual(done.spec?.unschedulable, true, 'uncordoned after the rollback too');
    // The Event is posted after the Node is written: wait for it rather than read once.
    const reasons = await waitFor(
      'the UpdateRolledBack Event',
      async () => {
        const seen = await nodeEventReasons(core, machine.nodeName, started);
        return seen.includes('UpdateRolledBack') ? seen : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    assert.deepEqual(reasons, ['DrainStarted', 'RebootStarted', 'UpdateRolledBack']);

    // A later update that lands where it was meant to clears the mark.
    await revokeReboot(core, machine.nodeName);
    await stageUpdate(machine, '4230.2.5');
    await grantReboot(core, machine.nodeName, policy);
    const updated = await waitForNode(core, machine.nodeName, 'rebooted into 4230.2.5', rebootedInto('4230.2.5'));
    assert.equal(annotationsOf(updated)[ANNOTATIONS.rolledBack], undefined);
    boots.stop();
  });

  it('gives the slot back when the drain times out under onTimeout Retry, and does not start that grant again', async () => {
    const machine = await aMachine();
    const policy = await aPolicy({ drain: { gracePeriodSeconds: 0, timeout: '2s', onTimeout: 'Retry' } });
    await aRunningPod(machine, 'guarded', { labels: { app: 'guarded' } });
    await guard(machine, 'guarded');
    await stageUpdate(machine, '4230.2.4');
    const boots = countBoots(machine.os);
    const started = new Date();

    await grantReboot(core, machine.nodeName, policy);
    const failed = await waitForNode(
      core,
      machine.nodeName,
      'drain-failed',
      (node) => annotationsOf(node)[ANNOTATIONS.drainFailed] !== undefined,
      30_000,
    );
    assert.equal(annotationsOf(failed)[ANNOTATIONS.rebootInProgress], 'false');
    assert.equal(annotationsOf(failed)[ANNOTATIONS.rebootBootId], undefined);
    assert.equal(annotationsOf(failed)[ANNOTATIONS.agentMadeUnschedulable], undefined);
    assert.notEqual(failed.spec?.unschedulable, true, 'uncordoned: the agent had cordoned it');
    assert.equal(annotationsOf(failed)[ANNOTATIONS.rebootOk], TRUE, 'revoking the grant is the operator’s part');
    assert.ok(Date.parse(annotationsOf(failed)[ANNOTATIONS.drainFailed] ?? '') >= started.getTime() - 1000);

    await nodeNeverDuring(kubeConfig, machine.nodeName, 'a spent grant started again', 1_500, (node) =>
      annotationsOf(node)[ANNOTATIONS.rebootInProgress] === 'false' && node.spec?.unschedulable !== true
        ? undefined
        : 'the reboot was started again',
    );
    assert.equal(boots.bootIds.length, 0);
    await assertNodeEventReasons(core, machine.nodeName, started, ['DrainStarted', 'DrainFailed']);

    // The operator grants again later; this time the budget lets the pod go.
    await policies.deleteNamespacedPodDisruptionBudget({ namespace: machine.namespace, name: 'guarded-budget' });
    await grantReboot(core, machine.nodeName, policy);
    await waitForNode(core, machine.nodeName, 'rebooted into 4230.2.4', rebootedInto('4230.2.4'));
    assert.equal(boots.bootIds.length, 1);
    const done = await core.readNode({ name: machine.nodeName });
    assert.equal(annotationsOf(done)[ANNOTATIONS.drainFailed], undefined, 'a completed reboot clears the failure');
    boots.stop();
  });

  it('reboots anyway when the drain times out under onTimeout Reboot, leaving the budget alone', async () => {
    const machine = await aMachine();
    const policy = await aPolicy({ drain: { gracePeriodSeconds: 0, timeout: '1s', onTimeout: 'Reboot' } });
    await aRunningPod(machine, 'guarded', { labels: { app: 'guarded' } });
    await guard(machine, 'guarded');
    await stageUpdate(machine, '4230.2.4');
    const boots = countBoots(machine.os);
    const started = new Date();

    await grantReboot(core, machine.nodeName, policy);
    await waitForNode(core, machine.nodeName, 'rebooted into 4230.2.4', rebootedInto('4230.2.4'), 30_000);
    assert.equal(boots.bootIds.length, 1);
    await assertNodeEventReasons(core, machine.nodeName, started, [
      'DrainStarted',
      'DrainFailed',
      'RebootStarted',
      'RebootCompleted',
    ]);
    const pod = await core.readNamespacedPod({ namespace: machine.namespace, name: 'guarded' });
    assert.equal(pod.metadata?.deletionTimestamp, undefined, 'the guarded pod was never evicted');
    boots.stop();
  });

  it('does not reboot when the drain settings refuse a pod, whatever onTimeout says', async () => {
    const machine = await aMachine();
    const policy = await aPolicy({ drain: { gracePeriodSeconds: 0, onTimeout: 'Reboot' } });
    await aRunningPod(machine, 'bare', { controlled: false });
    await stageUpdate(machine, '4230.2.4');
    const boots = countBoots(machine.os);

    await grantReboot(core, machine.nodeName, policy);
    const failed = await waitForNode(
      core,
      machine.nodeName,
      'drain-failed',
      (node) => annotationsOf(node)[ANNOTATIONS.drainFailed] !== undefined,
      30_000,
    );
    assert.notEqual(failed.spec?.unschedulable, true);
    await nodeNeverDuring(kubeConfig, machine.nodeName, 'a reboot after a refused drain', 1_000, (node) =>
      annotationsOf(node)[ANNOTATIONS.rebootInProgress] === TRUE || node.spec?.unschedulable === true
        ? 'the reboot went ahead'
        : undefined,
    );
    assert.equal(boots.bootIds.length, 0);
    await core.readNamespacedPod({ namespace: machine.namespace, name: 'bare' });
    boots.stop();
  });

  it('only reports on Fedora CoreOS: labels and status, never reboot-needed, never a reboot', async () => {
    const machine = await aMachine('fedora-coreos');
    machine.updates.offer({ version: '42.20250915.3.0' });
    await machine.os.updateEngine.attemptUpdate();
    const reported = await waitForNode(
      core,
      machine.nodeName,
      'the staged update reported',
      (node) => annotationsOf(node)[ANNOTATIONS.status] === 'UPDATE_STATUS_UPDATED_NEED_REBOOT',
    );
    assert.equal(labelsOf(reported)[LABELS.osId], 'fedora-coreos');
    assert.equal(labelsOf(reported)[LABELS.version], '42.20250901.3.0');
    assert.equal(annotationsOf(reported)[ANNOTATIONS.newVersion], '42.20250915.3.0');
    assert.equal(annotationsOf(reported)[ANNOTATIONS.rebootNeeded], undefined);
    const boots = countBoots(machine.os);

    // Even an explicit grant does not make the agent reboot it: Zincati does, through FleetLock.
    await core.patchNode(
      { name: machine.nodeName, body: { metadata: { annotations: { [ANNOTATIONS.rebootNeeded]: TRUE } } } },
      mergePatch(),
    );
    await grantReboot(core, machine.nodeName);
    await nodeNeverDuring(kubeConfig, machine.nodeName, 'a reboot Zincati should make', 1_500, (node) => {
      if (annotationsOf(node)[ANNOTATIONS.rebootInProgress] !== undefined) return 'the agent started a reboot';
      return node.spec?.unschedulable === true ? 'the agent cordoned it' : undefined;
    });
    assert.equal(boots.bootIds.length, 0);
    boots.stop();
  });

  it('refuses invalid options with a message naming the field', async () => {
    const os = new SimulatedOperatingSystem({
      id: 'flatcar',
      version: '4230.2.3',
      updateSource: new ManualUpdateSource(),
      timings: FAST,
    });
    await assert.rejects(
      runAgent({ kubeConfig, nodeName: 'Not_A_Node', os, signal: new AbortController().signal }),
      (error: unknown) => {
        assert.ok(error instanceof AgentConfigError);
        assert.match(error.message, /nodeName: must be the name of a Node/);
        return true;
      },
    );
  });
});
