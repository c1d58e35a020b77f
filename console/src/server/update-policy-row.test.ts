import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UPDATE_POLICY, type UpdatePolicySpecInput, type UpdatePolicyStatus } from '@strata/api';
import { updatePolicyRow } from './update-policy-row.ts';

function policy(spec: UpdatePolicySpecInput, status?: UpdatePolicyStatus, generation = 1): unknown {
  return {
    apiVersion: UPDATE_POLICY.apiVersion,
    kind: UPDATE_POLICY.kind,
    metadata: { name: 'workers', generation },
    spec,
    ...(status === undefined ? {} : { status }),
  };
}

const now = '2026-12-05T06:00:00Z';
const counts = {
  total: 3,
  idle: 1,
  rebootNeeded: 1,
  waiting: 0,
  approved: 0,
  draining: 0,
  rebooting: 1,
  afterReboot: 0,
  failed: 0,
};

describe('updatePolicyRow', () => {
  it('fills in the defaults as the operator reads them', () => {
    assert.deepEqual(updatePolicyRow(policy({})), {
      name: 'workers',
      maxUnavailable: '1',
      paused: false,
      nodeSelector: 'every node',
      rebootWindows: 'any time',
      conditions: [],
      observed: false,
    });
  });

  it('writes the selector, the windows, the budget in use and the conditions', () => {
    const row = updatePolicyRow(
      policy(
        {
          maxUnavailable: '25%',
          paused: true,
          nodeSelector: {
            matchLabels: { 'node-role.kubernetes.io/worker': '' },
            matchExpressions: [
              { key: 'zone', operator: 'In', values: ['a', 'b'] },
              { key: 'canary', operator: 'DoesNotExist' },
            ],
          },
          rebootWindows: [{ days: ['Sat', 'Sun'], start: '03:00', duration: '2h', timeZone: 'Europe/Berlin' }],
        },
        {
          observedGeneration: 1,
          inProgressCount: 1,
          nodes: counts,
          conditions: [
            {
              type: 'Blocked',
              status: 'True',
              reason: 'Paused',
              message: 'spec.paused is true; 1 node(s) wait for a reboot',
              lastTransitionTime: now,
            },
          ],
        },
      ),
    );
    assert.deepEqual(row, {
      name: 'workers',
      maxUnavailable: '25%',
      paused: true,
      nodeSelector: 'node-role.kubernetes.io/worker=, zone in (a,b), !canary',
      rebootWindows: 'Sat, Sun 03:00 for 2h (Europe/Berlin)',
      inProgress: 1,
      nodes: counts,
      conditions: [
        {
          type: 'Blocked',
          status: 'True',
          reason: 'Paused',
          message: 'spec.paused is true; 1 node(s) wait for a reboot',
        },
      ],
      observed: true,
    });
  });

  it('says when the operator has not acted on the latest spec', () => {
    assert.equal(updatePolicyRow(policy({ paused: true }, { observedGeneration: 1 }, 2)).observed, false);
  });

  it('still lists a policy it cannot read, saying why', () => {
    const row = updatePolicyRow(policy({ maxUnavailable: 2, paused: true, future: 'field' } as UpdatePolicySpecInput));
    assert.equal(row.name, 'workers');
    assert.equal(row.maxUnavailable, '2');
    assert.equal(row.paused, true);
    assert.equal(row.conditions[0]?.reason, 'UnreadablePolicy');
    assert.match(row.conditions[0]?.message ?? '', /future/);
  });
});
