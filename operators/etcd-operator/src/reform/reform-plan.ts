// Re-forming a cluster on claims whose every member came back at once on a new pod address (a restarted node, or
// Kubernetes itself): each member runs on its own data, but knows its peers only by the pod IPs they had before, so
// none reaches another and no leader is ever elected (and without one etcd does not even serve its client port).
// ADR 0054 says why this is safe and what it costs:
//   1. only when every member answers (on its metrics port) from its own pod on its own claim, all know the same
//      members, and for REFORM_CONFIRM_MS none has had a leader or a connection to any peer; a member whose data is
//      gone is a real quorum loss (rule 8): reported, nothing done;
//   2. the member with the highest revision (then applied index) is chosen: etcd's --force-new-cluster keeps what a
//      member applied of the log it knows committed, and that is what its revision counts; the choice is recorded on
//      the EtcdCluster before anything is touched;
//   3. that member's pod is recreated with --force-new-cluster (same data, same cluster ID, one member), then, once it
//      leads alone, recreated without the flag (a later restart must never force again);
//   4. the ordinary planner then finds the other members' pods without a member: deleted with their claims (their
//      data never serves a new member ID), and new members join as learners one at a time.
// Pure: the planner's decisions, unit-tested in reform-plan.test.ts; the controller records and carries them out.
import type { EtcdCluster } from '@strata/api';
import { z } from 'zod';
import type { LeaderlessAnswer, Observed, ReformView } from '../plan/observed.ts';

/**
 * How long every member must have been seen without a leader and without a connection to any peer before the
 * cluster is re-formed. etcd redials a peer every 100 ms and elects within about a second: members that can reach
 * one another (one kept its address) are connected long before this, and rejoin without a re-forming.
 */
export const REFORM_CONFIRM_MS = 10_000;

/** On the EtcdCluster: the JSON of its ReformPlan, written before the first pod is touched. */
export const REFORM_ANNOTATION = 'etcd.strata.dev/reform';

const candidateSchema = z.strictObject({
  member: z.string(),
  memberId: z.string().regex(/^[0-9]+$/),
  revision: z.int().min(0),
  appliedIndex: z.int().min(0),
});

/** One member's position when the choice was made. */
export type ReformCandidate = z.infer<typeof candidateSchema>;

export const reformPlanSchema = z.strictObject({
  token: z.string().min(1).max(64),
  /** The member restarted with --force-new-cluster. */
  member: z.string().min(1),
  memberId: z.string().regex(/^[0-9]+$/),
  clusterId: z.string().regex(/^[0-9]+$/),
  stage: z.enum(['forcing', 'restarting']),
  /** Every member's position when the member was chosen: the record of why it was. */
  members: z.array(candidateSchema),
  startedAt: z.iso.datetime({ offset: true }),
  completedAt: z.iso.datetime({ offset: true }).optional(),
});

export type ReformPlan = z.infer<typeof reformPlanSchema>;

/** The re-forming recorded on `cluster`, done or not; an annotation that cannot be read is none. */
export function recordedReform(cluster: EtcdCluster): ReformPlan | undefined {
  const text = cluster.metadata.annotations?.[REFORM_ANNOTATION];
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = reformPlanSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/** The re-forming under way on `cluster`, as the planner sees it. */
export function reformUnderway(cluster: EtcdCluster): ReformView | undefined {
  const plan = recordedReform(cluster);
  if (plan === undefined || plan.completedAt !== undefined) return undefined;
  return { token: plan.token, member: plan.member, memberId: plan.memberId, stage: plan.stage };
}

export type ReformAction =
  /** Record the plan (the chosen member, every member's position); nothing else in that pass. */
  | {
      readonly kind: 'reformStart';
      readonly clusterId: string;
      readonly chosen: ReformCandidate;
      readonly members: readonly ReformCandidate[];
    }
  /** Delete the chosen member's pod (its claim stays): the plain one before forcing, the forced one after. */
  | { readonly kind: 'reformDeletePod'; readonly member: string; readonly forced: boolean }
  /** Create the chosen member's pod on its claim with --force-new-cluster. */
  | {
      readonly kind: 'reformForceStart';
      readonly member: string;
      readonly claim: string;
      readonly version: string;
      readonly token: string;
    }
  /** It leads a one-member cluster: record the stage `restarting` before its forced pod goes. */
  | { readonly kind: 'reformForced'; readonly member: string }
  /** Create the chosen member's pod on its claim again, without the flag. */
  | { readonly kind: 'reformRestart'; readonly member: string; readonly claim: string; readonly version: string }
  /** It leads again without the flag: the re-forming is done, and the ordinary planner goes on. */
  | { readonly kind: 'reformComplete'; readonly member: string };

type Decision =
  | ReformAction
  | { readonly kind: 'wait'; readonly reason: string; readonly message: string }
  | {
      readonly kind: 'halt';
      readonly condition: 'QuorumLost' | 'Degraded';
      readonly reason: string;
      readonly message: string;
    };

/**
 * The most applied first: --force-new-cluster keeps what the member applied of the log it knows committed (and drops
 * the rest), and a member's revision counts what it applied of the key space; the applied index, then the name,
 * break ties.
 */
export function chooseMember(candidates: readonly ReformCandidate[]): ReformCandidate | undefined {
  return [...candidates].sort(
    (a, b) => b.revision - a.revision || b.appliedIndex - a.appliedIndex || a.member.localeCompare(b.member),
  )[0];
}

/**
 * Who answers as which member, when none has a leader or reaches a peer; undefined otherwise. The controller times
 * how long the same fingerprint holds (REFORM_CONFIRM_MS).
 */
export function stuckFingerprint(answers: readonly LeaderlessAnswer[]): string | undefined {
  if (answers.length === 0 || answers.some((answer) => answer.hasLeader || answer.activePeers > 0)) return undefined;
  return answers
    .map((answer) => `${answer.pod}=${answer.memberId}`)
    .sort()
    .join(',');
}

/**
 * Whether a cluster without a quorum is one to re-form, and if so around which member. Undefined when it is not
 * this case (emptyDir, a leader somewhere, a member that reaches a peer, through which the others rejoin): the
 * caller reports the quorum loss as before.
 */
export function planReform(observed: Observed): Decision | undefined {
  const { etcd, spec, leaderless } = observed;
  if (spec.storage !== 'pvc' || observed.reform !== undefined || leaderless === undefined) return undefined;
  if (observed.knownClusterId === undefined) return undefined;
  if (etcd.kind === 'split' || (etcd.kind === 'answered' && etcd.leaderId !== undefined)) return undefined;
  const { answers } = leaderless;
  if (stuckFingerprint(answers) === undefined) return undefined;
  const memberships = new Set(answers.map((answer) => answer.peers.join(',')));
  if (memberships.size > 1) {
    return {
      kind: 'halt',
      condition: 'QuorumLost',
      reason: 'ReformMembershipsDisagree',
      message: `the members know ${memberships.size} different memberships; not re-forming (rule 8)`,
    };
  }
  const candidates: ReformCandidate[] = [];
  const unanswered: string[] = [];
  for (const id of answers[0]?.peers ?? []) {
    const answer = answers.find((candidate) => candidate.memberId === id);
    const claim = observed.claims.find((candidate) => candidate.member === answer?.pod && !candidate.deleting);
    if (answer !== undefined && claim !== undefined) {
      candidates.push({
        member: answer.pod,
        memberId: id,
        revision: answer.revision,
        appliedIndex: answer.appliedIndex,
      });
    } else {
      unanswered.push(
        `${BigInt(id).toString(16)}${answer === undefined ? '' : ` (pod ${answer.pod}, its claim gone)`}`,
      );
    }
  }
  if (unanswered.length > 0) {
    // Pods whose etcd has not run yet may hold the missing members: they are waited for. A pod whose etcd ran but
    // does not answer (failing, frozen), no pod at all, or a member answering without its claim: a real quorum loss,
    // reported as before (and recovery: fromLatestBackup may act on it).
    const answeredPods = new Set(answers.map((answer) => answer.pod));
    const others = observed.pods.filter((pod) => !pod.deleting && !answeredPods.has(pod.name));
    const starting = others.filter((pod) => !pod.crashLooping && !pod.etcdStarted);
    const claimGone = answers.some((answer) => !candidates.some((candidate) => candidate.member === answer.pod));
    if (starting.length > 0 && !claimGone) {
      return {
        kind: 'wait',
        reason: 'ReformAwaitsMembers',
        message: `no member has a leader or reaches a peer; waiting for pods ${starting.map((pod) => pod.name).join(', ')} to answer before re-forming`,
      };
    }
    return {
      kind: 'halt',
      condition: 'QuorumLost',
      reason: 'ReformNeedsEveryMember',
      message: `no member has a leader or reaches a peer, but ${unanswered.length === 1 ? 'member' : 'members'} ${unanswered.join(', ')} answer${unanswered.length === 1 ? 's' : ''} from no pod on its claim${others.length > 0 ? ` (not answering: ${others.map((pod) => pod.name).join(', ')})` : ''}: the cluster is re-formed only with every member's data (rule 8); waiting`,
    };
  }
  if (leaderless.heldForMs < REFORM_CONFIRM_MS) {
    return {
      kind: 'wait',
      reason: 'ReformConfirming',
      message: `every member is back on its data, and none has had a leader or reached a peer for ${(leaderless.heldForMs / 1000).toFixed(1)} s; re-forming once that has held for ${REFORM_CONFIRM_MS / 1000} s`,
    };
  }
  const chosen = chooseMember(candidates);
  if (chosen === undefined) return undefined;
  return { kind: 'reformStart', clusterId: observed.knownClusterId, chosen, members: candidates };
}

/** The next step of the re-forming under way: the chosen member forced, then restarted plainly. */
export function planReformUnderway(observed: Observed, reform: ReformView): Decision {
  const pod = observed.pods.find((candidate) => candidate.name === reform.member);
  const claim = observed.claims.find((candidate) => candidate.member === reform.member && !candidate.deleting);
  if (claim === undefined) {
    return {
      kind: 'halt',
      condition: 'Degraded',
      reason: 'ReformClaimGone',
      message: `the claim of ${reform.member}, the member the cluster is re-formed around, is gone; nothing more is done`,
    };
  }
  const version = observed.knownVersion ?? observed.spec.version;
  const { etcd } = observed;
  const alone = etcd.kind === 'answered' ? etcd.members : [];
  const leadsAlone =
    etcd.kind === 'answered' &&
    etcd.leaderId === reform.memberId &&
    alone.length === 1 &&
    alone[0]?.id === reform.memberId &&
    alone[0].healthy;
  const terminating = {
    kind: 'wait',
    reason: 'ReformPodTerminating',
    message: `the pod of ${reform.member} is terminating`,
  } as const;
  if (reform.stage === 'forcing') {
    if (pod === undefined) {
      return { kind: 'reformForceStart', member: reform.member, claim: claim.name, version, token: reform.token };
    }
    if (pod.deleting) return terminating;
    if (pod.forceNewCluster !== reform.token) return { kind: 'reformDeletePod', member: reform.member, forced: false };
    if (leadsAlone) return { kind: 'reformForced', member: reform.member };
    return {
      kind: 'wait',
      reason: 'ReformForcing',
      message: `member ${reform.member} is starting with --force-new-cluster`,
    };
  }
  if (pod === undefined) return { kind: 'reformRestart', member: reform.member, claim: claim.name, version };
  if (pod.deleting) return terminating;
  if (pod.forceNewCluster !== undefined) return { kind: 'reformDeletePod', member: reform.member, forced: true };
  if (leadsAlone) return { kind: 'reformComplete', member: reform.member };
  return {
    kind: 'wait',
    reason: 'ReformRestarting',
    message: `member ${reform.member} is restarting without --force-new-cluster`,
  };
}
