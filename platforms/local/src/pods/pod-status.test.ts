import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1ContainerState, V1ContainerStatus } from '@kubernetes/client-node';
import { isReady, podPhase } from './pod-status.ts';

function status(state: V1ContainerState, overrides: Partial<V1ContainerStatus> = {}): V1ContainerStatus {
  return { name: 'c', image: 'i', imageID: '', ready: false, restartCount: 0, state, ...overrides };
}

const running = status({ running: { startedAt: new Date() } }, { ready: true });
const succeeded = status({ terminated: { exitCode: 0 } });
const failed = status({ terminated: { exitCode: 1 } });
const creating = status({ waiting: { reason: 'ContainerCreating' } });
const crashLooping = status(
  { waiting: { reason: 'CrashLoopBackOff' } },
  { lastState: { terminated: { exitCode: 1 } } },
);

describe('podPhase, as the kubelet computes it', () => {
  it('is Pending while a container has not run yet', () => {
    assert.equal(podPhase([running, creating], 'Always'), 'Pending');
    assert.equal(podPhase([], 'Always'), 'Pending');
  });

  it('is Running while a container runs or waits to be restarted', () => {
    assert.equal(podPhase([running, succeeded], 'Never'), 'Running');
    assert.equal(podPhase([crashLooping], 'Always'), 'Running');
    assert.equal(podPhase([crashLooping], 'OnFailure'), 'Running');
  });

  it('ends Succeeded or Failed when nothing will be restarted', () => {
    assert.equal(podPhase([succeeded, succeeded], 'Never'), 'Succeeded');
    assert.equal(podPhase([succeeded, failed], 'Never'), 'Failed');
    assert.equal(podPhase([succeeded], 'OnFailure'), 'Succeeded');
    assert.equal(podPhase([succeeded], 'Always'), 'Running');
  });

  it('is ready only when Running with every container ready', () => {
    assert.equal(isReady('Running', [running]), true);
    assert.equal(isReady('Running', [running, status({ running: {} })]), false);
    assert.equal(isReady('Pending', [running]), false);
  });
});
