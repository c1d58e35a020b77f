// Typed builders for the re-forming tests: a cluster on claims whose every member came back on a new pod address.
import { parseEtcdCluster, type EtcdCluster } from '@strata/api';
import type { LeaderlessAnswer, MemberView, Observed, ReformView } from '../plan/observed.ts';
import { aMember, aPod, claimsOf, observed } from '../plan/test-fixtures.ts';
import { REFORM_ANNOTATION, REFORM_CONFIRM_MS, type ReformPlan } from './reform-plan.ts';

export interface Position {
  readonly revision: number;
  readonly appliedIndex: number;
}

export interface MovedCluster {
  /** The members as etcd recorded them: peer URLs at their old pod addresses. */
  readonly members: readonly MemberView[];
  readonly observed: Observed;
}

/**
 * Members a, b, c (positions in that order) on claims, each restarted in a new pod at a new IP: no client port
 * answers (no leader), every pod's metrics do, none with a leader or a peer, for `heldForMs` (long enough by
 * default). `answering` limits whose metrics answer (all by default).
 */
export function movedCluster(
  positions: readonly Position[],
  options: { readonly answering?: readonly string[]; readonly heldForMs?: number } = {},
): MovedCluster {
  const members = positions.map((_, index) => aMember(`etcd-${'abcdefg'[index] ?? index}`));
  const pods = members.map((member) => aPod(member.name, { etcdStarted: true }));
  const peers = members.map((member) => member.id).sort();
  const answers: LeaderlessAnswer[] = members.flatMap((member, index) => {
    if (options.answering !== undefined && !options.answering.includes(member.name)) return [];
    const position = positions[index] ?? { revision: 0, appliedIndex: 0 };
    return [{ pod: member.name, memberId: member.id, hasLeader: false, ...position, peers, activePeers: 0 }];
  });
  return {
    members,
    observed: {
      ...observed(members, { pods, claims: claimsOf(members), size: members.length }, { kind: 'silent', errors: [] }),
      leaderless: { answers, heldForMs: options.heldForMs ?? REFORM_CONFIRM_MS },
    },
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
