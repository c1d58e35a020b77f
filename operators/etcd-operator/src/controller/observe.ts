// What etcd says about a cluster, asked of every member pod's client URL, turned into the planner's plain data.
import type { V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import type { EtcdClient, EtcdEndpointStatus, EtcdMemberList } from '../etcd/gateway-client.ts';
import { clientURLOf, type ClaimView, type EtcdView, type MemberView, type PodView } from '../plan/observed.ts';
import {
  ETCD_CONTAINER,
  FORCE_NEW_CLUSTER_ANNOTATION,
  INITIAL_STATE_ANNOTATION,
  MEMBER_LABEL,
  VERSION_ANNOTATION,
} from '../pods/member-pod.ts';

/** A member's claim as the planner sees it; undefined for a claim without the member label (not the operator's). */
export function claimView(claim: V1PersistentVolumeClaim): ClaimView | undefined {
  const member = claim.metadata?.labels?.[MEMBER_LABEL];
  if (member === undefined) return undefined;
  return { name: claim.metadata?.name ?? '', member, deleting: claim.metadata?.deletionTimestamp !== undefined };
}

export function podView(pod: V1Pod): PodView {
  const etcd = pod.status?.containerStatuses?.find((status) => status.name === ETCD_CONTAINER);
  const etcdStarted =
    etcd !== undefined &&
    (etcd.state?.running !== undefined ||
      etcd.state?.terminated !== undefined ||
      etcd.lastState?.terminated !== undefined ||
      etcd.restartCount > 0);
  return {
    name: pod.metadata?.name ?? '',
    ip: pod.status?.podIP ?? undefined,
    deleting: pod.metadata?.deletionTimestamp !== undefined,
    etcdStarted,
    initialState: pod.metadata?.annotations?.[INITIAL_STATE_ANNOTATION] === 'new' ? 'new' : 'existing',
    version: pod.metadata?.annotations?.[VERSION_ANNOTATION],
    crashLooping: etcd?.state?.waiting?.reason === 'CrashLoopBackOff',
    forceNewCluster: pod.metadata?.annotations?.[FORCE_NEW_CLUSTER_ANNOTATION],
  };
}

const toNumber = (text: string | undefined): number | undefined => (text === undefined ? undefined : Number(text));

interface Answer {
  readonly endpoint: string;
  readonly status: EtcdEndpointStatus;
}

/** Asks every pod's etcd for its status and the member list; never throws for a member that does not answer. */
export async function observeEtcd(client: EtcdClient, pods: readonly PodView[], tls = false): Promise<EtcdView> {
  const endpoints = pods.flatMap((pod) => (pod.ip === undefined ? [] : [clientURLOf(pod.ip, tls)]));
  const errors: string[] = [];
  const answers: Answer[] = [];
  await Promise.all(
    endpoints.map(async (endpoint) => {
      try {
        answers.push({ endpoint, status: await client.status(endpoint) });
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
      }
    }),
  );
  if (answers.length === 0) return { kind: 'silent', errors };
  const clusterIds = [...new Set(answers.map((answer) => answer.status.header.cluster_id))];
  if (clusterIds.length > 1) return { kind: 'split', clusterIds };
  const clusterId = clusterIds[0] ?? '';

  const leaders = new Set(answers.map((answer) => answer.status.leader).filter((leader) => leader !== '0'));
  const leaderId = leaders.size === 1 ? [...leaders][0] : undefined;
  const leaderFirst = [...answers].sort(
    (a, b) => Number(b.status.header.member_id === leaderId) - Number(a.status.header.member_id === leaderId),
  );
  let list: EtcdMemberList | undefined;
  for (const answer of leaderFirst) {
    try {
      list = await client.memberList(answer.endpoint);
      break;
    } catch (error) {
      errors.push(error instanceof Error ? error.message : String(error));
    }
  }
  // Without a linearizable member list there is no quorum to act with: the planner sees voters that do not answer.
  if (list === undefined) {
    return {
      kind: 'answered',
      clusterId,
      leaderId: undefined,
      members: answers.map((answer) => memberFromStatus(answer, leaderId)),
    };
  }
  const byId = new Map(answers.map((answer) => [answer.status.header.member_id, answer.status]));
  const members: MemberView[] = list.members.map((member) => {
    const status = byId.get(member.ID);
    // A NOSPACE alarm is the cluster's, not the member's: it still serves reads, and the operator clears it.
    const healthy = status !== undefined && status.errors.every((error) => /alarm:NOSPACE/.test(error));
    return {
      id: member.ID,
      name: member.name,
      peerURLs: member.peerURLs,
      clientURLs: member.clientURLs,
      learner: member.isLearner,
      healthy,
      leader: member.ID === leaderId,
      revision: toNumber(status?.header.revision),
      raftIndex: toNumber(status?.raftIndex),
      dbSize: toNumber(status?.dbSize),
      version: status?.version,
    };
  });
  return { kind: 'answered', clusterId, leaderId, members };
}

function memberFromStatus(answer: Answer, leaderId: string | undefined): MemberView {
  // Only enough to show in status: this view never reaches a membership change, for the planner halts on it.
  return {
    id: answer.status.header.member_id,
    name: '',
    peerURLs: [],
    clientURLs: [answer.endpoint],
    learner: answer.status.isLearner,
    healthy: false,
    leader: answer.status.header.member_id === leaderId,
    revision: toNumber(answer.status.header.revision),
    raftIndex: toNumber(answer.status.raftIndex),
    dbSize: toNumber(answer.status.dbSize),
    version: answer.status.version,
  };
}
