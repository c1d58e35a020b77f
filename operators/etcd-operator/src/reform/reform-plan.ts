// Re-forming a cluster on claims whose every member came back at once on a new pod address (a restarted node, or
// Kubernetes itself): each member runs on its own data, but knows its peers only by the pod IPs they had before, so
// none reaches another and no leader is ever elected. ADR 0054 says why this is safe and what it costs:
//   1. only when every voter answers on its own data (same member IDs, one cluster ID, one membership) and none is
//      at the address it is known by; a voter whose data is gone is a real quorum loss (rule 8): reported, nothing
//      done;
//   2. the member that knows the highest committed raft index is chosen (etcd's --force-new-cluster keeps exactly its
//      committed entries), and the choice recorded on the EtcdCluster before anything is touched;
//   3. that member's pod is recreated with --force-new-cluster (same data, same cluster ID, one member), then, once it
//      leads, recreated without the flag (a later restart must never force again);
//   4. the ordinary planner then finds the other members' pods without a member: deleted with their claims (their
//      data never serves a new member ID), and new members join as learners one at a time.
// Pure: the planner's decisions, unit-tested in reform-plan.test.ts; the controller records and carries them out.
import type { EtcdCluster } from '@strata/api';
import { z } from 'zod';
import {
  clientURLOf,
  peerURLOf,
  type LeaderlessAnswer,
  type Observed,
  type PodView,
  type ReformView,
} from '../plan/observed.ts';

/** On the EtcdCluster: the JSON of its ReformPlan, written before the first pod is touched. */
export const REFORM_ANNOTATION = 'etcd.strata.dev/reform';

const candidateSchema = z.strictObject({
  member: z.string(),
  memberId: z.string().regex(/^[0-9]+$/),
  raftTerm: z.int().min(0),
  raftIndex: z.int().min(0),
  raftAppliedIndex: z.int().min(0),
});

/** One voter's position when the choice was made. */
export type ReformCandidate = z.infer<typeof candidateSchema>;

export const reformPlanSchema = z.strictObject({
  token: z.string().min(1).max(64),
  /** The member restarted with --force-new-cluster. */
  member: z.string().min(1),
  memberId: z.string().regex(/^[0-9]+$/),
  clusterId: z.string().regex(/^[0-9]+$/),
  stage: z.enum(['forcing', 'restarting']),
  /** Every voter's position when the member was chosen: the record of why it was. */
  voters: z.array(candidateSchema),
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
  /** Record the plan (the chosen member, every voter's position); nothing else in that pass. */
  | {
      readonly kind: 'reformStart';
      readonly clusterId: string;
      readonly chosen: ReformCandidate;
      readonly voters: readonly ReformCandidate[];
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

/** Most committed entries first: --force-new-cluster discards a member's log past its committed index. */
export function chooseMember(candidates: readonly ReformCandidate[]): ReformCandidate | undefined {
  return [...candidates].sort(
    (a, b) =>
      b.raftIndex - a.raftIndex ||
      b.raftTerm - a.raftTerm ||
      b.raftAppliedIndex - a.raftAppliedIndex ||
      a.member.localeCompare(b.member),
  )[0];
}

const votersOf = (answer: LeaderlessAnswer) => answer.members.filter((member) => !member.learner);
const membershipKey = (answer: LeaderlessAnswer): string =>
  votersOf(answer)
    .map((member) => member.id)
    .sort()
    .join(',');

/**
 * Whether a cluster without a quorum is one to re-form, and if so around which member. Undefined when it is not
 * this case (emptyDir, a leader, another cluster ID, or a voter still at its address, through which the others
 * rejoin): the caller reports the quorum loss as before.
 */
export function planReform(observed: Observed): Decision | undefined {
  const { etcd, spec } = observed;
  if (spec.storage !== 'pvc' || observed.reform !== undefined) return undefined;
  if (etcd.kind !== 'answered' || etcd.leaderId !== undefined || etcd.leaderless === undefined) return undefined;
  if (observed.knownClusterId === undefined || etcd.clusterId !== observed.knownClusterId) return undefined;
  const answers = etcd.leaderless;
  const first = answers[0];
  if (first === undefined) return undefined;
  const livePod = (name: string): PodView | undefined =>
    observed.pods.find((pod) => pod.name === name && name !== '' && !pod.deleting);
  const voters = votersOf(first);
  // A voter at the address it is known by: the others reach it there, and with it elect a leader.
  const atItsAddress = voters.filter((voter) => {
    const ip = livePod(voter.name)?.ip;
    return ip !== undefined && voter.peerURLs.includes(peerURLOf(ip, spec.tls));
  });
  if (atItsAddress.length > 0) return undefined;
  if (new Set(answers.map(membershipKey)).size > 1) {
    return {
      kind: 'halt',
      condition: 'QuorumLost',
      reason: 'ReformMembershipsDisagree',
      message: `the members answer with ${new Set(answers.map(membershipKey)).size} different memberships; not re-forming (rule 8)`,
    };
  }
  const candidates: ReformCandidate[] = [];
  const lost: string[] = [];
  const starting: string[] = [];
  for (const voter of voters) {
    const claim = observed.claims.find((candidate) => candidate.member === voter.name && !candidate.deleting);
    const pod = livePod(voter.name);
    const answer = answers.find(
      (candidate) =>
        candidate.memberId === voter.id &&
        pod?.ip !== undefined &&
        candidate.endpoint === clientURLOf(pod.ip, spec.tls),
    );
    if (claim === undefined || voter.name === '') {
      lost.push(`${voter.name || voter.id} has no claim (its data is gone)`);
    } else if (answer !== undefined) {
      candidates.push({
        member: voter.name,
        memberId: voter.id,
        raftTerm: answer.raftTerm,
        raftIndex: answer.raftIndex,
        raftAppliedIndex: answer.raftAppliedIndex,
      });
    } else if (pod?.crashLooping === true) {
      lost.push(`${voter.name} keeps failing on its data`);
    } else {
      starting.push(voter.name);
    }
  }
  if (lost.length > 0) {
    return {
      kind: 'halt',
      condition: 'QuorumLost',
      reason: 'ReformNeedsEveryVoter',
      message: `no member is at the address it is known by, but ${lost.join('; ')}: the cluster is re-formed only with every voter's data (rule 8); waiting`,
    };
  }
  if (starting.length > 0) {
    return {
      kind: 'wait',
      reason: 'ReformAwaitsVoters',
      message: `no member is at the address it is known by; waiting for ${starting.join(', ')} to answer before re-forming`,
    };
  }
  const chosen = chooseMember(candidates);
  if (chosen === undefined) return undefined;
  return { kind: 'reformStart', clusterId: etcd.clusterId, chosen, voters: candidates };
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
