// What a joining member's init container runs: it returns once the cluster lists a member with this pod's peer
// URL, so that etcd starts with initial-cluster-state=existing only after its learner has been added.
import { setTimeout as sleep } from 'node:timers/promises';
import { EtcdClient } from './etcd/gateway-client.ts';
import type { EtcdClientTls } from './etcd/tls.ts';

export interface AwaitMemberOptions {
  readonly endpoints: readonly string[];
  readonly peerURL: string;
  readonly signal: AbortSignal;
  readonly intervalMs?: number;
  /** Told of each endpoint that did not answer; the wait goes on. */
  readonly onError?: (error: unknown) => void;
  /** For members that require client certificates (spec.tls). */
  readonly tls?: EtcdClientTls;
}

export async function awaitMember(options: AwaitMemberOptions): Promise<void> {
  const client = new EtcdClient({ timeoutMs: 1000, ...(options.tls === undefined ? {} : { tls: options.tls }) });
  while (!options.signal.aborted) {
    for (const endpoint of options.endpoints) {
      try {
        const list = await client.memberList(endpoint);
        if (list.members.some((member) => member.peerURLs.includes(options.peerURL))) return;
        break;
      } catch (error) {
        options.onError?.(error);
      }
    }
    await sleep(options.intervalMs ?? 200, undefined, { signal: options.signal });
  }
}
