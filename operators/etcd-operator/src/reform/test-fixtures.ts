// Typed builders for the re-forming tests: a cluster on claims whose every member came back on a new pod address.
import { parseEtcdCluster, type EtcdCluster } from '@strata/api';
import {
  clientURLOf,
  type LeaderlessAnswer,
  type MemberView,
  type Observed,
  type ReformView,
} from '../plan/observed.ts';
import { aMember, aPod, CLUSTER_ID, claimsOf, observed, type ObservedOverrides } from '../plan/test-fixtures.ts';
import { REFORM_ANNOTATION, type ReformPlan } from './reform-plan.ts';

export interface RaftPosition {
  readonly raftTerm: number;
  readonly raftIndex: number;
}

export interface MovedCluster {
  /** The members as etcd recorded them: peer URLs at their old pod addresses. */
  readonly members: readonly MemberView[];
  /** Each member's new pod's client URL, by member name. */
  readonly endpoints: ReadonlyMap<string, string>;
  readonly observed: Observed;
}

/**
 * Members a, b, c (positions in that order) on claims, each restarted in a new pod at a new IP, each answering on its
 * data without a leader. `answering` limits which members answer (all by default); `overrides` change the rest.
 */
export function movedCluster(
  positions: readonly RaftPosition[],
  options: { readonly answering?: readonly string[]; readonly overrides?: ObservedOverrides } = {},
): MovedCluster {
  const members = positions.map((_, index) => aMember(`etcd-${'abcdefg'[index] ?? index}`));
  const pods = members.map((member) => aPod(member.name, { etcdStarted: true }));
  const endpoints = new Map(pods.map((pod) => [pod.name, clientURLOf(pod.ip ?? '')]));
  const leaderless: LeaderlessAnswer[] = members.flatMap((member, index) => {
    if (options.answering !== undefined && !options.answering.includes(member.name)) return [];
    const position = positions[index] ?? { raftTerm: 0, raftIndex: 0 };
    return [
      {
        endpoint: endpoints.get(member.name) ?? '',
        memberId: member.id,
        raftTerm: position.raftTerm,
        raftIndex: position.raftIndex,
        raftAppliedIndex: position.raftIndex,
        members: members.map(({ id, name, peerURLs, learner }) => ({ id, name, peerURLs, learner })),
      },
    ];
  });
  return {
    members,
    endpoints,
    observed: observed(
      members,
      { pods, claims: claimsOf(members), size: members.length, ...options.overrides },
      {
        kind: 'answered',
        clusterId: CLUSTER_ID,
        leaderId: undefined,
        // What a member's own status says without a member list: unnamed, not healthy.
        members: leaderless.map((answer) => ({
          id: answer.memberId,
          name: '',
          peerURLs: [],
          clientURLs: [answer.endpoint],
          learner: false,
          healthy: false,
          leader: false,
          revision: undefined,
          raftIndex: answer.raftIndex,
          dbSize: undefined,
          version: '3.6.16',
        })),
        leaderless,
      },
    ),
  };
}

export const aReform = (member: MemberView, overrides: Partial<ReformView> = {}): ReformView => ({
  token: 'f00d',
  member: member.name,
  memberId: member.id,
  stage: 'forcing',
  ...overrides,
});

/** An EtcdCluster carrying `annotation` as its recorded re-forming. */
export const aClusterWithReform = (annotation: string | ReformPlan): EtcdCluster =>
  parseEtcdCluster({
    apiVersion: 'etcd.strata.dev/v1alpha1',
    kind: 'EtcdCluster',
    metadata: {
      name: 'main',
      namespace: 'default',
      annotations: {
        [REFORM_ANNOTATION]: typeof annotation === 'string' ? annotation : JSON.stringify(annotation),
      },
    },
    spec: { size: 3, version: '3.6.16', storage: { pvc: { size: '1Gi' } } },
  });
