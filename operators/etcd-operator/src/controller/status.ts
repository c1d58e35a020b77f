// The EtcdCluster's status from what was observed and decided: the members table, the phase and the conditions.
import type { EtcdClusterCondition, EtcdClusterPhase, EtcdClusterStatus, EtcdClusterConditionType } from '@strata/api';
import { hexId } from '../etcd/gateway-client.ts';
import { quorumOf, versionPlan, type Action } from '../plan/plan.ts';
import type { Observed } from '../plan/observed.ts';
import { upgradeRecord } from './upgrade-snapshot.ts';

interface ConditionValue {
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
}

const CHANGES: ReadonlySet<Action['kind']> = new Set([
  'bootstrap',
  'createJoiningPod',
  'addLearner',
  'restartMember',
  'updatePeerURL',
  'deleteClaim',
  'promote',
  'moveLeader',
  'removeMember',
  'deletePod',
  'upgradeMember',
  'renewMember',
  'compact',
  'defragment',
  'disarm',
  'snapshotBeforeUpgrade',
  'reformStart',
  'reformDeletePod',
  'reformForceStart',
  'reformForced',
  'reformRestart',
  'reformComplete',
]);

/** A step of a re-forming (../reform/), or a wait within one. */
const isReforming = (action: Action): boolean =>
  action.kind.startsWith('reform') || (action.kind === 'wait' && action.reason.startsWith('Reform'));

/** Said in the Progressing condition and the Events of an upgrade: where its pre-upgrade snapshot is. */
export function upgradeSnapshotNote(observed: Observed): string {
  const view = observed.upgradeSnapshot;
  return view.kind === 'taken'
    ? `pre-upgrade snapshot ${view.snapshot.location} (revision ${view.snapshot.revision})`
    : 'the pre-upgrade snapshot is not stored yet';
}

function phaseOf(observed: Observed, action: Action): EtcdClusterPhase {
  if (action.kind === 'halt') {
    return action.condition === 'QuorumLost' ? 'QuorumLost' : action.condition === 'Paused' ? 'Paused' : 'Degraded';
  }
  if (observed.etcd.kind !== 'answered') return 'Creating';
  const voters = observed.etcd.members.filter((member) => !member.learner).length;
  if (action.kind === 'none') return 'Running';
  if (voters !== observed.spec.size) return 'Scaling';
  const { current, target } = versionPlan(observed);
  if (current !== target) return 'Upgrading';
  return 'Healing';
}

/** Why an even size is accepted but discouraged; in the Available condition, and the operator's Event. */
export function evenSizeNote(size: number): string | undefined {
  if (size % 2 === 1) return undefined;
  const tolerated = Math.floor((size - 1) / 2);
  return `spec.size ${size} is even: it can lose ${tolerated} member${tolerated === 1 ? '' : 's'}, as ${size - 1} can`;
}

export interface StatusInput {
  readonly observed: Observed;
  /** Set when this pass finished a round of defragmentation. */
  readonly defragmentedAt?: Date;
  readonly action: Action;
  readonly previous: EtcdClusterStatus | undefined;
  readonly generation: number;
  readonly now: Date;
}

export function statusOf({
  observed,
  action,
  previous,
  generation,
  now,
  defragmentedAt,
}: StatusInput): EtcdClusterStatus {
  const etcd = observed.etcd;
  const members = etcd.kind === 'answered' ? etcd.members : [];
  const voters = members.filter((member) => !member.learner);
  const healthyVoters = voters.filter((member) => member.healthy);
  // A formed cluster without a quorum is QuorumLost, also while members are restarted on their claims.
  const noQuorum =
    etcd.kind === 'silent'
      ? observed.knownClusterId !== undefined
      : etcd.kind === 'answered' && healthyVoters.length < quorumOf(voters.length);
  const reforming = isReforming(action) || observed.reform !== undefined;
  const quorumLost =
    (action.kind === 'halt' && action.condition === 'QuorumLost') ||
    (noQuorum && (action.kind === 'restartMember' || reforming));
  // A member forced into a one-member cluster leads before it is restarted plainly: not Available until done.
  const available = etcd.kind === 'answered' && !quorumLost && !reforming && etcd.leaderId !== undefined;
  const halted = action.kind === 'halt' ? action : undefined;
  const degraded =
    (halted !== undefined && halted.condition === 'Degraded') ||
    (etcd.kind === 'answered' && healthyVoters.length < voters.length);
  const describe = action.kind === 'wait' || action.kind === 'halt' ? action.message : action.kind;
  const evenSize = evenSizeNote(observed.spec.size);
  const versions = versionPlan(observed);
  const upgrading = versions.current !== versions.target && action.kind !== 'none';
  const refused = versions.path.kind === 'refused' ? versions.path.message : undefined;
  const values: Record<EtcdClusterConditionType, ConditionValue> = {
    Available: available
      ? {
          status: 'True',
          reason: 'QuorumAnswers',
          message: `${healthyVoters.length} of ${voters.length} voting members answer${evenSize === undefined ? '' : `; warning: ${evenSize}`}`,
        }
      : {
          status: 'False',
          reason: reforming ? 'Reforming' : etcd.kind === 'answered' ? 'NoQuorum' : 'NoMemberAnswers',
          message: describe,
        },
    Progressing:
      CHANGES.has(action.kind) || action.kind === 'wait'
        ? {
            status: 'True',
            reason: action.kind === 'wait' ? action.reason : action.kind.replace(/^./, (c) => c.toUpperCase()),
            message: upgrading
              ? `upgrading ${versions.current} → ${versions.target}: ${describe}; ${upgradeSnapshotNote(observed)}`
              : describe,
          }
        : { status: 'False', reason: action.kind === 'halt' ? action.reason : 'AtSize', message: describe },
    Degraded: degraded
      ? {
          status: 'True',
          reason: halted?.reason ?? 'MembersUnhealthy',
          message: halted?.message ?? `${voters.length - healthyVoters.length} voting members do not answer`,
        }
      : refused !== undefined
        ? { status: 'True', reason: 'UpgradeRefused', message: refused }
        : { status: 'False', reason: 'AllMembersHealthy', message: 'every voting member answers' },
    QuorumLost: quorumLost
      ? action.kind === 'halt'
        ? { status: 'True', reason: action.reason, message: action.message }
        : action.kind === 'restartMember'
          ? {
              status: 'True',
              reason: 'RestartingMembers',
              message: `no quorum answers; restarting member ${action.member} on its claim`,
            }
          : { status: 'True', reason: 'Reforming', message: `no quorum answers; re-forming the cluster: ${describe}` }
      : { status: 'False', reason: 'QuorumHolds', message: 'a quorum of voters answers, or the cluster is forming' },
    Paused: observed.spec.paused
      ? { status: 'True', reason: 'Paused', message: 'spec.paused is set: observing only' }
      : { status: 'False', reason: 'Reconciling', message: 'the operator acts on this cluster' },
  };
  const conditions: EtcdClusterCondition[] = (Object.keys(values) as EtcdClusterConditionType[]).map((type) => {
    const value = values[type];
    const before = previous?.conditions?.find((condition) => condition.type === type);
    return {
      type,
      ...value,
      lastTransitionTime:
        before !== undefined && before.status === value.status ? before.lastTransitionTime : now.toISOString(),
      observedGeneration: generation,
    };
  });
  const leader = members.find((member) => member.leader);
  const upgrade = upgradeRecord(observed.upgradeSnapshot, versions, action, previous?.upgrade, now);
  return {
    observedGeneration: generation,
    phase: phaseOf(observed, action),
    ...(etcd.kind === 'answered'
      ? { clusterID: hexId(etcd.clusterId) }
      : previous?.clusterID === undefined
        ? {}
        : { clusterID: previous.clusterID }),
    conditions,
    members: members.map((member) => ({
      name: member.name,
      id: hexId(member.id),
      leader: member.leader,
      learner: member.learner,
      healthy: member.healthy,
      ...(member.version === undefined ? {} : { version: member.version }),
      ...(member.dbSize === undefined ? {} : { dbSize: member.dbSize }),
      ...(member.revision === undefined ? {} : { revision: member.revision }),
      ...(member.clientURLs[0] === undefined ? {} : { clientURL: member.clientURLs[0] }),
    })),
    readyMembers: healthyVoters.length,
    ...(leader?.version === undefined ? {} : { currentVersion: leader.version }),
    clientURL: voters.flatMap((member) => member.clientURLs).join(','),
    ...lastBackupOf(previous?.lastBackup, upgrade?.snapshot.takenAt),
    ...(upgrade === undefined ? {} : { upgrade }),
    ...observedRevisionOf(members, previous),
    ...(previous?.lastRecovery === undefined ? {} : { lastRecovery: previous.lastRecovery }),
    ...(defragmentedAt !== undefined
      ? { lastDefragmentation: defragmentedAt.toISOString() }
      : previous?.lastDefragmentation === undefined
        ? {}
        : { lastDefragmentation: previous.lastDefragmentation }),
  };
}

/**
 * The highest revision the answering members report; kept from the previous status while none answers, so that a
 * recovery after a quorum loss can count what it loses.
 */
function observedRevisionOf(
  members: readonly { readonly revision: number | undefined }[],
  previous: EtcdClusterStatus | undefined,
): { observedRevision?: number } {
  const revisions = members.flatMap((member) => (member.revision === undefined ? [] : [member.revision]));
  if (revisions.length > 0) return { observedRevision: Math.max(...revisions) };
  return previous?.observedRevision === undefined ? {} : { observedRevision: previous.observedRevision };
}

/** The cluster ID as recorded in status, in the decimal form etcd's answers carry; undefined before it formed. */
export const recordedClusterId = (status: EtcdClusterStatus | undefined): string | undefined =>
  status?.clusterID === undefined ? undefined : BigInt(`0x${status.clusterID}`).toString();

/** The later of the recorded last backup and the pre-upgrade snapshot. */
function lastBackupOf(recorded: string | undefined, snapshot: string | undefined): { lastBackup?: string } {
  const times = [recorded, snapshot].filter((time): time is string => time !== undefined);
  const latest = times.sort((a, b) => Date.parse(b) - Date.parse(a))[0];
  return latest === undefined ? {} : { lastBackup: latest };
}
