// A member's metrics (plain HTTP on its metrics port, with or without TLS): the one thing a member without a leader
// still serves. etcd starts serving its client port only once it has been ready (it needs a leader for that), so a
// cluster whose members all moved answers no Status and no member list; its metrics say who each member is, whether
// it has a leader, whom it knows and reaches, and how much of the log it has applied.
import type { PodView } from '../plan/observed.ts';
import { METRICS_PORT, type LeaderlessAnswer } from '../plan/observed.ts';
import { EtcdRequestError } from '../etcd/errors.ts';

const decimal = (hex: string): string => BigInt(`0x${hex}`).toString();

/** The metrics text of one member, read into what the re-forming needs; throws when a needed metric is missing. */
export function parseMemberMetrics(pod: string, text: string): LeaderlessAnswer {
  const single = (name: string): number | undefined => {
    const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    return match?.[1] === undefined ? undefined : Number(match[1]);
  };
  const id = /^etcd_server_id\{server_id="([0-9a-f]+)"\} 1$/m.exec(text)?.[1];
  const hasLeader = single('etcd_server_has_leader');
  const revision = single('etcd_debugging_mvcc_current_revision');
  const appliedIndex = single('etcd_server_proposals_applied_total');
  if (id === undefined || hasLeader === undefined || revision === undefined || appliedIndex === undefined) {
    throw new EtcdRequestError(`the metrics of pod ${pod} lack the member's ID, leader, revision or applied index`, {
      endpoint: pod,
      path: 'metrics',
    });
  }
  const peers = new Set([decimal(id)]);
  let activePeers = 0;
  for (const match of text.matchAll(
    /^etcd_network_(known|active)_peers\{Local="[0-9a-f]+",Remote="([0-9a-f]+)"\} (\S+)$/gm,
  )) {
    const [, kind, remote = '0', value] = match;
    if (Number(value) < 1) continue;
    if (kind === 'known') peers.add(decimal(remote));
    else if (decimal(remote) !== decimal(id)) activePeers += 1;
  }
  return {
    pod,
    memberId: decimal(id),
    hasLeader: hasLeader >= 1,
    revision,
    appliedIndex,
    peers: [...peers].sort(),
    activePeers,
  };
}

/**
 * Every pod's member metrics; a pod that does not answer (not started, or its etcd down) is left out, and the
 * re-forming then sees its member as not answering.
 */
export async function readLeaderless(pods: readonly PodView[], timeoutMs: number): Promise<LeaderlessAnswer[]> {
  const answers = await Promise.all(
    pods.map(async (pod): Promise<LeaderlessAnswer | undefined> => {
      if (pod.ip === undefined || pod.deleting) return undefined;
      const url = `http://${pod.ip}:${METRICS_PORT}/metrics`;
      let response: Response;
      try {
        response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      } catch {
        // Not listening yet, or gone: what the answers leave out.
        return undefined;
      }
      const text = await response.text();
      if (!response.ok) {
        throw new EtcdRequestError(`${url} answered HTTP ${response.status}: ${text.slice(0, 200)}`, {
          endpoint: url,
          path: 'metrics',
        });
      }
      return parseMemberMetrics(pod.name, text);
    }),
  );
  return answers.filter((answer): answer is LeaderlessAnswer => answer !== undefined);
}
