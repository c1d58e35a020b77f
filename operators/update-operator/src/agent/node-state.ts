// What the agent reads of its own Node and decides from it. Pure: the agent's
// whole memory across restarts is the Node's annotations plus the OS's boot id.
import type { V1Node } from '@kubernetes/client-node';
import type { OsRelease, UpdateEngineStatus } from '@strata/api';
import { ANNOTATIONS, FALSE, LABELS, TRUE } from '@strata/api';

export interface AgentNodeState {
  readonly resourceVersion: string;
  readonly unschedulable: boolean;
  readonly rebootNeeded: boolean;
  readonly rebootOk: boolean;
  readonly rebootInProgress: boolean;
  readonly rebootBootId: string | undefined;
  /** The version the reboot in progress was meant to boot, if the agent knew it. */
  readonly rebootTargetVersion: string | undefined;
  readonly agentMadeUnschedulable: boolean;
  readonly grantedAt: number | undefined;
  readonly drainFailedAt: number | undefined;
  /** The UpdatePolicy that granted the reboot, whose drain settings apply. */
  readonly policy: string | undefined;
}

function time(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

export function agentNodeState(node: V1Node): AgentNodeState {
  const annotations = node.metadata?.annotations ?? {};
  return {
    resourceVersion: node.metadata?.resourceVersion ?? '',
    unschedulable: node.spec?.unschedulable === true,
    rebootNeeded: annotations[ANNOTATIONS.rebootNeeded] === TRUE,
    rebootOk: annotations[ANNOTATIONS.rebootOk] === TRUE,
    rebootInProgress: annotations[ANNOTATIONS.rebootInProgress] === TRUE,
    rebootBootId: annotations[ANNOTATIONS.rebootBootId],
    rebootTargetVersion: annotations[ANNOTATIONS.rebootTargetVersion] || undefined,
    agentMadeUnschedulable: annotations[ANNOTATIONS.agentMadeUnschedulable] === TRUE,
    grantedAt: time(annotations[ANNOTATIONS.rebootGrantedAt]),
    drainFailedAt: time(annotations[ANNOTATIONS.drainFailed]),
    policy: annotations[ANNOTATIONS.policy],
  };
}

/** What the agent must do about a reboot, given its node, this boot, and what this process already did. */
export type RebootStep =
  /** Nothing to do (no grant, or a Fedora CoreOS node, whose reboots are Zincati's). */
  | { readonly kind: 'none' }
  /** Granted and needed: record reboot-in-progress with this boot id, then cordon, drain, reboot. */
  | { readonly kind: 'begin' }
  /** reboot-in-progress from this very boot: the agent stopped before the reboot; cordon, drain and reboot again. */
  | { readonly kind: 'resume' }
  /** This process asked for the reboot in this boot already: wait for the machine to go down. */
  | { readonly kind: 'await-reboot' }
  /** reboot-in-progress from an earlier boot: the reboot happened; reset the state and uncordon if the agent cordoned. */
  | { readonly kind: 'complete'; readonly uncordon: boolean };

/** A drain failure recorded after (or at) the grant's time means this grant was spent; the operator revokes it. */
export function grantSpent(state: AgentNodeState): boolean {
  return state.drainFailedAt !== undefined && (state.grantedAt === undefined || state.drainFailedAt >= state.grantedAt);
}

export function decideRebootStep(
  state: AgentNodeState,
  release: OsRelease,
  bootId: string,
  rebootRequestedInBoot: string | undefined,
): RebootStep {
  if (release.id === 'fedora-coreos') return { kind: 'none' };
  if (state.rebootInProgress) {
    if (state.rebootBootId !== bootId) return { kind: 'complete', uncordon: state.agentMadeUnschedulable };
    return rebootRequestedInBoot === bootId ? { kind: 'await-reboot' } : { kind: 'resume' };
  }
  if (state.rebootOk && state.rebootNeeded && !grantSpent(state)) return { kind: 'begin' };
  return { kind: 'none' };
}

/** Keys a JSON merge patch sets (a string) or removes (null). */
export type StringPatch = Readonly<Record<string, string | null>>;

export interface ReportPatch {
  readonly labels: StringPatch;
  readonly annotations: StringPatch;
}

/**
 * What the agent reports first: the OS labels, update_engine's status, and
 * reboot-needed, with only what differs from the node. reboot-needed follows
 * update_engine (true exactly while an update waits for its reboot) except:
 * it is left alone while a reboot is in progress (completing it resets it),
 * it does not become true again while an earlier grant is still on the node
 * (a new update right after a reboot must not reuse the old reboot-ok), and
 * it is never reported on Fedora CoreOS, whose reboots Zincati asks for
 * through FleetLock.
 */
export function reportPatch(
  node: V1Node,
  release: OsRelease,
  status: UpdateEngineStatus | undefined,
): ReportPatch | undefined {
  const labels = node.metadata?.labels ?? {};
  const annotations = node.metadata?.annotations ?? {};
  const state = agentNodeState(node);
  const wantedLabels: Record<string, string> = {
    [LABELS.osId]: release.id,
    [LABELS.version]: release.version,
    [LABELS.group]: release.group,
  };
  const wantedAnnotations: Record<string, string> = {};
  if (status !== undefined) {
    wantedAnnotations[ANNOTATIONS.status] = status.currentOperation;
    wantedAnnotations[ANNOTATIONS.newVersion] = status.newVersion;
    wantedAnnotations[ANNOTATIONS.lastCheckedTime] = String(status.lastCheckedTime);
    if (release.id !== 'fedora-coreos' && !state.rebootInProgress) {
      const needsReboot = status.currentOperation === 'UPDATE_STATUS_UPDATED_NEED_REBOOT';
      const staleGrant = state.rebootOk && !state.rebootNeeded;
      if (!needsReboot || !staleGrant) {
        wantedAnnotations[ANNOTATIONS.rebootNeeded] = needsReboot ? TRUE : FALSE;
        wantedLabels[LABELS.rebootNeeded] = needsReboot ? TRUE : FALSE;
      }
    }
  }
  const changed = (current: Readonly<Record<string, string>>, wanted: Record<string, string>) =>
    Object.fromEntries(Object.entries(wanted).filter(([key, value]) => current[key] !== value));
  const patch = { labels: changed(labels, wantedLabels), annotations: changed(annotations, wantedAnnotations) };
  return Object.keys(patch.labels).length + Object.keys(patch.annotations).length === 0 ? undefined : patch;
}

/**
 * The first write once a grant is taken, before anything else: the boot id is what later proves the reboot
 * happened, and the staged version what proves it landed there.
 */
export function beginRebootAnnotations(bootId: string, targetVersion: string | undefined): StringPatch {
  return {
    [ANNOTATIONS.rebootInProgress]: TRUE,
    [ANNOTATIONS.rebootBootId]: bootId,
    ...(targetVersion === undefined || targetVersion === ''
      ? {}
      : { [ANNOTATIONS.rebootTargetVersion]: targetVersion }),
  };
}

/**
 * The grant taken, in one conditioned patch: reboot-in-progress with this boot (beginRebootAnnotations) and, if the
 * node is schedulable, the agent's cordon with the annotation that says the agent made it, so that the node counts
 * as unavailable from the write that starts the reboot and the annotation exists exactly when the agent's cordon does.
 */
export function beginRebootPatch(
  state: AgentNodeState,
  bootId: string,
  targetVersion: string | undefined,
): { annotations: StringPatch; unschedulable?: true } {
  const begin = beginRebootAnnotations(bootId, targetVersion);
  return state.unschedulable
    ? { annotations: begin }
    : { annotations: { ...begin, [ANNOTATIONS.agentMadeUnschedulable]: TRUE }, unschedulable: true };
}

/** Two string patches as one, `later` winning where both set a key. */
export function mergeStringPatches(earlier: StringPatch | undefined, later: StringPatch | undefined): StringPatch {
  return { ...earlier, ...later };
}

/** The node as it is once `patch` lands: what a decision taken together with a report must look at. */
export function withReport(node: V1Node, patch: ReportPatch | undefined): V1Node {
  if (patch === undefined) return node;
  const apply = (current: Readonly<Record<string, string>> | undefined, change: StringPatch) => {
    const next: Record<string, string> = { ...current };
    for (const [key, value] of Object.entries(change)) {
      if (value === null) delete next[key];
      else next[key] = value;
    }
    return next;
  };
  return {
    ...node,
    metadata: {
      ...node.metadata,
      labels: apply(node.metadata?.labels, patch.labels),
      annotations: apply(node.metadata?.annotations, patch.annotations),
    },
  };
}

/** What a finished reboot came to: the staged version, or a fallback to the old one (its new slot failed to boot). */
export type RebootOutcome =
  | { readonly kind: 'updated' }
  | { readonly kind: 'rolled-back'; readonly targetVersion: string; readonly runningVersion: string };

export function rebootOutcome(state: AgentNodeState, release: OsRelease): RebootOutcome {
  const target = state.rebootTargetVersion;
  return target === undefined || target === release.version
    ? { kind: 'updated' }
    : { kind: 'rolled-back', targetVersion: target, runningVersion: release.version };
}

/**
 * The reboot happened (the boot id changed). Uncordoning is only the agent's to do if it cordoned. A rollback is
 * kept on the node (`rolled-back`) until a later reboot lands where it was meant to.
 */
export function completeRebootPatch(
  uncordon: boolean,
  outcome: RebootOutcome = { kind: 'updated' },
): {
  annotations: StringPatch;
  labels: StringPatch;
  unschedulable?: false;
} {
  return {
    annotations: {
      [ANNOTATIONS.rebootNeeded]: FALSE,
      [ANNOTATIONS.rebootInProgress]: FALSE,
      [ANNOTATIONS.rebootBootId]: null,
      [ANNOTATIONS.rebootTargetVersion]: null,
      [ANNOTATIONS.drainFailed]: null,
      [ANNOTATIONS.rolledBack]: outcome.kind === 'rolled-back' ? outcome.targetVersion : null,
      ...(uncordon ? { [ANNOTATIONS.agentMadeUnschedulable]: null } : {}),
    },
    labels: { [LABELS.rebootNeeded]: FALSE },
    ...(uncordon ? { unschedulable: false as const } : {}),
  };
}

/** A drain given up under onTimeout Retry: give the slot back. The grant stays until the operator revokes it; drain-failed marks it spent. */
export function abandonRebootPatch(
  uncordon: boolean,
  failedAt: Date,
): { annotations: StringPatch; unschedulable?: false } {
  return {
    annotations: {
      [ANNOTATIONS.rebootInProgress]: FALSE,
      [ANNOTATIONS.rebootBootId]: null,
      [ANNOTATIONS.drainFailed]: failedAt.toISOString(),
      ...(uncordon ? { [ANNOTATIONS.agentMadeUnschedulable]: null } : {}),
    },
    ...(uncordon ? { unschedulable: false as const } : {}),
  };
}
