import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { waitFor } from '@strata/harness';
import { NodePods } from './node-pods.ts';
import type { NodeContext, PodRuntime, PodRuntimeStatus } from './pod-runtime.ts';
import { PodStatusWriter } from './pod-status-writer.ts';
import { PlaceholderPodRuntime } from './placeholder-runtime.ts';
import { boundPod, nodeContext } from './testing/fixtures.ts';
import { FakePods } from './testing/fake-clients.ts';

/** A runtime that records what it is asked and reports Running at once. */
class RecordingRuntime implements PodRuntime {
  readonly calls: string[] = [];
  readonly #inner = new PlaceholderPodRuntime();
  readonly #accepts: (pod: V1Pod) => boolean;

  constructor(accepts: (pod: V1Pod) => boolean = () => true) {
    this.#accepts = accepts;
  }

  handles(pod: V1Pod): boolean {
    return this.#accepts(pod);
  }

  start(pod: V1Pod, node: NodeContext, report: (status: PodRuntimeStatus) => void): Promise<void> {
    this.calls.push(`start ${pod.metadata?.name ?? ''}`);
    return this.#inner.start(pod, node, report);
  }

  stop(uid: string, grace: number): Promise<void> {
    this.calls.push(`stop ${uid} ${grace}`);
    return this.#inner.stop(uid);
  }

  stopAll(grace: number): Promise<void> {
    this.calls.push(`stopAll ${grace}`);
    return this.#inner.stopAll();
  }
}

class FakePodsWithDelete extends FakePods {
  readonly deletes: string[] = [];
  deleteNamespacedPod: CoreV1Api['deleteNamespacedPod'] = (param) => {
    this.deletes.push(
      `${param.name} grace=${String(param.gracePeriodSeconds)} uid=${param.body?.preconditions?.uid ?? ''}`,
    );
    const pod = this.pods.get(param.name);
    this.pods.delete(param.name);
    return pod === undefined ? Promise.reject(new Error('gone')) : Promise.resolve(pod);
  };
}

function setUp(runtimes: readonly PodRuntime[] = [new RecordingRuntime()]) {
  const client = new FakePodsWithDelete();
  const errors: string[] = [];
  const pods = new NodePods({
    context: nodeContext(),
    runtimes,
    client,
    onError: (error, activity) => errors.push(`${activity}: ${String(error)}`),
  });
  return { client, errors, pods };
}

const statusOf = (client: FakePods, name: string) => client.pods.get(name)?.status;

describe('the pods of a node', () => {
  it('starts a pod once however often it is seen, and writes its status', async () => {
    const runtime = new RecordingRuntime();
    const { client, pods, errors } = setUp([runtime]);
    pods.boot();
    const pod = client.put(boundPod());
    pods.upsert(pod);
    pods.upsert(pod);
    await waitFor('the status', () => (statusOf(client, 'web')?.phase === 'Running' ? true : undefined));
    const written = client.pods.get('web');
    assert.ok(written);
    pods.upsert(written);
    assert.deepEqual(runtime.calls, ['start web']);
    assert.equal(client.patches.length, 1);
    assert.equal(statusOf(client, 'web')?.hostIP, '10.250.0.2');
    assert.deepEqual(errors, []);
  });

  it('stops a deleted pod within its grace period, then makes the final delete', async () => {
    const runtime = new RecordingRuntime();
    const { client, pods } = setUp([runtime]);
    pods.boot();
    pods.upsert(client.put(boundPod({ uid: 'u1' })));
    await waitFor('the status', () => (statusOf(client, 'web') === undefined ? undefined : true));
    const current = client.pods.get('web');
    assert.ok(current);
    const deleting = {
      ...current,
      metadata: { ...current.metadata, deletionTimestamp: new Date(), deletionGracePeriodSeconds: 17 },
    };
    pods.upsert(deleting);
    pods.upsert(deleting);
    await waitFor('the final delete', () => (client.deletes.length > 0 ? true : undefined));
    assert.deepEqual(runtime.calls, ['start web', 'stop u1 17']);
    assert.deepEqual(client.deletes, ['web grace=0 uid=u1']);
    pods.remove(deleting);
    assert.equal(pods.running, 0);
  });

  it('stops everything when the machine goes down, ignores pods while down, and runs them all at boot', async () => {
    const runtime = new RecordingRuntime();
    const { client, pods } = setUp([runtime]);
    pods.boot();
    pods.upsert(client.put(boundPod({ name: 'a', uid: 'ua' })));
    await waitFor('a running', () => (statusOf(client, 'a') === undefined ? undefined : true));
    await pods.shutdown(30);
    assert.equal(pods.running, 0);
    pods.upsert(client.put(boundPod({ name: 'b', uid: 'ub' })));
    assert.deepEqual(runtime.calls, ['start a', 'stopAll 30']);
    pods.boot();
    await waitFor('b running', () => (statusOf(client, 'b') === undefined ? undefined : true));
    assert.deepEqual(runtime.calls.slice(2).sort(), ['start a', 'start b']);
    await waitFor('a restarted', () =>
      statusOf(client, 'a')?.containerStatuses?.[0]?.restartCount === 1 ? true : undefined,
    );
  });

  it('gives each pod to the first runtime that takes it, and says so when none does', async () => {
    const picky = new RecordingRuntime((pod) => pod.metadata?.name === 'special');
    const { client, pods, errors } = setUp([picky]);
    pods.boot();
    pods.upsert(client.put(boundPod({ name: 'special', uid: 's' })));
    pods.upsert(client.put(boundPod({ name: 'ordinary', uid: 'o' })));
    await waitFor('special running', () => (statusOf(client, 'special') === undefined ? undefined : true));
    assert.deepEqual(picky.calls, ['start special']);
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', /no pod runtime of node worker-0001 handles pod default\/ordinary/);
  });

  it('leaves terminal pods alone', () => {
    const runtime = new RecordingRuntime();
    const { client, pods } = setUp([runtime]);
    pods.boot();
    const done = boundPod();
    done.status = { phase: 'Succeeded' };
    pods.upsert(client.put(done));
    assert.deepEqual(runtime.calls, []);
  });
});

describe('pod status writes', () => {
  it('redo a write that conflicts on the fresh pod, keeping what the other writer added', async () => {
    const client = new FakePods();
    let latest = client.put(boundPod());
    const writer = new PodStatusWriter({
      client,
      nodeIP: '10.250.0.2',
      latest: () => latest,
      observed: (pod) => (latest = pod),
      onError: (error) => assert.fail(String(error)),
    });
    // Someone else writes the pod after the node last saw it.
    const stored = client.pods.get('web');
    assert.ok(stored);
    client.put({ ...stored, status: { ...stored.status, conditions: [{ type: 'DisruptionTarget', status: 'True' }] } });
    writer.write('uid-web', { phase: 'Running', ready: true, podIP: '10.244.0.9' });
    await writer.idle();
    const conditions = client.pods.get('web')?.status?.conditions?.map((condition) => condition.type);
    assert.ok(conditions?.includes('DisruptionTarget'));
    assert.ok(conditions?.includes('Ready'));
    assert.equal(client.patches.length, 1);
  });

  it('coalesce reports that come while a write is in flight, and skip what the pod already shows', async () => {
    const client = new FakePods();
    let latest = client.put(boundPod());
    const writer = new PodStatusWriter({
      client,
      nodeIP: '10.250.0.2',
      latest: () => latest,
      observed: (pod) => (latest = pod),
      onError: (error) => assert.fail(String(error)),
    });
    writer.write('uid-web', { phase: 'Pending', ready: false });
    writer.write('uid-web', { phase: 'Running', ready: false });
    writer.write('uid-web', { phase: 'Running', ready: true, podIP: '10.244.0.9' });
    await writer.idle();
    assert.deepEqual(
      client.patches.map((patch) => patch.status?.phase),
      ['Pending', 'Running'],
    );
    writer.write('uid-web', { phase: 'Running', ready: true, podIP: '10.244.0.9' });
    await writer.idle();
    assert.equal(client.patches.length, 2, 'nothing new to write');
  });
});
