import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, PolicyV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { mergePatch } from './kube-api.ts';
import { sharedControlPlane, uniqueName, waitFor } from '@strata/harness';
import { cordonNode, NodeChangedError, uncordonNode } from './cordon.ts';
import { drainNode, type DrainEvent } from './drain.ts';
import type { DrainSettingsInput } from './drain-settings.ts';
import { DrainRefusedError, DrainTimeoutError } from './errors.ts';
import { statusCodeOf } from '@strata/kube';
import { aPod, type PodFixture } from '@strata/kube/testing';

// No kubelet runs beside this API server: a pod evicted with grace period 0 is
// deleted at once, one evicted with its own grace period stays terminating.

let kubeConfig: KubeConfig;
let core: CoreV1Api;
let policy: PolicyV1Api;

before(async () => {
  const cluster = await sharedControlPlane();
  kubeConfig = cluster.adminKubeConfig();
  core = kubeConfig.makeApiClient(CoreV1Api);
  policy = kubeConfig.makeApiClient(PolicyV1Api);
});

interface Scene {
  readonly nodeName: string;
  readonly namespace: string;
}

const scenes: Scene[] = [];

after(async () => {
  for (const { nodeName, namespace } of scenes) {
    await core.deleteNode({ name: nodeName });
    await core.deleteNamespace({ name: namespace });
  }
});

/** A Node object and a namespace with pods bound to that node. */
async function aNodeWithPods(fixtures: readonly PodFixture[]): Promise<Scene> {
  const scene = { nodeName: uniqueName('drain-node'), namespace: uniqueName('drain') };
  scenes.push(scene);
  await core.createNode({ body: { metadata: { name: scene.nodeName } } });
  await core.createNamespace({ body: { metadata: { name: scene.namespace } } });
  // No controller-manager creates it here, and pod admission needs it.
  await core.createNamespacedServiceAccount({ namespace: scene.namespace, body: { metadata: { name: 'default' } } });
  for (const fixture of fixtures) await createPod(scene, fixture);
  return scene;
}

async function createPod(scene: Scene, fixture: PodFixture): Promise<V1Pod> {
  const pod = aPod({ ...fixture, namespace: scene.namespace, nodeName: scene.nodeName });
  // The server assigns UIDs and deletion state itself.
  const metadata = { ...pod.metadata };
  delete metadata.uid;
  delete metadata.deletionTimestamp;
  delete metadata.deletionGracePeriodSeconds;
  await core.createNamespacedPod({
    namespace: scene.namespace,
    body: {
      ...pod,
      metadata,
      spec: { ...pod.spec, containers: pod.spec?.containers ?? [], automountServiceAccountToken: false },
    },
  });
  // The status a kubelet would report: the Eviction API lets any pending pod go regardless of budgets.
  const phase = pod.status?.phase ?? 'Running';
  const ready = phase === 'Running' ? 'True' : 'False';
  return core.patchNamespacedPodStatus(
    {
      namespace: scene.namespace,
      name: metadata.name ?? '',
      body: { status: { phase, conditions: [{ type: 'Ready', status: ready, lastTransitionTime: new Date() }] } },
    },
    mergePatch(),
  );
}

async function podNames(scene: Scene): Promise<string[]> {
  const { items } = await core.listNamespacedPod({ namespace: scene.namespace });
  return items.map((pod) => pod.metadata?.name ?? '').sort();
}

function drain(
  scene: Scene,
  settings: DrainSettingsInput,
  events: DrainEvent[] = [],
  signal = AbortSignal.timeout(60_000),
) {
  return drainNode({
    kubeConfig,
    nodeName: scene.nodeName,
    settings,
    signal,
    onEvent: (event) => events.push(event),
    retryBaseDelayMs: 100,
    retryMaxDelayMs: 400,
  });
}

describe('drainNode against a real API server', () => {
  it('evicts controller-owned pods, leaves DaemonSet, mirror and finished pods, and waits until the evicted are gone', async () => {
    const scene = await aNodeWithPods([
      { name: 'web-1' },
      { name: 'web-2', controller: 'StatefulSet' },
      { name: 'agent', controller: 'DaemonSet' },
      { name: 'static', controller: undefined, mirror: true },
      { name: 'job-done', controller: 'Job', phase: 'Succeeded' },
    ]);
    // A pod on another node is none of this drain's business.
    const other = await aNodeWithPods([{ name: 'elsewhere' }]);
    const events: DrainEvent[] = [];

    const result = await drain(scene, { gracePeriodSeconds: 0 }, events);

    assert.deepEqual(result.removed.map((pod) => pod.name).sort(), ['web-1', 'web-2']);
    assert.deepEqual(result.skipped.map(({ pod, reason }) => `${pod.metadata?.name ?? ''}:${reason}`).sort(), [
      'agent:daemonset',
      'job-done:terminated',
      'static:mirror',
    ]);
    assert.deepEqual(await podNames(scene), ['agent', 'job-done', 'static']);
    assert.deepEqual(await podNames(other), ['elsewhere']);
    assert.deepEqual(events.filter((event) => event.type === 'evicted').length, 2);
  });

  it('refuses bare pods and pods with emptyDir data before evicting anything, then evicts them when the flags allow', async () => {
    const scene = await aNodeWithPods([
      { name: 'bare', controller: undefined },
      { name: 'cache', emptyDir: true },
      { name: 'fine' },
    ]);

    await assert.rejects(drain(scene, { gracePeriodSeconds: 0 }), (error: unknown) => {
      assert.ok(error instanceof DrainRefusedError);
      assert.deepEqual(
        error.pods.map((pod) => pod.name),
        ['bare', 'cache'],
      );
      assert.match(error.message, /bare \(.*drain\.force/);
      assert.match(error.message, /cache \(.*drain\.deleteEmptyDirData/);
      return true;
    });
    assert.deepEqual(await podNames(scene), ['bare', 'cache', 'fine'], 'nothing is evicted when the drain is refused');

    await drain(scene, { gracePeriodSeconds: 0, force: true, deleteEmptyDirData: true });
    assert.deepEqual(await podNames(scene), []);
  });

  it('never bypasses a PodDisruptionBudget without force: it times out naming the budget', async () => {
    const scene = await aNodeWithPods([{ name: 'guarded', labels: { app: 'guarded' } }, { name: 'free' }]);
    await policy.createNamespacedPodDisruptionBudget({
      namespace: scene.namespace,
      body: {
        metadata: { name: 'keep-one' },
        spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } },
      },
    });
    const events: DrainEvent[] = [];

    await assert.rejects(drain(scene, { gracePeriodSeconds: 0, timeout: '2s' }, events), (error: unknown) => {
      assert.ok(error instanceof DrainTimeoutError);
      assert.equal(error.pods.length, 1);
      assert.equal(error.pods[0]?.name, 'guarded');
      assert.match(error.pods[0]?.reason ?? '', /^PodDisruptionBudget keep-one: The disruption budget keep-one /);
      return true;
    });
    const blocked = events.filter((event) => event.type === 'blocked');
    assert.ok(blocked.length >= 2, `the eviction is retried with back-off (${blocked.length} attempts)`);
    assert.ok(blocked.every((event) => event.budget === 'keep-one'));
    assert.ok(!events.some((event) => event.type === 'forced'));
    const guarded = await core.readNamespacedPod({ namespace: scene.namespace, name: 'guarded' });
    assert.equal(guarded.metadata?.deletionTimestamp, undefined, 'the guarded pod was never deleted');
    assert.deepEqual(await podNames(scene), ['guarded']);
  });

  it('with force, honours the budget for the whole timeout, then deletes the pod past it', async () => {
    const scene = await aNodeWithPods([{ name: 'guarded', labels: { app: 'guarded' } }]);
    await policy.createNamespacedPodDisruptionBudget({
      namespace: scene.namespace,
      body: {
        metadata: { name: 'keep-one' },
        spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } },
      },
    });
    const events: DrainEvent[] = [];
    const started = Date.now();
    const result = await drain(scene, { gracePeriodSeconds: 0, force: true, timeout: '2s' }, events);

    assert.ok(Date.now() - started >= 2_000, 'the budget was honoured until the timeout');
    assert.ok(events.some((event) => event.type === 'blocked' && event.budget === 'keep-one'));
    assert.deepEqual(
      events
        .filter((event) => event.type === 'forced')
        .map((event) => (event.type === 'forced' ? `${event.pod.name}:${event.budget ?? ''}` : '')),
      ['guarded:keep-one'],
    );
    assert.deepEqual(
      result.removed.map((pod) => pod.name),
      ['guarded'],
    );
    assert.deepEqual(await podNames(scene), []);
  });

  it('goes on evicting once the budget allows it', async () => {
    const scene = await aNodeWithPods([{ name: 'guarded', labels: { app: 'guarded' } }]);
    await policy.createNamespacedPodDisruptionBudget({
      namespace: scene.namespace,
      body: {
        metadata: { name: 'keep-one' },
        spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } },
      },
    });
    const events: DrainEvent[] = [];
    const drained = drain(scene, { gracePeriodSeconds: 0, timeout: '30s' }, events);
    await waitFor('a refused eviction', () => (events.some((event) => event.type === 'blocked') ? true : undefined));
    await policy.deleteNamespacedPodDisruptionBudget({ namespace: scene.namespace, name: 'keep-one' });

    const result = await drained;
    assert.deepEqual(
      result.removed.map((pod) => pod.name),
      ['guarded'],
    );
    assert.deepEqual(await podNames(scene), []);
  });

  it('waits for pods still terminating and counts a replacement with a new UID as gone', async () => {
    const scene = await aNodeWithPods([{ name: 'slow', terminationGracePeriodSeconds: 600 }]);
    const drained = drain(scene, { timeout: '30s' });
    // Evicted with its own grace period and no kubelet to finish it, the pod stays terminating.
    await waitFor('the eviction', async () => {
      const pod = await core.readNamespacedPod({ namespace: scene.namespace, name: 'slow' });
      return pod.metadata?.deletionTimestamp ? true : undefined;
    });
    await core.deleteNamespacedPod({ namespace: scene.namespace, name: 'slow', gracePeriodSeconds: 0 });
    await createPod(scene, { name: 'slow' });

    const result = await drained;
    assert.deepEqual(
      result.removed.map((pod) => pod.name),
      ['slow'],
    );
    assert.deepEqual(await podNames(scene), ['slow'], 'the replacement stays');
  });

  it('times out naming pods still terminating', async () => {
    const scene = await aNodeWithPods([{ name: 'slow', terminationGracePeriodSeconds: 600 }]);
    await assert.rejects(drain(scene, { timeout: '1s' }), (error: unknown) => {
      assert.ok(error instanceof DrainTimeoutError);
      assert.deepEqual(error.pods, [
        { namespace: scene.namespace, name: 'slow', reason: 'evicted but still terminating' },
      ]);
      return true;
    });
  });

  it('stops at once when aborted', async () => {
    const scene = await aNodeWithPods([{ name: 'guarded', labels: { app: 'guarded' } }]);
    await policy.createNamespacedPodDisruptionBudget({
      namespace: scene.namespace,
      body: {
        metadata: { name: 'keep-one' },
        spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } },
      },
    });
    const controller = new AbortController();
    const events: DrainEvent[] = [];
    const drained = drain(scene, { gracePeriodSeconds: 0, timeout: '10m' }, events, controller.signal);
    await waitFor('a refused eviction', () => (events.some((event) => event.type === 'blocked') ? true : undefined));
    const reason = new Error('agent stopping');
    controller.abort(reason);
    await assert.rejects(
      drained,
      (error: unknown) => error === reason || (error instanceof Error && error.cause === reason),
    );
  });
});

describe('cordonNode and uncordonNode', () => {
  it('set spec.unschedulable and annotations in one merge patch, optionally only at a resourceVersion', async () => {
    const scene = await aNodeWithPods([]);
    const cordoned = await cordonNode(core, scene.nodeName, { annotations: { 'example.com/cordoned-by': 'test' } });
    assert.equal(cordoned.spec?.unschedulable, true);
    assert.equal(cordoned.metadata?.annotations?.['example.com/cordoned-by'], 'test');

    await assert.rejects(
      uncordonNode(core, scene.nodeName, { resourceVersion: '1', annotations: { 'example.com/cordoned-by': null } }),
      NodeChangedError,
    );
    const uncordoned = await uncordonNode(core, scene.nodeName, {
      resourceVersion: cordoned.metadata?.resourceVersion ?? '',
      annotations: { 'example.com/cordoned-by': null },
    });
    assert.notEqual(uncordoned.spec?.unschedulable, true);
    assert.equal(uncordoned.metadata?.annotations?.['example.com/cordoned-by'], undefined);
  });

  it('fails with a typed error for a node that does not exist', async () => {
    await assert.rejects(
      cordonNode(core, uniqueName('missing')),
      (error: unknown) => error instanceof Error && statusCodeOf(error.cause) === 404,
    );
  });
});
