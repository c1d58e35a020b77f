// etcd's v3 API through the JSON gateway every etcd serves on its client port (ADR 0023): plain HTTP POSTs of the
// gRPC messages as JSON, each answer parsed with zod. 64-bit integers arrive as decimal strings and are kept so: a
// member ID does not fit a JavaScript number.
import { z } from 'zod';
import { EtcdRequestError } from './errors.ts';
import { gatewayFetch, type EtcdClientTls, type GatewayAnswer, type GatewayFetch } from './tls.ts';

const uint64 = z.string().regex(/^[0-9]+$/);
const int64 = z.string().regex(/^-?[0-9]+$/);

const headerSchema = z.looseObject({
  cluster_id: uint64,
  member_id: uint64,
  revision: int64.optional(),
  raft_term: uint64.optional(),
});

const memberSchema = z.looseObject({
  ID: uint64,
  // A learner that has not started yet has no name and no client URLs.
  name: z.string().default(''),
  peerURLs: z.array(z.string()).default([]),
  clientURLs: z.array(z.string()).default([]),
  isLearner: z.boolean().default(false),
});

const memberListSchema = z.looseObject({ header: headerSchema, members: z.array(memberSchema).default([]) });
const memberAddSchema = z.looseObject({ header: headerSchema, member: memberSchema });
const statusSchema = z.looseObject({
  header: headerSchema,
  version: z.string(),
  dbSize: int64.default('0'),
  leader: uint64.default('0'),
  raftIndex: uint64.default('0'),
  raftTerm: uint64.default('0'),
  raftAppliedIndex: uint64.default('0'),
  errors: z.array(z.string()).default([]),
  isLearner: z.boolean().default(false),
});
const hashKvSchema = z.looseObject({
  header: headerSchema,
  hash: z.number().default(0),
  hash_revision: int64.optional(),
  compact_revision: int64.default('-1'),
});
const errorSchema = z.looseObject({
  error: z.string().optional(),
  message: z.string().optional(),
  code: z.number().optional(),
});
const rangeSchema = z.looseObject({
  header: headerSchema,
  kvs: z.array(z.looseObject({ key: z.string(), value: z.string().default('') })).default([]),
  count: int64.default('0'),
});

// The gateway writes enums by name and leaves out zero values: an alarm of NONE has no `alarm` at all.
const alarmSchema = z.looseObject({
  header: headerSchema,
  alarms: z.array(z.looseObject({ memberID: uint64.default('0'), alarm: z.string().default('NONE') })).default([]),
});

export type EtcdMember = z.output<typeof memberSchema>;
export type EtcdAlarm = z.output<typeof alarmSchema>['alarms'][number];
export type EtcdMemberList = z.output<typeof memberListSchema>;
export type EtcdEndpointStatus = z.output<typeof statusSchema>;
export type EtcdHashKv = z.output<typeof hashKvSchema>;

export interface EtcdClientOptions {
  /** Per request; a member that does not answer in time counts as not answering. */
  readonly timeoutMs?: number;
  /** For members that require client certificates (https URLs). */
  readonly tls?: EtcdClientTls;
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (text: string): string => Buffer.from(text, 'base64').toString('utf8');

/** Talks to one etcd member at a time, by its client URL. */
export class EtcdClient {
  readonly #timeoutMs: number;
  readonly #fetch: GatewayFetch;

  constructor(options: EtcdClientOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 2000;
    this.#fetch = gatewayFetch(options.tls);
  }

  async #call<S extends z.ZodType>(
    endpoint: string,
    path: string,
    body: object,
    schema: S,
    timeoutMs = this.#timeoutMs,
  ): Promise<z.output<S>> {
    const url = `${endpoint.replace(/\/$/, '')}/v3/${path}`;
    let response: GatewayAnswer;
    try {
      response = await this.#fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new EtcdRequestError(`etcd at ${endpoint} did not answer ${path}`, { endpoint, path }, { cause: error });
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new EtcdRequestError(
        `etcd at ${endpoint} answered ${path} with HTTP ${response.status} and no JSON: ${text.slice(0, 200)}`,
        { endpoint, path },
        { cause: error },
      );
    }
    if (!response.ok) {
      const refusal = errorSchema.safeParse(json);
      const detail = refusal.success ? (refusal.data.message ?? refusal.data.error ?? text) : text;
      throw new EtcdRequestError(`etcd at ${endpoint} refused ${path}: ${detail.slice(0, 500)}`, {
        endpoint,
        path,
        ...(refusal.success && refusal.data.code !== undefined ? { code: refusal.data.code } : {}),
      });
    }
    // etcd answers some refusals with HTTP 200 and an error body (a stream's error frame).
    const embedded = errorSchema.safeParse(json);
    if (embedded.success && embedded.data.error !== undefined && embedded.data.code !== undefined) {
      throw new EtcdRequestError(`etcd at ${endpoint} refused ${path}: ${embedded.data.error}`, {
        endpoint,
        path,
        code: embedded.data.code,
      });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new EtcdRequestError(
        `etcd at ${endpoint} answered ${path} with an unexpected message: ${parsed.error.message.slice(0, 500)}`,
        { endpoint, path },
      );
    }
    return parsed.data;
  }

  /** The member list as the cluster has agreed it (linearizable: a partitioned member cannot answer it). */
  memberList(endpoint: string): Promise<EtcdMemberList> {
    return this.#call(endpoint, 'cluster/member/list', { linearizable: true }, memberListSchema);
  }

  status(endpoint: string): Promise<EtcdEndpointStatus> {
    return this.#call(endpoint, 'maintenance/status', {}, statusSchema);
  }

  hashKv(endpoint: string, revision = 0): Promise<EtcdHashKv> {
    return this.#call(endpoint, 'maintenance/hashkv', { revision: String(revision) }, hashKvSchema);
  }

  async addLearner(endpoint: string, peerURL: string): Promise<EtcdMember> {
    return (await this.#call(endpoint, 'cluster/member/add', { peerURLs: [peerURL], isLearner: true }, memberAddSchema))
      .member;
  }

  async promote(endpoint: string, id: string): Promise<void> {
    await this.#call(endpoint, 'cluster/member/promote', { ID: id }, z.looseObject({ header: headerSchema }));
  }

  /** A member's new peer URLs (a member restarted on its data in a pod with another IP). */
  async updatePeerURLs(endpoint: string, id: string, peerURLs: readonly string[]): Promise<void> {
    await this.#call(endpoint, 'cluster/member/update', { ID: id, peerURLs }, z.looseObject({ header: headerSchema }));
  }

  async remove(endpoint: string, id: string): Promise<void> {
    await this.#call(endpoint, 'cluster/member/remove', { ID: id }, z.looseObject({ header: headerSchema }));
  }

  /** Hands leadership to `targetId`; etcd takes it only from the current leader, so `endpoint` must be the leader. */
  async moveLeader(endpoint: string, targetId: string): Promise<void> {
    await this.#call(
      endpoint,
      'maintenance/transfer-leadership',
      { targetID: targetId },
      z.looseObject({ header: headerSchema }),
    );
  }

  /** Defragments one member's backend; it blocks that member meanwhile, so it gets a longer timeout. */
  async defragment(endpoint: string, timeoutMs = 60_000): Promise<void> {
    // etcd answers a defragmentation with an empty message: no header.
    await this.#call(endpoint, 'maintenance/defragment', {}, z.looseObject({}), timeoutMs);
  }

  /** Compacts the key space up to `revision`, physically (the freed pages are reusable once this returns). */
  async compact(endpoint: string, revision: string): Promise<void> {
    await this.#call(
      endpoint,
      'kv/compaction',
      { revision, physical: true },
      z.looseObject({ header: headerSchema }),
      30_000,
    );
  }

  /** The cluster's active alarms (NOSPACE, CORRUPT), each with the member that raised it. */
  async alarms(endpoint: string): Promise<EtcdAlarm[]> {
    return (await this.#call(endpoint, 'maintenance/alarm', { action: 'GET' }, alarmSchema)).alarms.filter(
      (alarm) => alarm.alarm !== 'NONE',
    );
  }

  /**
   * Raises `alarm` for a member, as a member over its quota does itself (for every member that applies the write
   * before it sees another's alarm); the operator never raises one, tests do to reach that race for certain.
   */
  async raiseAlarm(endpoint: string, alarm: EtcdAlarm): Promise<void> {
    await this.#alarm(endpoint, 'ACTIVATE', alarm);
  }

  async disarm(endpoint: string, alarm: EtcdAlarm): Promise<void> {
    await this.#alarm(endpoint, 'DEACTIVATE', alarm);
  }

  async #alarm(endpoint: string, action: 'ACTIVATE' | 'DEACTIVATE', alarm: EtcdAlarm): Promise<void> {
    await this.#call(
      endpoint,
      'maintenance/alarm',
      { action, memberID: alarm.memberID, alarm: alarm.alarm },
      alarmSchema,
    );
  }

  async put(endpoint: string, key: string, value: string): Promise<void> {
    await this.#call(endpoint, 'kv/put', { key: b64(key), value: b64(value) }, z.looseObject({ header: headerSchema }));
  }

  /** Every key under `prefix` with its value (UTF-8). */
  async getPrefix(endpoint: string, prefix: string): Promise<Map<string, string>> {
    const end = Buffer.from(prefix, 'utf8');
    end[end.length - 1] = (end[end.length - 1] ?? 0) + 1;
    const answer = await this.#call(
      endpoint,
      'kv/range',
      { key: b64(prefix), range_end: end.toString('base64') },
      rangeSchema,
    );
    return new Map(answer.kvs.map((kv) => [unb64(kv.key), unb64(kv.value)]));
  }
}

/** A member ID as etcdctl prints it: hexadecimal. */
export const hexId = (id: string): string => BigInt(id).toString(16);
