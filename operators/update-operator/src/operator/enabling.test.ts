import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANNOTATIONS, LABELS, TRUE } from '@strata/api';
import { enablesGrant, grantFacts } from './enabling.ts';
import type { NodeState } from './node-state.ts';
import { aNode, approved, inProgress, MINUTE, needing, rebooted, T0 } from './test-fixtures.ts';

const enables = (before: NodeState | undefined, after: NodeState): boolean =>
  enablesGrant(before === undefined ? undefined : grantFacts(before), grantFacts(after));

describe('enablesGrant: the changes a grant can wait for', () => {
  it('a node coming to need its reboot, a node back from one, and a slot given back', () => {
    assert.equal(enables(aNode({ name: 'a' }), needing('a')), true);
    assert.equal(enables(inProgress('a', T0, { ready: false }), rebooted('a', T0)), true);
    assert.equal(enables(approved('a', T0), needing('a')), true, 'a grant revoked frees its slot');
    assert.equal(enables(aNode({ name: 'a', unschedulable: true }), aNode({ name: 'a' })), true, 'uncordoned');
    const failed = needing('a', { annotations: { [ANNOTATIONS.rebootFailed]: TRUE } });
    assert.equal(enables(failed, needing('a')), true, 'reboot-failed removed: the deliberate retry');
    assert.equal(enables(undefined, aNode({ name: 'a' })), true, 'a node not seen before');
  });

  it('a drain given up, a hook turning "true", a node relabelled', () => {
    const draining = inProgress('a', T0);
    const gaveUp = approved('a', T0, {
      annotations: { [ANNOTATIONS.drainFailed]: new Date(T0 + MINUTE).toISOString() },
    });
    assert.equal(enables(draining, gaveUp), true);
    const waiting = needing('a', { labels: { [LABELS.beforeReboot]: TRUE } });
    const hookDone = needing('a', {
      labels: { [LABELS.beforeReboot]: TRUE },
      annotations: { 'example.com/hook': TRUE },
    });
    assert.equal(enables(waiting, hookDone), true);
    assert.equal(enables(aNode({ name: 'a' }), aNode({ name: 'a', labels: { pool: 'other' } })), true);
  });

  it('not an agent reporting, a granted node starting, going down, coming up still cordoned', () => {
    const reported = needing('a', { annotations: { [ANNOTATIONS.status]: 'UPDATE_STATUS_UPDATED_NEED_REBOOT' } });
    assert.equal(enables(needing('a'), reported), false, 'a status report');
    assert.equal(enables(needing('a'), approved('a', T0)), false, 'a grant takes a slot');
    assert.equal(enables(approved('a', T0), inProgress('a', T0)), false, 'the agent starts');
    assert.equal(enables(inProgress('a', T0), inProgress('a', T0, { ready: false })), false, 'down');
    assert.equal(enables(inProgress('a', T0, { ready: false }), inProgress('a', T0)), false, 'up, still cordoned');
  });

  it("errs long: the operator's own clean-up, as the watch shows it, counts as a slot freed", () => {
    // The pass that wrote it granted the slot already; the next successful pass consumes this change.
    assert.equal(
      enables(rebooted('a', T0), aNode({ name: 'a', annotations: { [ANNOTATIONS.rebootNeeded]: 'false' } })),
      true,
    );
  });
});
