import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { POD_ANNOTATIONS } from '@strata/api';
import { podDrainDecision, type PodDrainOptions } from './drain-selection.ts';
import { aPod } from './testing/pods.ts';

const DEFAULTS: PodDrainOptions = { force: false, deleteEmptyDirData: false };

describe('podDrainDecision', () => {
  it('leaves finished, mirror and DaemonSet pods in that order of reasons, and waits for a terminating one', () => {
    assert.deepEqual(podDrainDecision(aPod({ phase: 'Failed', controller: 'DaemonSet' }), DEFAULTS), {
      action: 'skip',
      reason: 'terminated',
    });
    assert.deepEqual(podDrainDecision(aPod({ controller: undefined, mirror: true }), DEFAULTS), {
      action: 'skip',
      reason: 'mirror',
    });
    assert.deepEqual(podDrainDecision(aPod({ controller: 'DaemonSet' }), { force: true, deleteEmptyDirData: true }), {
      action: 'skip',
      reason: 'daemonset',
    });
    assert.deepEqual(podDrainDecision(aPod({ terminating: true, controller: undefined }), DEFAULTS), {
      action: 'await-deletion',
    });
  });

  it('leaves what the caller skips, before any refusal', () => {
    const keep = aPod({ controller: undefined, emptyDir: true, labels: { keep: 'yes' } });
    const skip = (pod: typeof keep) => pod.metadata?.labels?.['keep'] === 'yes';
    assert.deepEqual(podDrainDecision(keep, { ...DEFAULTS, skip }), { action: 'skip', reason: 'skip-selector' });
  });

  it('refuses each reason separately, and each option lifts only its own', () => {
    const pod = aPod({ name: 'scratchpad', controller: undefined, emptyDir: true });
    const volumes = pod.spec?.volumes?.map((volume) => volume.name) ?? [];
    assert.deepEqual(podDrainDecision(pod, DEFAULTS), {
      action: 'refuse',
      refusals: [{ kind: 'no-controller' }, { kind: 'emptydir', volumes }],
    });
    assert.deepEqual(podDrainDecision(pod, { force: true, deleteEmptyDirData: false }), {
      action: 'refuse',
      refusals: [{ kind: 'emptydir', volumes }],
    });
    assert.deepEqual(podDrainDecision(pod, { force: false, deleteEmptyDirData: true }), {
      action: 'refuse',
      refusals: [{ kind: 'no-controller' }],
    });
    assert.deepEqual(podDrainDecision(pod, { force: true, deleteEmptyDirData: true }), { action: 'evict' });
  });

  it('evicts a pod whose every emptyDir is declared scratch', () => {
    const pod = aPod({ emptyDir: true });
    const names = (pod.spec?.volumes ?? []).map((volume) => volume.name).join(',');
    const declared = aPod({ emptyDir: true, annotations: { [POD_ANNOTATIONS.scratchVolumes]: ` ${names} ` } });
    assert.deepEqual(podDrainDecision(declared, DEFAULTS), { action: 'evict' });
  });
});
