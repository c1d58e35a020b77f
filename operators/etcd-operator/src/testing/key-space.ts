// Reads an etcd's whole key space at one revision, from one member alone (a serializable read answers from that
// member's own store): how the restore tests compare a restored cluster, member by member, with its source.
import { z } from 'zod';
import { gatewayFetch, type EtcdClientTls } from '../etcd/tls.ts';

const rangeAnswerSchema = z.looseObject({
  header: z.looseObject({ cluster_id: z.string(), member_id: z.string(), revision: z.string() }),
  kvs: z
    .array(
      z.looseObject({
        key: z.string(),
        value: z.string().default(''),
        create_revision: z.string(),
        mod_revision: z.string(),
        version: z.string(),
        lease: z.string().optional(),
      }),
    )
    .default([]),
  more: z.boolean().default(false),
});

export interface KeySpace {
  /** The member's current revision (the header's), not the revision read at. */
  readonly revision: number;
  readonly clusterId: string;
  readonly memberId: string;
  /** Key → value, create and mod revision and version, all base64 or decimal as the gateway gives them. */
  readonly kvs: ReadonlyMap<string, string>;
}

/** Every key at `revision` as one member holds it; throws when the member refuses (a compacted revision, say). */
export async function readKeySpace(
  endpoint: string,
  revision: number,
  options: { readonly tls?: EtcdClientTls; readonly timeoutMs?: number } = {},
): Promise<KeySpace> {
  const fetch = gatewayFetch(options.tls);
  const answer = await fetch(`${endpoint.replace(/\/$/, '')}/v3/kv/range`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // From the first key to the end of the key space: key "\0", range_end "\0".
    body: JSON.stringify({ key: 'AA==', range_end: 'AA==', revision: String(revision), serializable: true }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
  });
  const text = await answer.text();
  if (!answer.ok) throw new Error(`etcd at ${endpoint} refused a range at revision ${revision}: ${text.slice(0, 300)}`);
  const parsed = rangeAnswerSchema.parse(JSON.parse(text));
  if (parsed.more) throw new Error(`etcd at ${endpoint} answered only part of the key space`);
  return {
    revision: Number(parsed.header.revision),
    clusterId: parsed.header.cluster_id,
    memberId: parsed.header.member_id,
    kvs: new Map(
      parsed.kvs.map((kv) => [
        kv.key,
        JSON.stringify([kv.value, kv.create_revision, kv.mod_revision, kv.version, kv.lease ?? '0']),
      ]),
    ),
  };
}
