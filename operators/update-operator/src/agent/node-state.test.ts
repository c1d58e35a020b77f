import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ANNOTATIONS, LABELS } from '@strata/api';
import {
  abandonRebootPatch,
  agentNodeState,
  beginRebootAnnotations,
  beginRebootPatch,
  completeRebootPatch,
  decideRebootStep,
  mergeStringPatches,
  rebootOutcome,
  reportPatch,
  withReport,
} from './node-state.ts';
import {
  aNode,
  aStatus,
  FEDORA_COREOS,
  FLATCAR,
  FLATCAR_LABELS,
  NEED_REBOOT,
  type NodeFixture,
} from './test-fixtures.ts';

const BOOT = 'boot-2';
const decide = (fixture: NodeFixture, requestedInBoot?: string, release = FLATCAR) =>
  decideRebootStep(agentNodeState(aNode(fixture)), release, BOOT, requestedInBoot).kind;

describe('decideRebootStep', () => {
  it('begins only when the reboot is both granted and needed', () => {
    assert.equal(decide({ rebootOk: true, rebootNeeded: true }), 'begin');
    assert.equal(decide({ rebootOk: true, rebootNeeded: false }), 'none');
    assert.equal(decide({ rebootOk: false, rebootNeeded: true }), 'none');
    assert.equal(decide({ rebootNeeded: true }), 'none');
  });

  it('does not start a grant again once its drain failed, but does start a newer grant', () => {
    const failed = '2026-11-22T10:05:00Z';
    assert.equal(
      decide({ rebootOk: true, rebootNeeded: true, grantedAt: '2026-11-22T10:00:00Z', drainFailed: failed }),
      'none',
    );
    assert.equal(decide({ rebootOk: true, rebootNeeded: true, drainFailed: failed }), 'none');
    assert.equal(
      decide({ rebootOk: true, rebootNeeded: true, grantedAt: '2026-11-22T10:10:00Z', drainFailed: failed }),
      'begin',
    );
  });

  it('completes a reboot recorded in another boot, uncordoning only what the agent cordoned', () => {
    assert.deepEqual(
      decideRebootStep(
        agentNodeState(
          aNode({ rebootInProgress: true, rebootBootId: 'boot-1', agentMadeUnschedulable: true, unschedulable: true }),
        ),
        FLATCAR,
        BOOT,
        undefined,
      ),
      {
        kind: 'complete',
        uncordon: true,
      },
    );
    assert.deepEqual(
      decideRebootStep(
        agentNodeState(aNode({ rebootInProgress: true, rebootBootId: 'boot-1', unschedulable: true })),
        FLATCAR,
        BOOT,
        undefined,
      ),
      {
        kind: 'complete',
        uncordon: false,
      },
    );
  });

  it('resumes a reboot recorded in this boot, unless this process already asked for it', () => {
    assert.equal(decide({ rebootInProgress: true, rebootBootId: BOOT, rebootOk: true, rebootNeeded: true }), 'resume');
    assert.equal(
      decide({ rebootInProgress: true, rebootBootId: BOOT, rebootOk: true, rebootNeeded: true }, BOOT),
      'await-reboot',
    );
    assert.equal(decide({ rebootInProgress: true, rebootBootId: BOOT }, 'boot-1'), 'resume');
  });

  it('never reboots a Fedora CoreOS node', () => {
    assert.equal(decide({ rebootOk: true, rebootNeeded: true }, undefined, FEDORA_COREOS), 'none');
    assert.equal(decide({ rebootInProgress: true, rebootBootId: BOOT }, undefined, FEDORA_COREOS), 'none');
  });
});

describe('reportPatch', () => {
  it('labels the OS and reports the status, reboot-needed and its label', () => {
    assert.deepEqual(reportPatch(aNode(), FLATCAR, NEED_REBOOT), {
      labels: { ...FLATCAR_LABELS, [LABELS.rebootNeeded]: 'true' },
      annotations: {
        [ANNOTATIONS.status]: 'UPDATE_STATUS_UPDATED_NEED_REBOOT',
        [ANNOTATIONS.newVersion]: '4230.2.4',
        [ANNOTATIONS.lastCheckedTime]: '1767225600',
        [ANNOTATIONS.rebootNeeded]: 'true',
      },
    });
  });

  it('writes only what changed, and nothing when the node already says it all', () => {
    const reported = aNode({
      rebootNeeded: false,
      labels: { ...FLATCAR_LABELS, [LABELS.rebootNeeded]: 'false' },
      annotations: {
        [ANNOTATIONS.status]: 'UPDATE_STATUS_IDLE',
        [ANNOTATIONS.newVersion]: '',
        [ANNOTATIONS.lastCheckedTime]: '1767225600',
      },
    });
    assert.equal(reportPatch(reported, FLATCAR, aStatus()), undefined);
    assert.deepEqual(
      reportPatch(reported, FLATCAR, aStatus({ currentOperation: 'UPDATE_STATUS_CHECKING_FOR_UPDATE' })),
      {
        labels: {},
        annotations: { [ANNOTATIONS.status]: 'UPDATE_STATUS_CHECKING_FOR_UPDATE' },
      },
    );
    assert.deepEqual(reportPatch(reported, { ...FLATCAR, version: '4230.2.4' }, undefined), {
      labels: { [LABELS.version]: '4230.2.4' },
      annotations: {},
    });
  });

  it('clears reboot-needed once update_engine no longer waits for a reboot, but not during one', () => {
    assert.equal(
      reportPatch(aNode({ rebootNeeded: true }), FLATCAR, aStatus())?.annotations[ANNOTATIONS.rebootNeeded],
      'false',
    );
    assert.equal(
      reportPatch(aNode({ rebootNeeded: true, rebootInProgress: true }), FLATCAR, aStatus())?.annotations[
        ANNOTATIONS.rebootNeeded
      ],
      undefined,
    );
  });

  it('does not announce a new reboot while the previous grant is still on the node', () => {
    const afterReboot = aNode({ rebootOk: true, rebootNeeded: false, rebootInProgress: false });
    assert.equal(reportPatch(afterReboot, FLATCAR, NEED_REBOOT)?.annotations[ANNOTATIONS.rebootNeeded], undefined);
    assert.equal(
      reportPatch(aNode({ rebootNeeded: false }), FLATCAR, NEED_REBOOT)?.annotations[ANNOTATIONS.rebootNeeded],
      'true',
    );
  });

  it('never reports reboot-needed on Fedora CoreOS, whose reboots go through FleetLock', () => {
    const patch = reportPatch(aNode(), FEDORA_COREOS, NEED_REBOOT);
    assert.equal(patch?.annotations[ANNOTATIONS.rebootNeeded], undefined);
    assert.equal(patch?.labels[LABELS.rebootNeeded], undefined);
    assert.equal(patch?.labels[LABELS.osId], 'fedora-coreos');
  });
});

describe('reboot patches', () => {
  it('complete resets the state and uncordons only when asked', () => {
    assert.deepEqual(completeRebootPatch(true), {
      annotations: {
        [ANNOTATIONS.rebootNeeded]: 'false',
        [ANNOTATIONS.rebootInProgress]: 'false',
        [ANNOTATIONS.rebootBootId]: null,
        [ANNOTATIONS.rebootTargetVersion]: null,
        [ANNOTATIONS.drainFailed]: null,
        [ANNOTATIONS.rolledBack]: null,
        [ANNOTATIONS.agentMadeUnschedulable]: null,
      },
      labels: { [LABELS.rebootNeeded]: 'false' },
      unschedulable: false,
    });
    const kept = completeRebootPatch(false);
    assert.equal(kept.unschedulable, undefined);
    assert.equal(ANNOTATIONS.agentMadeUnschedulable in kept.annotations, false);
  });

  it('begin records the boot and the version the reboot is meant to land on, when update_engine named one', () => {
    assert.deepEqual(beginRebootAnnotations('boot-1', '4230.2.4'), {
      [ANNOTATIONS.rebootInProgress]: 'true',
      [ANNOTATIONS.rebootBootId]: 'boot-1',
      [ANNOTATIONS.rebootTargetVersion]: '4230.2.4',
    });
    assert.equal(ANNOTATIONS.rebootTargetVersion in beginRebootAnnotations('boot-1', ''), false);
    assert.equal(ANNOTATIONS.rebootTargetVersion in beginRebootAnnotations('boot-1', undefined), false);
  });

  it('begin cordons in the same patch, with the mark that the agent did, unless someone else cordoned', () => {
    assert.deepEqual(beginRebootPatch(agentNodeState(aNode({ rebootOk: true, rebootNeeded: true })), 'boot-1', ''), {
      annotations: {
        [ANNOTATIONS.rebootInProgress]: 'true',
        [ANNOTATIONS.rebootBootId]: 'boot-1',
        [ANNOTATIONS.agentMadeUnschedulable]: 'true',
      },
      unschedulable: true,
    });
    const cordoned = agentNodeState(aNode({ rebootOk: true, rebootNeeded: true, unschedulable: true }));
    assert.deepEqual(beginRebootPatch(cordoned, 'boot-1', undefined), {
      annotations: { [ANNOTATIONS.rebootInProgress]: 'true', [ANNOTATIONS.rebootBootId]: 'boot-1' },
    });
  });

  it("the boot's report and the completion go out as one patch, the completion winning", () => {
    const node = aNode({ rebootOk: true, rebootNeeded: true, rebootInProgress: true, rebootBootId: 'boot-1' });
    const report = reportPatch(node, FLATCAR, aStatus());
    assert.ok(report, 'a fresh boot reports its OS and status');
    const state = agentNodeState(withReport(node, report));
    assert.equal(decideRebootStep(state, FLATCAR, BOOT, undefined).kind, 'complete');
    const merged = mergeStringPatches(report.annotations, completeRebootPatch(false).annotations);
    assert.equal(merged[ANNOTATIONS.rebootNeeded], 'false');
    assert.equal(merged[ANNOTATIONS.rebootInProgress], 'false');
    assert.equal(merged[ANNOTATIONS.status], 'UPDATE_STATUS_IDLE');
  });

  it('a grant is decided on the node as the report leaves it: no reboot once update_engine needs none', () => {
    const node = aNode({ rebootOk: true, rebootNeeded: true });
    const report = reportPatch(node, FLATCAR, aStatus());
    assert.equal(decideRebootStep(agentNodeState(node), FLATCAR, BOOT, undefined).kind, 'begin');
    assert.equal(decideRebootStep(agentNodeState(withReport(node, report)), FLATCAR, BOOT, undefined).kind, 'none');
    assert.equal(withReport(node, undefined), node);
  });

  it('a reboot that came back on another version than its target is a rollback, kept on the node', () => {
    const state = (target?: string) =>
      agentNodeState(
        aNode({ rebootInProgress: true, ...(target === undefined ? {} : { rebootTargetVersion: target }) }),
      );
    const rolledBack = rebootOutcome(state('4230.2.4'), FLATCAR);
    assert.deepEqual(rolledBack, { kind: 'rolled-back', targetVersion: '4230.2.4', runningVersion: FLATCAR.version });
    assert.equal(completeRebootPatch(false, rolledBack).annotations[ANNOTATIONS.rolledBack], '4230.2.4');
    assert.deepEqual(rebootOutcome(state(FLATCAR.version), FLATCAR), { kind: 'updated' });
    assert.deepEqual(rebootOutcome(state(), FLATCAR), { kind: 'updated' }, 'no target recorded: nothing to compare');
  });

  it('abandon gives the slot back and records when the drain failed', () => {
    const at = new Date('2026-11-22T10:05:00Z');
    assert.deepEqual(abandonRebootPatch(true, at), {
      annotations: {
        [ANNOTATIONS.rebootInProgress]: 'false',
        [ANNOTATIONS.rebootBootId]: null,
        [ANNOTATIONS.drainFailed]: '2026-11-22T10:05:00.000Z',
        [ANNOTATIONS.agentMadeUnschedulable]: null,
      },
      unschedulable: false,
    });
    assert.equal(abandonRebootPatch(false, at).unschedulable, undefined);
  });
});
