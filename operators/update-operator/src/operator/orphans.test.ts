import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANNOTATIONS, TRUE } from '@strata/api';
import { applyPatch } from './node-state.ts';
import { orphanCompletions, type PolicyLookup } from './orphans.ts';
import { approved, inProgress, matchLabels, MINUTE, rebooted, T0 } from './test-fixtures.ts';

const noPolicies: PolicyLookup = { selectedByAny: () => false, exists: () => false };

describe('orphanCompletions', () => {
  it('clears the grant of a node back from a reboot whose policy is gone', () => {
    const node = rebooted('a', T0 - 5 * MINUTE, {
      annotations: { [ANNOTATIONS.policy]: 'deleted', [ANNOTATIONS.drainFailures]: '2' },
    });
    const [completion, ...more] = orphanCompletions([node], noPolicies);
    assert.deepEqual(more, []);
    assert.ok(completion);
    assert.equal(completion.node, 'a');
    assert.equal(completion.basedOn, node.resourceVersion);
    const cleared = applyPatch(node, completion.patch);
    for (const key of [
      ANNOTATIONS.rebootOk,
      ANNOTATIONS.rebootGrantedAt,
      ANNOTATIONS.policy,
      ANNOTATIONS.drainFailures,
    ])
      assert.equal(cleared.annotations[key], undefined, key);
  });

  it('leaves alone nodes still on their way, nodes a policy selects, and nodes whose policy still exists', () => {
    const back = rebooted('back', T0 - 5 * MINUTE, { annotations: { [ANNOTATIONS.policy]: 'workers' } });
    assert.equal(back.annotations[ANNOTATIONS.rebootOk], TRUE);
    assert.equal(orphanCompletions([back], noPolicies).length, 1, 'the same node, orphaned, is cleared');
    const onTheirWay = [
      approved('approved', T0 - MINUTE),
      inProgress('rebooting', T0 - MINUTE),
      rebooted('zincati', T0 - MINUTE, { annotations: { [ANNOTATIONS.fleetLockHolder]: 'client' } }),
    ];
    assert.deepEqual(orphanCompletions(onTheirWay, noPolicies), []);
    assert.deepEqual(
      orphanCompletions([back], { selectedByAny: matchLabels({ pool: 'workers' }), exists: () => false }),
      [],
      'another policy selects it and finishes it (with its hooks)',
    );
    assert.deepEqual(
      orphanCompletions([back], { selectedByAny: () => false, exists: (name) => name === 'workers' }),
      [],
      'its policy exists but does not parse: its reconcile reports that, and its after-reboot hooks still apply',
    );
  });
});
