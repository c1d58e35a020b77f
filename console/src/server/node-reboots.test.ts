import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANNOTATIONS, LABELS, TRUE, UPDATE_POLICY } from '@strata/api';
import { policiesSelecting, rebootUnderWay } from './node-reboots.ts';

/** An UpdatePolicy list as the API server answers it, with one selector per policy. */
const policyList = (selectors: Readonly<Record<string, unknown>>) => ({
  apiVersion: UPDATE_POLICY.apiVersion,
  kind: 'UpdatePolicyList',
  items: Object.entries(selectors).map(([name, nodeSelector]) => ({
    apiVersion: UPDATE_POLICY.apiVersion,
    kind: UPDATE_POLICY.kind,
    metadata: { name },
    spec: { nodeSelector },
  })),
});

const EXCLUDES_PAUSED = { matchExpressions: [{ key: LABELS.rebootsPaused, operator: 'DoesNotExist' }] };

describe('policiesSelecting', () => {
  const listed = policyList({
    default: EXCLUDES_PAUSED,
    workers: { matchLabels: { pool: 'workers' } },
    everything: {},
  });

  it('names the policies that still select a paused node: those whose selector does not exclude the label', () => {
    assert.deepEqual(policiesSelecting(listed, { pool: 'workers', [LABELS.rebootsPaused]: TRUE }), [
      'everything',
      'workers',
    ]);
    assert.deepEqual(policiesSelecting(listed, { pool: 'infra', [LABELS.rebootsPaused]: TRUE }), ['everything']);
  });

  it('names every policy that selects the node once it is resumed', () => {
    assert.deepEqual(policiesSelecting(listed, { pool: 'workers' }), ['default', 'everything', 'workers']);
  });

  it('counts a policy whose selector it cannot read as selecting, rather than claim the node is held', () => {
    const odd = policyList({ odd: { matchExpressions: [{ key: 'pool', operator: 'Near' }] } });
    assert.deepEqual(policiesSelecting(odd, { [LABELS.rebootsPaused]: TRUE }), ['odd']);
  });
});

describe('rebootUnderWay', () => {
  it('names a reboot granted, running, hooked or locked, which a pause would strand', () => {
    assert.equal(rebootUnderWay({ annotations: { [ANNOTATIONS.rebootOk]: TRUE } }), 'a reboot is granted');
    assert.equal(rebootUnderWay({ annotations: { [ANNOTATIONS.rebootInProgress]: TRUE } }), 'it is rebooting');
    assert.equal(
      rebootUnderWay({ annotations: { [ANNOTATIONS.fleetLockHolder]: 'zincati' } }),
      'it holds a FleetLock lock',
    );
    assert.equal(rebootUnderWay({ labels: { [LABELS.beforeReboot]: TRUE } }), 'its before-reboot hooks are running');
    assert.equal(rebootUnderWay({ labels: { [LABELS.afterReboot]: TRUE } }), 'its after-reboot hooks are running');
  });

  it('lets a node be paused that only needs a reboot, or needs none', () => {
    assert.equal(rebootUnderWay({}), undefined);
    assert.equal(
      rebootUnderWay({
        annotations: { [ANNOTATIONS.rebootNeeded]: TRUE, [ANNOTATIONS.rebootOk]: 'false' },
        labels: { [LABELS.rebootNeeded]: TRUE },
      }),
      undefined,
    );
  });
});
