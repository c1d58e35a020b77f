import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveDrainSettings, type DrainSettingsInput } from './drain-settings.ts';
import { selectPodsToDrain } from './pod-selection.ts';
import { aPod } from '@strata/kube/testing';
import type { V1Pod } from '@kubernetes/client-node';
import { POD_ANNOTATIONS } from '@strata/api';

const names = (pods: readonly V1Pod[]): string[] => pods.map((pod) => pod.metadata?.name ?? '');
const select = (pods: V1Pod[], settings: DrainSettingsInput = {}) =>
  selectPodsToDrain(pods, resolveDrainSettings(settings));

describe('selectPodsToDrain', () => {
  it('evicts pods with a controller and leaves DaemonSet, mirror and finished pods', () => {
    const selection = select([
      aPod({ name: 'web' }),
      aPod({ name: 'flannel', controller: 'DaemonSet' }),
      aPod({ name: 'kube-apiserver', controller: undefined, mirror: true }),
      aPod({ name: 'done', controller: 'Job', phase: 'Succeeded' }),
      aPod({ name: 'crashed', controller: undefined, phase: 'Failed' }),
    ]);
    assert.deepEqual(names(selection.evict), ['web']);
    assert.deepEqual(
      selection.skipped.map(({ pod, reason }) => [pod.metadata?.name, reason]),
      [
        ['flannel', 'daemonset'],
        ['kube-apiserver', 'mirror'],
        ['done', 'terminated'],
        ['crashed', 'terminated'],
      ],
    );
    assert.deepEqual(selection.refused, []);
  });

  it('refuses a pod without a controller unless force, naming the flag', () => {
    const refused = select([aPod({ name: 'bare', namespace: 'team', controller: undefined })]);
    assert.equal(refused.refused.length, 1);
    assert.equal(refused.refused[0]?.name, 'bare');
    assert.equal(refused.refused[0]?.namespace, 'team');
    assert.match(refused.refused[0]?.reason ?? '', /drain\.force/);
    assert.deepEqual(names(refused.evict), []);

    const forced = select([aPod({ name: 'bare', controller: undefined })], { force: true });
    assert.deepEqual(names(forced.evict), ['bare']);
    assert.deepEqual(forced.refused, []);
  });

  it('refuses a pod with emptyDir data unless deleteEmptyDirData, naming the volume and the flag', () => {
    const refused = select([aPod({ name: 'cache', emptyDir: true })]);
    assert.match(refused.refused[0]?.reason ?? '', /scratch.*drain\.deleteEmptyDirData/);
    const allowed = select([aPod({ name: 'cache', emptyDir: true })], { deleteEmptyDirData: true });
    assert.deepEqual(names(allowed.evict), ['cache']);
  });

  it('evicts a pod whose emptyDir is declared scratch, and still refuses any emptyDir it does not declare', () => {
    const declared = { [POD_ANNOTATIONS.scratchVolumes]: 'staging, scratch' };
    const scratchOnly = select([aPod({ name: 'etcd-operator', emptyDir: true, annotations: declared })]);
    assert.deepEqual(names(scratchOnly.evict), ['etcd-operator']);
    assert.deepEqual(scratchOnly.refused, []);

    const other = select([
      aPod({ name: 'cache', emptyDir: true, annotations: { [POD_ANNOTATIONS.scratchVolumes]: 'staging' } }),
    ]);
    assert.match(other.refused[0]?.reason ?? '', /scratch.*drain\.deleteEmptyDirData/);
    assert.deepEqual(names(other.evict), []);
  });

  it('gives both reasons for a bare pod with emptyDir data, and force alone is not enough', () => {
    const both = select([aPod({ name: 'scratchpad', controller: undefined, emptyDir: true })]);
    assert.match(both.refused[0]?.reason ?? '', /drain\.force.*drain\.deleteEmptyDirData/);
    const forcedOnly = select([aPod({ name: 'scratchpad', controller: undefined, emptyDir: true })], { force: true });
    assert.match(forcedOnly.refused[0]?.reason ?? '', /drain\.deleteEmptyDirData/);
    assert.doesNotMatch(forcedOnly.refused[0]?.reason ?? '', /drain\.force/);
  });

  it('leaves pods matching any skip selector, even ones it would otherwise refuse', () => {
    const selection = select(
      [
        aPod({ name: 'keep-by-label', labels: { keep: 'yes' }, controller: undefined }),
        aPod({ name: 'keep-by-expression', labels: { tier: 'storage' } }),
        aPod({ name: 'go', labels: { tier: 'web' } }),
      ],
      {
        skipPodSelectors: [
          { matchLabels: { keep: 'yes' } },
          { matchExpressions: [{ key: 'tier', operator: 'In', values: ['storage', 'db'] }] },
        ],
      },
    );
    assert.deepEqual(names(selection.evict), ['go']);
    assert.deepEqual(
      selection.skipped.map(({ pod, reason }) => [pod.metadata?.name, reason]),
      [
        ['keep-by-label', 'skip-selector'],
        ['keep-by-expression', 'skip-selector'],
      ],
    );
    assert.deepEqual(selection.refused, []);
  });

  it('only waits for pods already being deleted', () => {
    const selection = select([aPod({ name: 'leaving', terminating: true }), aPod({ name: 'staying' })]);
    assert.deepEqual(names(selection.awaitDeletion), ['leaving']);
    assert.deepEqual(names(selection.evict), ['staying']);
  });
});
