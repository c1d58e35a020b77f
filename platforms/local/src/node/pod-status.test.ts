import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { podStatus, podStatusFingerprint } from './pod-status.ts';
import type { PodRuntimeStatus } from './pod-runtime.ts';
import { boundPod } from './testing/fixtures.ts';

const NOW = new Date('2026-01-02T03:04:05Z');
const LATER = new Date('2026-01-02T03:09:05Z');

const running = (ready = true): PodRuntimeStatus => ({
  phase: 'Running',
  ready,
  podIP: '10.244.1.2',
  startTime: NOW,
  containerStatuses: [{ name: 'c0', image: 'nginx:1.27', imageID: 'x', ready, restartCount: 0 }],
});

const conditionsOf = (pod: V1Pod) =>
  Object.fromEntries((pod.status?.conditions ?? []).map((condition) => [condition.type, condition]));

describe('pod status from a runtime report', () => {
  it('is Running and Ready with host and pod IPs, and the kubelet conditions True', () => {
    const pod = boundPod();
    const status = podStatus(pod, running(), '10.250.0.2', NOW);
    assert.equal(status.phase, 'Running');
    assert.equal(status.hostIP, '10.250.0.2');
    assert.deepEqual(status.hostIPs, [{ ip: '10.250.0.2' }]);
    assert.equal(status.podIP, '10.244.1.2');
    assert.deepEqual(status.podIPs, [{ ip: '10.244.1.2' }]);
    assert.equal(status.qosClass, 'BestEffort', 'kept from the API server');
    assert.equal(status.startTime, NOW);
    const conditions = conditionsOf({ ...pod, status });
    for (const type of ['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready', 'PodScheduled']) {
      assert.equal(conditions[type]?.status, 'True', type);
      assert.equal(conditions[type]?.lastTransitionTime, NOW);
      assert.equal(conditions[type]?.observedGeneration, 1);
    }
  });

  it('names the unready containers when not ready', () => {
    const status = podStatus(boundPod(), running(false), '10.250.0.2', NOW);
    const conditions = conditionsOf({ status });
    assert.equal(conditions['Ready']?.status, 'False');
    assert.equal(conditions['Ready']?.reason, 'ContainersNotReady');
    assert.equal(conditions['Ready']?.message, 'containers with unready status: [c0]');
    assert.equal(conditions['ContainersReady']?.status, 'False');
  });

  it('keeps transition times and the start time of conditions that did not change, and conditions others own', () => {
    const pod = boundPod();
    const first = podStatus(pod, running(), '10.250.0.2', NOW);
    first.conditions?.push({ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI' });
    const second = podStatus({ ...pod, status: first }, running(false), '10.250.0.2', LATER);
    const conditions = conditionsOf({ status: second });
    assert.equal(conditions['Initialized']?.lastTransitionTime, NOW);
    assert.equal(conditions['Ready']?.lastTransitionTime, LATER);
    assert.equal(conditions['DisruptionTarget']?.reason, 'EvictionByEvictionAPI');
    assert.equal(second.startTime, NOW);
  });

  it('reads timestamps that came from a watch as strings', () => {
    const pod = boundPod();
    const first = podStatus(pod, running(), '10.250.0.2', NOW);
    const asJson = JSON.parse(JSON.stringify(first)) as typeof first;
    const second = podStatus({ ...pod, status: asJson }, running(), '10.250.0.2', LATER);
    assert.equal(second.startTime?.getTime(), NOW.getTime());
    assert.equal(conditionsOf({ status: second })['Ready']?.lastTransitionTime?.getTime(), NOW.getTime());
  });

  it('holds Ready back for an open readiness gate', () => {
    const pod = boundPod();
    pod.spec = {
      ...pod.spec,
      containers: pod.spec?.containers ?? [],
      readinessGates: [{ conditionType: 'example.com/lb' }],
    };
    const conditions = conditionsOf({ status: podStatus(pod, running(), '10.250.0.2', NOW) });
    assert.equal(conditions['ContainersReady']?.status, 'True');
    assert.equal(conditions['Ready']?.status, 'False');
    assert.equal(conditions['Ready']?.reason, 'ReadinessGatesNotReady');
  });

  it('fingerprints what a status says, not when', () => {
    const pod = boundPod();
    const first = podStatus(pod, running(), '10.250.0.2', NOW);
    const same = podStatus(boundPod(), running(), '10.250.0.2', LATER);
    assert.equal(podStatusFingerprint(first), podStatusFingerprint(same));
    assert.notEqual(
      podStatusFingerprint(first),
      podStatusFingerprint(podStatus(pod, running(false), '10.250.0.2', NOW)),
    );
  });
});
