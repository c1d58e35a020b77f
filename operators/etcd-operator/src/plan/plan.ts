// The planner: from what etcd says, the pods and the spec, exactly one next step. It changes membership at most
// once per call; the controller carries the step out and observes again before the next. Every rule it keeps has
// a test of its own in plan.test.ts.
import { peerURLOf, type ClaimView, type MemberView, type Observed, type PodView, type SpecView } from './observed.ts';
import { compareVersions, upgradePath, type UpgradePath } from './upgrade.ts';
import { upgradeSnapshotGate, type SnapshotBeforeUpgrade } from './upgrade-snapshot.ts';
import { planReform, planReformUnderway, type ReformAction } from '../reform/reform-plan.ts';

export type HaltCondition = 'QuorumLost' | 'Degraded' | 'Paused';

export type Action =
  /** Nothing to do: the cluster is as the spec asks. */
  | { readonly kind: 'none' }
  /** Something is under way (a pod starting, a learner catching up, an election): observe again soon. */
  | { readonly kind: 'wait'; readonly reason: string; readonly message: string }
  /** Do nothing until what is wrong is fixed or goes away, and say so with a condition. */
  | { readonly kind: 'halt'; readonly condition: HaltCondition; readonly reason: string; readonly message: string }
  /** Create the founding member's pod (initial-cluster-state=new). */
  | { readonly kind: 'bootstrap' }
  /** Create a pod that will join as a learner, told of the current members (initial-cluster-state=existing). */
  | { readonly kind: 'createJoiningPod'; readonly members: readonly MemberView[]; readonly version: string }
  | { readonly kind: 'addLearner'; readonly pod: string; readonly peerURL: string }
  /** Create the pod of a member whose pod is gone but whose claim survives: the same member, on its own data. */
  | { readonly kind: 'restartMember'; readonly member: string; readonly claim: string; readonly version: string }
  /**
   * Upgrade one member kept on its claim: delete its pod (the claim stays), and the member is restarted on its data
   * at the new version by the restartMember step.
   */
  | { readonly kind: 'upgradeMember'; readonly member: MemberView; readonly from: string; readonly to: string }
  /**
   * Renew the certificate of one member kept on its claim: delete its pod (the claim stays); the restartMember step
   * brings the same member back in a new pod, whose member-cert gets a new certificate. The upgrade's rolling path.
   */
  | { readonly kind: 'renewMember'; readonly member: MemberView }
  /** Ask for the pre-upgrade snapshot (rule 9) before the first member of an upgrade is touched. */
  | SnapshotBeforeUpgrade
  /** A step of re-forming a cluster whose every member moved at once (../reform/reform-plan.ts). */
  | ReformAction
  /** A member restarted in a new pod answers on that pod's IP: tell the cluster its new peer URL. */
  | { readonly kind: 'updatePeerURL'; readonly member: MemberView; readonly peerURL: string }
  /** Delete a claim whose member is gone and that no pod uses: its data never serves another member. */
  | { readonly kind: 'deleteClaim'; readonly claim: string; readonly member: string }
  | { readonly kind: 'promote'; readonly member: MemberView }
  | { readonly kind: 'moveLeader'; readonly from: MemberView; readonly to: MemberView }
  /** Compact the key space to the current revision, the first step of clearing a NOSPACE alarm. */
  | { readonly kind: 'compact'; readonly revision: number }
  | { readonly kind: 'defragment'; readonly member: MemberView }
  /**
   * Disarm every NOSPACE alarm at once: each member that applies the over-quota write before it sees another's alarm
   * raises its own, and one left armed keeps the cluster refusing writes.
   */
  | { readonly kind: 'disarm'; readonly alarms: readonly { readonly memberId: string; readonly alarm: 'NOSPACE' }[] }
  | {
      readonly kind: 'removeMember';
      readonly member: MemberView;
      readonly reason: 'ScaleDown' | 'Replace' | 'LearnerWithoutPod' | 'Upgrade' | 'CertificateRenewal';
    }
  /**
   * Delete a pod that has no member, and its data with it (its claim too, with storage.pvc): a data directory never
   * serves a second member ID.
   */
  | {
      readonly kind: 'deletePod';
      readonly pod: string;
      readonly claim: string | undefined;
      readonly reason: 'NoMember' | 'NotNeeded';
    };

/** etcd itself refuses to promote a learner whose log is behind 90 % of the leader's. */
const PROMOTABLE_FRACTION = 0.9;

export const quorumOf = (voters: number): number => Math.floor(voters / 2) + 1;

const isMemberOf = (member: MemberView, pod: PodView): boolean =>
  member.name === pod.name ||
  (pod.ip !== undefined && [peerURLOf(pod.ip), peerURLOf(pod.ip, true)].some((url) => member.peerURLs.includes(url)));

/** Whether removing `victim` leaves a quorum of healthy voters among the voters that remain. */
export function removalKeepsQuorum(members: readonly MemberView[], victim: MemberView): boolean {
  if (victim.learner) return true;
  const remaining = members.filter((member) => !member.learner && member.id !== victim.id);
  if (remaining.length === 0) return false;
  return remaining.filter((member) => member.healthy).length >= quorumOf(remaining.length);
}

/**
 * Without a quorum there is no member list to act on, but a member's claim is its data and identity: restarting
 * its pod on it changes no membership, and is how a cluster whose pods all went (a restarted node, say) comes back.
 * Without the claim nothing is recreated: quorum loss is reported and left to a person (recovery: manual).
 */
function claimWithoutPod(observed: Observed): Action | undefined {
  const claim = observed.claims.find(
    (candidate) => !candidate.deleting && !observed.pods.some((pod) => pod.name === candidate.member),
  );
  if (claim === undefined) return undefined;
  return {
    kind: 'restartMember',
    member: claim.member,
    claim: claim.name,
    version: observed.knownVersion ?? observed.spec.version,
  };
}

/** The version a member runs: its pod's, or what it answers for a pod from before versions were recorded. */
const versionOf = (member: MemberView, pod: PodView | undefined): string | undefined => pod?.version ?? member.version;

/**
 * Where the cluster is and where it goes: `current` is the oldest version a member runs, `target` the spec's version
 * when the path there is allowed, else `current` (nothing is upgraded, and the status says why).
 */
export function versionPlan(observed: Observed): { current: string; target: string; path: UpgradePath } {
  const { spec, etcd } = observed;
  const versions =
    etcd.kind === 'answered'
      ? etcd.members.flatMap((member) => {
          const version = versionOf(
            member,
            observed.pods.find((pod) => pod.name === member.name && member.name !== ''),
          );
          return version === undefined ? [] : [version];
        })
      : [];
  const current = versions.sort(compareVersions)[0] ?? observed.knownVersion ?? spec.version;
  const path = upgradePath(current, spec.version);
  return { current, target: path.kind === 'refused' ? current : spec.version, path };
}

/** What the operator does about a quorum loss, as the QuorumLost condition tells it: what `spec.recovery` asks. */
export function afterQuorumLoss(spec: SpecView): string {
  return spec.recovery === 'fromLatestBackup'
    ? 'recovering from the newest backup of this cluster that verifies, into a new cluster ID (recovery: fromLatestBackup); nothing is destroyed while none verifies'
    : 'nothing is changed until a quorum answers again (recovery: manual)';
}

/** The next step for one EtcdCluster. */
export function plan(observed: Observed): Action {
  const { spec, etcd } = observed;
  if (spec.paused) return { kind: 'halt', condition: 'Paused', reason: 'Paused', message: 'spec.paused is set' };
  const pods = observed.pods.filter((pod) => !pod.deleting);

  if (etcd.kind === 'split') {
    return {
      kind: 'halt',
      condition: 'Degraded',
      reason: 'MultipleClusterIDs',
      message: `members answer with ${etcd.clusterIds.length} cluster IDs (${etcd.clusterIds.join(', ')}); nothing is changed until one remains`,
    };
  }
  // A re-forming under way goes on until its member leads alone without the flag; nothing else is done meanwhile.
  if (observed.reform !== undefined) return planReformUnderway(observed, observed.reform);
  if (etcd.kind === 'silent') {
    if (observed.knownClusterId !== undefined) {
      const revive = claimWithoutPod(observed);
      if (revive !== undefined) return revive;
      // Without a leader etcd does not serve its client port: every member moved at once looks silent here.
      const reform = planReform(observed);
      if (reform !== undefined) return reform;
      return {
        kind: 'halt',
        condition: 'QuorumLost',
        reason: 'NoMemberAnswers',
        message: `no member of cluster ${observed.knownClusterId} answers; ${afterQuorumLoss(spec)}`,
      };
    }
    if (observed.pods.length === 0) return { kind: 'bootstrap' };
    return { kind: 'wait', reason: 'Bootstrapping', message: 'waiting for the founding member to answer' };
  }
  if (observed.knownClusterId !== undefined && observed.knownClusterId !== etcd.clusterId) {
    return {
      kind: 'halt',
      condition: 'Degraded',
      reason: 'ClusterIDChanged',
      message: `the members answer as cluster ${etcd.clusterId}, not ${observed.knownClusterId} as recorded`,
    };
  }

  const members = etcd.members;
  const voters = members.filter((member) => !member.learner);
  const healthyVoters = voters.filter((member) => member.healthy);
  if (healthyVoters.length < quorumOf(voters.length)) {
    const revive = claimWithoutPod(observed);
    if (revive !== undefined) return revive;
    // Every member back on its data, but each on a new address that no peer knows: re-formed around the most
    // up-to-date one, or, when a voter's data is gone, reported as the quorum loss it is.
    const reform = planReform(observed);
    if (reform !== undefined) return reform;
    return {
      kind: 'halt',
      condition: 'QuorumLost',
      reason: 'QuorumLost',
      message: `${healthyVoters.length} of ${voters.length} voting members answer, ${quorumOf(voters.length)} needed; ${afterQuorumLoss(spec)}`,
    };
  }
  if (etcd.leaderId === undefined) {
    return { kind: 'wait', reason: 'NoLeader', message: 'the answering members do not name one leader' };
  }

  const podOf = (member: MemberView): PodView | undefined => pods.find((pod) => isMemberOf(member, pod));
  const { target } = versionPlan(observed);
  const memberOf = (pod: PodView): MemberView | undefined => members.find((member) => isMemberOf(member, pod));
  const learners = members.filter((member) => member.learner);
  const liveClaim = (member: string): ClaimView | undefined =>
    observed.claims.find((claim) => claim.member === member && !claim.deleting);

  // A pod whose member is gone (removed, or never added after it ran) holds data of a member that no longer
  // exists: it goes, with its data, before anything else.
  const podsWithoutMember = pods.filter((pod) => memberOf(pod) === undefined);
  const used = podsWithoutMember.find((pod) => pod.etcdStarted || pod.initialState === 'new');
  if (used !== undefined) {
    return { kind: 'deletePod', pod: used.name, claim: liveClaim(used.name)?.name, reason: 'NoMember' };
  }

  // A member restarted in a new pod on its claim has a new IP: its peers must be told before it can be a peer.
  for (const member of members) {
    const pod = pods.find((candidate) => candidate.name === member.name && member.name !== '');
    if (pod?.ip === undefined || member.peerURLs.includes(peerURLOf(pod.ip, spec.tls))) continue;
    return { kind: 'updatePeerURL', member, peerURL: peerURLOf(pod.ip, spec.tls) };
  }

  // A member whose pod is gone.
  for (const member of members) {
    if (podOf(member) !== undefined) continue;
    if (member.learner) return { kind: 'removeMember', member, reason: 'LearnerWithoutPod' };
    if (member.healthy) continue; // Its pod is terminating; wait until etcd stops answering.
    // Its data survives on its claim: the same member is restarted on it, never replaced (nor its data reused by
    // another). A pod of that name still on its way out must be gone first, for the name is the pod's.
    const claim = liveClaim(member.name);
    if (claim !== undefined && member.name !== '') {
      if (observed.pods.some((pod) => pod.name === member.name)) {
        return {
          kind: 'wait',
          reason: 'PodTerminating',
          message: `the old pod of member ${member.name} is terminating`,
        };
      }
      return { kind: 'restartMember', member: member.name, claim: claim.name, version: target };
    }
    // With emptyDir (or its claim deleted) its data went with its pod: remove it, then add a new member in its place.
    if (!removalKeepsQuorum(members, member)) {
      return {
        kind: 'halt',
        condition: 'Degraded',
        reason: 'RemovalWouldLoseQuorum',
        message: `removing dead member ${member.name} would leave too few healthy voters`,
      };
    }
    return { kind: 'removeMember', member, reason: 'Replace' };
  }
  const terminating = members.find((member) => podOf(member) === undefined);
  if (terminating !== undefined) {
    return { kind: 'wait', reason: 'PodTerminating', message: `the pod of member ${terminating.name} is terminating` };
  }

  // A claim no member and no pod has (its member removed, or its pod never created): its data goes with it.
  const orphan = observed.claims.find(
    (claim) =>
      !claim.deleting &&
      !members.some((member) => member.name === claim.member) &&
      !observed.pods.some((pod) => pod.name === claim.member),
  );
  if (orphan !== undefined) return { kind: 'deleteClaim', claim: orphan.name, member: orphan.member };

  // A fresh pod, never started, waiting to join.
  const fresh = podsWithoutMember[0];
  if (fresh !== undefined) {
    if (learners.length > 0 || members.length >= spec.size)
      return { kind: 'deletePod', pod: fresh.name, claim: liveClaim(fresh.name)?.name, reason: 'NotNeeded' };
    if (fresh.ip === undefined)
      return { kind: 'wait', reason: 'PodStarting', message: `pod ${fresh.name} has no IP yet` };
    return { kind: 'addLearner', pod: fresh.name, peerURL: peerURLOf(fresh.ip, spec.tls) };
  }

  const learner = learners[0];
  if (learner !== undefined) {
    const leader = members.find((member) => member.id === etcd.leaderId);
    const caughtUp =
      learner.healthy &&
      learner.raftIndex !== undefined &&
      leader?.raftIndex !== undefined &&
      learner.raftIndex >= leader.raftIndex * PROMOTABLE_FRACTION;
    if (caughtUp) return { kind: 'promote', member: learner };
    return {
      kind: 'wait',
      reason: 'LearnerCatchingUp',
      message: `learner ${learner.name || learner.id} is catching up`,
    };
  }

  if (voters.length > spec.size) {
    const unhealthy = voters.filter((member) => !member.healthy);
    // The newest name goes first, as a StatefulSet removes its highest ordinal; a member that does not answer before that.
    const byName = [...voters].sort((a, b) => b.name.localeCompare(a.name));
    const victim = unhealthy[0] ?? byName[0];
    if (victim === undefined) return { kind: 'none' };
    if (!removalKeepsQuorum(members, victim)) {
      return {
        kind: 'halt',
        condition: 'Degraded',
        reason: 'ScaleDownWouldLoseQuorum',
        message: `removing ${victim.name} would leave too few healthy voters; scale-down waits`,
      };
    }
    if (victim.id === etcd.leaderId) {
      const to = voters
        .filter((member) => member.id !== victim.id && member.healthy)
        .sort((a, b) => a.name.localeCompare(b.name))[0];
      if (to !== undefined) return { kind: 'moveLeader', from: victim, to };
    }
    return { kind: 'removeMember', member: victim, reason: 'ScaleDown' };
  }

  const sick = voters.find((member) => !member.healthy);
  const sickPod = sick === undefined ? undefined : podOf(sick);
  if (sick !== undefined && sickPod?.crashLooping === true && sickPod.version !== undefined) {
    // A member that keeps failing on another version than its healthy peers run failed its upgrade (rule 9); so does
    // the last member of an upgrade the status records as not completed, though its peers already run that version.
    const others = voters.filter((member) => member.healthy && member.version !== sickPod.version);
    const underWay = observed.upgradeUnderWay;
    if (others.length === 0 && underWay?.to === sickPod.version) {
      return {
        kind: 'halt',
        condition: 'Degraded',
        reason: 'UpgradeFailed',
        message: `member ${sick.name} keeps failing on ${sickPod.version}, the last member of the upgrade ${underWay.from} → ${underWay.to}; the upgrade stops here`,
      };
    }
    if (others.length > 0) {
      return {
        kind: 'halt',
        condition: 'Degraded',
        reason: 'UpgradeFailed',
        message: `member ${sick.name} keeps failing on ${sickPod.version} while ${others.length} members run ${others[0]?.version ?? 'another version'}; the upgrade stops here`,
      };
    }
  }
  if (sick !== undefined) {
    // Its pod is there, and with it its data: the kubelet restarts etcd on it (a restart, not a replacement).
    return {
      kind: 'wait',
      reason: 'MemberUnhealthy',
      message: `member ${sick.name} does not answer; its pod restarts it`,
    };
  }
  if (voters.length < spec.size) return { kind: 'createJoiningPod', members, version: target };
  return (
    planMaintenance(observed, members, etcd.leaderId) ?? planUpgrade(observed, target, voters, etcd.leaderId, podOf)
  );
}

/**
 * Rule 10, once every member is healthy and the cluster at its size: a NOSPACE alarm is cleared by compacting, then
 * defragmenting every member, then disarming; a scheduled round only defragments. One member per pass, followers
 * before the leader (defragmenting blocks a member: the leader last, so that writes go on meanwhile); the health
 * check above runs before each next one.
 */
function planMaintenance(observed: Observed, members: readonly MemberView[], leaderId: string): Action | undefined {
  const { maintenance } = observed;
  const nospace = maintenance.alarms.find((alarm) => alarm.alarm === 'NOSPACE');
  if (nospace !== undefined && maintenance.compactFirst) {
    const revision = Math.max(0, ...members.map((member) => member.revision ?? 0));
    return { kind: 'compact', revision };
  }
  const next = members
    .filter((member) => maintenance.defragPending.includes(member.id))
    .sort((a, b) => Number(a.id === leaderId) - Number(b.id === leaderId) || a.name.localeCompare(b.name))[0];
  if (next !== undefined) return { kind: 'defragment', member: next };
  if (nospace !== undefined) {
    const alarms = maintenance.alarms.flatMap((alarm) =>
      alarm.alarm === 'NOSPACE' ? [{ memberId: alarm.memberId, alarm: 'NOSPACE' as const }] : [],
    );
    return { kind: 'disarm', alarms };
  }
  return undefined;
}

/**
 * Rule 9, once every member is healthy, no learner waits and the cluster is at its size: one member at a time,
 * followers before the leader, each healthy on the new version before the next.
 */
function planUpgrade(
  observed: Observed,
  target: string,
  voters: readonly MemberView[],
  leaderId: string,
  podOf: (member: MemberView) => PodView | undefined,
): Action {
  const upgrading = voters.find((member) => {
    const pod = podOf(member);
    return pod?.version === target && member.version !== target;
  });
  if (upgrading !== undefined) {
    return {
      kind: 'wait',
      reason: 'MemberUpgrading',
      message: `member ${upgrading.name} is not yet healthy on ${target}`,
    };
  }
  const outdated = voters
    .filter((member) => versionOf(member, podOf(member)) !== target)
    .sort(followersFirst(leaderId));
  const next = outdated[0];
  if (next === undefined) return planRenewal(observed, voters, leaderId, podOf);
  const from = versionOf(next, podOf(next)) ?? 'unknown';
  // Before the first member is touched (no voter runs the target yet), a snapshot is stored (rule 9).
  if (!voters.some((member) => versionOf(member, podOf(member)) === target)) {
    const gate = upgradeSnapshotGate(observed.upgradeSnapshot, from, target);
    if (gate !== undefined) return gate;
  }
  return rollMember(observed, voters, leaderId, next, {
    onClaim: { kind: 'upgradeMember', member: next, from, to: target },
    removalReason: 'Upgrade',
    needsStorage: {
      reason: 'UpgradeNeedsStorage',
      message: `upgrading ${voters.length} member on emptyDir would lose its data; use storage.pvc, or more members`,
    },
  });
}

const followersFirst =
  (leaderId: string) =>
  (a: MemberView, b: MemberView): number =>
    Number(a.id === leaderId) - Number(b.id === leaderId) || a.name.localeCompare(b.name);

/**
 * Certificate renewal (automatic TLS), once no upgrade is pending: a member whose served certificate has less than a
 * third of its lifetime left gets a new pod, and with it a new certificate, by the upgrade's rolling path: one member
 * per pass, followers before the leader, each healthy again (the checks above) before the next. Never while an
 * upgrade is asked: a member's new pod runs the target version, which only the upgrade (its snapshot first) may do.
 */
function planRenewal(
  observed: Observed,
  voters: readonly MemberView[],
  leaderId: string,
  podOf: (member: MemberView) => PodView | undefined,
): Action {
  const next = voters
    .filter((member) => podOf(member)?.certificateRenewalDue === true)
    .sort(followersFirst(leaderId))[0];
  if (next === undefined) return { kind: 'none' };
  return rollMember(observed, voters, leaderId, next, {
    onClaim: { kind: 'renewMember', member: next },
    removalReason: 'CertificateRenewal',
    needsStorage: {
      reason: 'CertificateRenewalNeedsStorage',
      message: `renewing the certificate of member ${next.name}, the only member, on emptyDir would lose its data; use storage.pvc, or more members`,
    },
  });
}

/**
 * One member of a rolling step (an upgrade, a certificate renewal) gets a new pod: leadership moved off it first; on
 * a claim its pod is deleted and it restarts on its data; on emptyDir it is removed and a new member joins in its
 * place, which a single member cannot survive.
 */
function rollMember(
  observed: Observed,
  voters: readonly MemberView[],
  leaderId: string,
  next: MemberView,
  how: {
    readonly onClaim: Action;
    readonly removalReason: 'Upgrade' | 'CertificateRenewal';
    readonly needsStorage: { readonly reason: string; readonly message: string };
  },
): Action {
  if (next.id === leaderId && voters.length > 1) {
    const to = voters.filter((member) => member.id !== next.id).sort((a, b) => a.name.localeCompare(b.name))[0];
    if (to !== undefined) return { kind: 'moveLeader', from: next, to };
  }
  if (observed.spec.storage === 'pvc') return how.onClaim;
  // On emptyDir a member's data dies with its pod: it is replaced, removed first, then a new member joins (the
  // scale-up step above).
  if (!removalKeepsQuorum(voters, next)) return { kind: 'halt', condition: 'Degraded', ...how.needsStorage };
  return { kind: 'removeMember', member: next, reason: how.removalReason };
}
