import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aPod, MIRROR_POD_ANNOTATION } from './pods.ts';

describe('aPod', () => {
  it('builds a pod bound to a node, owned by a ReplicaSet, with a unique name and uid', () => {
    const [first, second] = [aPod(), aPod()];
    assert.equal(first.spec?.nodeName, 'node-1');
    assert.equal(first.metadata?.namespace, 'default');
    assert.deepEqual(
      first.metadata?.ownerReferences?.map((owner) => [owner.kind, owner.controller]),
      [['ReplicaSet', true]],
    );
    assert.deepEqual(first.spec?.containers, [{ name: 'main', image: 'registry.example/app:1' }]);
    assert.equal(first.status, undefined);
    assert.notEqual(first.metadata?.name, second.metadata?.name);
    assert.notEqual(first.metadata?.uid, second.metadata?.uid);
  });

  it("makes a bare pod when the controller is given as undefined, and a Job's pod with batch/v1", () => {
    assert.equal(aPod({ controller: undefined }).metadata?.ownerReferences, undefined);
    assert.deepEqual(
      aPod({ controller: 'Job' }).metadata?.ownerReferences?.map((owner) => owner.apiVersion),
      ['batch/v1'],
    );
  });

  it('states what a drain looks at: mirror, emptyDir, terminating, phase', () => {
    const pod = aPod({ mirror: true, emptyDir: true, terminating: true, phase: 'Succeeded', annotations: { a: 'b' } });
    assert.deepEqual(pod.metadata?.annotations, { a: 'b', [MIRROR_POD_ANNOTATION]: 'hash' });
    assert.deepEqual(pod.spec?.volumes, [{ name: 'scratch', emptyDir: {} }]);
    assert.ok(pod.metadata?.deletionTimestamp instanceof Date);
    assert.equal(pod.status?.phase, 'Succeeded');
  });

  it('takes images as containers c0, c1, ... and the rest of spec, metadata and status over its defaults', () => {
    const pod = aPod({
      images: ['nginx:1.27', 'busybox'],
      spec: { hostNetwork: true },
      metadata: { resourceVersion: '7' },
      phase: 'Pending',
      status: { qosClass: 'BestEffort' },
    });
    assert.deepEqual(pod.spec?.containers, [
      { name: 'c0', image: 'nginx:1.27' },
      { name: 'c1', image: 'busybox' },
    ]);
    assert.equal(pod.spec?.hostNetwork, true);
    assert.equal(pod.metadata?.resourceVersion, '7');
    assert.deepEqual(pod.status, { phase: 'Pending', qosClass: 'BestEffort' });
  });
});
