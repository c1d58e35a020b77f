// A Node as the OS updates page's row: its phase in the update operator's vocabulary and what it is doing in words,
// read from the update.strata.dev/* protocol keys in @strata/api (the one definition the agent and the operator use)
// and from the node's Ready condition and cordon. The phase follows the operator's own reading (phaseOf in
// @strata/update-operator), so the page and UpdatePolicy's status.nodes count nodes alike.
import type { V1Node } from '@kubernetes/client-node';
import { ANNOTATIONS, LABELS, TRUE, type UpdatePhase } from '@strata/api';
import type { RolloutRow } from '../shared/rollout-row.ts';

function isReady(node: V1Node): boolean {
  return node.status?.conditions?.find((condition) => condition.type === 'Ready')?.status === 'True';
}

interface Reading {
  readonly phase: UpdatePhase;
  readonly state: string;
}

function reading(node: V1Node): Reading {
  const annotations = node.metadata?.annotations ?? {};
  const labels = node.metadata?.labels ?? {};
  const version = labels[LABELS.version];
  const newVersion = annotations[ANNOTATIONS.newVersion];
  const rebootNeeded = annotations[ANNOTATIONS.rebootNeeded] === TRUE;
  const rebootOk = annotations[ANNOTATIONS.rebootOk] === TRUE;
  const inProgress = annotations[ANNOTATIONS.rebootInProgress] === TRUE;
  const cordoned = node.spec?.unschedulable === true;
  const ready = isReady(node);
  // The agent clears the annotation by emptying it.
  const rolledBackFrom = annotations[ANNOTATIONS.rolledBack];
  const rolledBack = rolledBackFrom === '' ? undefined : rolledBackFrom;
  if (annotations[ANNOTATIONS.rebootFailed] === TRUE)
    return {
      phase: 'failed',
      state: rolledBack === undefined ? 'Reboot timed out' : `Rolled back from ${rolledBack}`,
    };
  const fleetLockHolder = annotations[ANNOTATIONS.fleetLockHolder];
  // Zincati reported steady-state; the lock holds the slot until the policy's after-reboot hooks say "true".
  if (fleetLockHolder !== undefined && labels[LABELS.afterReboot] === TRUE)
    return { phase: 'afterReboot', state: 'After-reboot hooks pending' };
  if (inProgress || fleetLockHolder !== undefined) {
    if (!ready) return { phase: 'rebooting', state: 'Rebooting' };
    const drainFailed = annotations[ANNOTATIONS.drainFailed];
    if (drainFailed !== undefined) return { phase: 'draining', state: `Drain failed at ${drainFailed}` };
    // The operator still counts it as at work (phaseOf), but it has rebooted: it runs the version it had staged.
    if (version !== undefined && version === newVersion)
      return { phase: 'draining', state: `Back on ${version}, ${cordoned ? 'uncordoning' : 'ending its reboot'}` };
    return { phase: 'draining', state: cordoned ? 'Cordoned, draining' : 'Starting its reboot' };
  }
  if (rebootOk)
    return rebootNeeded
      ? { phase: 'approved', state: 'Reboot granted' }
      : { phase: 'afterReboot', state: version === undefined ? 'Back up' : `Back on ${version}` };
  if (labels[LABELS.beforeReboot] === TRUE) return { phase: 'waiting', state: 'Before-reboot hooks pending' };
  if (rebootNeeded)
    return {
      phase: 'rebootNeeded',
      state: newVersion === undefined ? 'Waiting for a slot' : `Waiting for a slot (${newVersion} staged)`,
    };
  return { phase: 'idle', state: version === undefined ? 'Not reported' : `On ${version}` };
}

export function rolloutRow(node: V1Node): RolloutRow {
  const annotations = node.metadata?.annotations ?? {};
  const version = node.metadata?.labels?.[LABELS.version];
  const newVersion = annotations[ANNOTATIONS.newVersion];
  const policy = annotations[ANNOTATIONS.policy];
  return {
    name: node.metadata?.name ?? '',
    ...reading(node),
    ...(version === undefined ? {} : { version }),
    ...(newVersion === undefined ? {} : { newVersion }),
    ...(policy === undefined ? {} : { policy }),
  };
}
