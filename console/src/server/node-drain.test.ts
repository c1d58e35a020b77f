import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiException, type V1Pod } from '@kubernetes/client-node';
import { podObject, type PodFixture } from '../../testing/pods.ts';
import { drainDecision, podRow } from './node-detail.ts';
import { drainPods } from './node-drain.ts';

const pod = (name: string, fixture: Partial<PodFixture> = {}): V1Pod =>
  podObject({ namespace: 'apps', name, nodeName: 'worker-1', controller: 'ReplicaSet', phase: 'Running', ...fixture });

/** The API server's refusal as @kubernetes/client-node throws it: its status code and a metav1.Status body. */
const refusal = (code: number, message: string) =>
  new ApiException(code, `HTTP-Code: ${code}`, JSON.stringify({ kind: 'Status', code, message }), {});

describe('drainDecision', () => {
  it('evicts a pod a controller recreates elsewhere', () => {
    assert.deepEqual(drainDecision(pod('web')), { action: 'evict' });
  });

  it('leaves DaemonSet, mirror, finished and terminating pods, as kubectl drain does', () => {
    assert.deepEqual(drainDecision(pod('agent', { controller: 'DaemonSet' })), { action: 'skip', reason: 'daemonset' });
    assert.deepEqual(drainDecision(pod('apiserver', { controller: undefined, mirror: true })), {
      action: 'skip',
      reason: 'mirror',
    });
    assert.deepEqual(drainDecision(pod('job', { phase: 'Succeeded', controller: undefined })), {
      action: 'skip',
      reason: 'terminated',
    });
    assert.deepEqual(drainDecision(pod('going', { terminating: true })), { action: 'skip', reason: 'terminating' });
  });

  it('refuses a bare pod and a pod with emptyDir data, naming why', () => {
    const bare = drainDecision(pod('bare', { controller: undefined }));
    assert.deepEqual(bare.action === 'refuse' && bare.reasons, ['no-controller']);
    const scratch = drainDecision(pod('cache', { emptyDir: 'scratch' }));
    assert.equal(scratch.action === 'refuse' && scratch.detail, 'its emptyDir data (scratch) would be lost');
    const both = drainDecision(pod('scratchpad', { controller: undefined, emptyDir: 'notes' }));
    assert.deepEqual(both, {
      action: 'refuse',
      reasons: ['no-controller', 'emptydir'],
      detail: 'no controller would recreate it elsewhere; its emptyDir data (notes) would be lost',
    });
  });

  it('evicts what --force and --delete-emptydir-data allow, each only what it names', () => {
    const scratchpad = pod('scratchpad', { controller: undefined, emptyDir: 'notes' });
    assert.deepEqual(drainDecision(scratchpad, { force: true, deleteEmptyDirData: false }), {
      action: 'refuse',
      reasons: ['emptydir'],
      detail: 'its emptyDir data (notes) would be lost',
    });
    assert.deepEqual(drainDecision(scratchpad, { force: false, deleteEmptyDirData: true }), {
      action: 'refuse',
      reasons: ['no-controller'],
      detail: 'no controller would recreate it elsewhere',
    });
    assert.deepEqual(drainDecision(scratchpad, { force: true, deleteEmptyDirData: true }), { action: 'evict' });
    // A DaemonSet's pod stays whatever the options: its controller would put it straight back.
    assert.deepEqual(
      drainDecision(pod('agent', { controller: 'DaemonSet' }), { force: true, deleteEmptyDirData: true }),
      {
        action: 'skip',
        reason: 'daemonset',
      },
    );
  });

  it('is the pod row’s drain column, with the controller as Kind/name', () => {
    const row = podRow(pod('web'));
    assert.equal(row.controller, 'ReplicaSet/web-owner');
    assert.deepEqual(row.drain, { action: 'evict' });
    assert.equal(podRow(pod('bare', { controller: undefined })).controller, undefined);
  });
});

describe('drainPods', () => {
  it('evicts each evictable pod once and reports a PodDisruptionBudget refusal per pod, in its words', async () => {
    const evicted: string[] = [];
    const budget = 'Cannot evict pod as it would violate the pod’s disruption budget.';
    const outcomes = await drainPods(
      [pod('web-1'), pod('db-0'), pod('agent', { controller: 'DaemonSet' }), pod('bare', { controller: undefined })],
      (target) => {
        const name = target.metadata?.name ?? '';
        evicted.push(name);
        return name === 'db-0' ? Promise.reject(refusal(429, budget)) : Promise.resolve();
      },
    );
    assert.deepEqual(evicted, ['web-1', 'db-0']);
    assert.deepEqual(outcomes, [
      { namespace: 'apps', name: 'web-1', outcome: 'evicted' },
      { namespace: 'apps', name: 'db-0', outcome: 'refused', message: `HTTP 429: ${budget}`, status: 429 },
      { namespace: 'apps', name: 'agent', outcome: 'skipped', message: 'skipped: DaemonSet pod' },
      {
        namespace: 'apps',
        name: 'bare',
        outcome: 'not-evicted',
        message: 'not evicted: no controller would recreate it elsewhere',
      },
    ]);
  });

  it('evicts a pod without a controller when the drain is forced', async () => {
    const evicted: string[] = [];
    const outcomes = await drainPods(
      [pod('bare', { controller: undefined })],
      (target) => {
        evicted.push(target.metadata?.name ?? '');
        return Promise.resolve();
      },
      { force: true, deleteEmptyDirData: false },
    );
    assert.deepEqual(evicted, ['bare']);
    assert.deepEqual(outcomes, [{ namespace: 'apps', name: 'bare', outcome: 'evicted' }]);
  });

  it('counts a pod already gone as evicted, and any other refusal as failed with its status', async () => {
    const outcomes = await drainPods([pod('gone'), pod('forbidden')], (target) =>
      Promise.reject(
        target.metadata?.name === 'gone'
          ? refusal(404, 'pods "gone" not found')
          : refusal(403, 'pods "forbidden" is forbidden'),
      ),
    );
    assert.deepEqual(outcomes, [
      { namespace: 'apps', name: 'gone', outcome: 'evicted', message: 'already gone' },
      {
        namespace: 'apps',
        name: 'forbidden',
        outcome: 'failed',
        message: 'HTTP 403: pods "forbidden" is forbidden',
        status: 403,
      },
    ]);
  });
});
