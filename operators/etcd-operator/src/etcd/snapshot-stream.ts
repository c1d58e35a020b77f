// etcd's Maintenance.Snapshot over gRPC: the one server stream the operator needs, and the one call that does not go
// through the JSON gateway (ADR 0035: the gateway's base64-in-JSON chunks cost three times etcdctl's time, gRPC's
// binary frames about as much as etcdctl).
import { fileURLToPath } from 'node:url';
import { Client, credentials, Metadata, type ChannelCredentials } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { z } from 'zod';
import { EtcdRequestError } from './errors.ts';
import type { EtcdClientTls } from './tls.ts';

const SNAPSHOT_METHOD = '/etcdserverpb.Maintenance/Snapshot';
const FLOW_CONTROL_WINDOW = 16 * 1024 * 1024;

const definition = loadSync(fileURLToPath(new URL('./maintenance-snapshot.proto', import.meta.url)), {
  keepCase: true,
  longs: String,
  defaults: true,
});

const methodSchema = z.object({
  Snapshot: z.object({
    requestSerialize: z.custom<(value: object) => Buffer>((value) => typeof value === 'function'),
    responseDeserialize: z.custom<(bytes: Buffer) => unknown>((value) => typeof value === 'function'),
  }),
});
const snapshotMethod = methodSchema.parse(definition['etcdserverpb.Maintenance']).Snapshot;

const snapshotResponseSchema = z.looseObject({
  remaining_bytes: z.string().regex(/^[0-9]+$/),
  blob: z.instanceof(Buffer),
  version: z.string(),
});

export interface SnapshotChunk {
  readonly blob: Buffer;
  /** Bytes etcd still has to send after this chunk. */
  readonly remainingBytes: number;
  /** The snapshot's storage version as etcd names it (3.6: "3.6.0"); empty from releases before 3.6. */
  readonly storageVersion: string;
}

/** host:port for gRPC from an etcd client URL, and credentials to match its scheme. */
function target(endpoint: string, tls: EtcdClientTls | undefined): { address: string; channel: ChannelCredentials } {
  const url = new URL(endpoint);
  if (url.protocol === 'https:') {
    if (tls === undefined) {
      throw new EtcdRequestError(`etcd at ${endpoint} speaks TLS: a client certificate is needed`, {
        endpoint,
        path: SNAPSHOT_METHOD,
      });
    }
    return {
      address: url.host,
      channel: credentials.createSsl(Buffer.from(tls.ca), Buffer.from(tls.key), Buffer.from(tls.cert)),
    };
  }
  return { address: url.host, channel: credentials.createInsecure() };
}

/**
 * Streams a snapshot of the member at `endpoint` chunk by chunk, as etcd sends it (its sha256 trailer last).
 * Aborting `signal` cancels the call; a broken stream throws EtcdRequestError quoting gRPC's status.
 */
export async function* streamSnapshot(
  endpoint: string,
  options: { readonly tls?: EtcdClientTls; readonly signal?: AbortSignal } = {},
): AsyncGenerator<SnapshotChunk> {
  const { address, channel } = target(endpoint, options.tls);
  // HTTP/2's default 64 KiB window stalls the stream on every round trip: with 16 MiB it keeps pace with etcdctl.
  const client = new Client(address, channel, {
    'grpc.max_receive_message_length': -1,
    'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW,
  });
  const call = client.makeServerStreamRequest(
    SNAPSHOT_METHOD,
    snapshotMethod.requestSerialize,
    snapshotMethod.responseDeserialize,
    {},
    new Metadata(),
  );
  const abort = (): void => call.cancel();
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    for await (const message of call) {
      const parsed = snapshotResponseSchema.safeParse(message);
      if (!parsed.success) {
        throw new EtcdRequestError(`etcd at ${endpoint} sent an unexpected snapshot message: ${parsed.error.message}`, {
          endpoint,
          path: SNAPSHOT_METHOD,
        });
      }
      yield {
        blob: parsed.data.blob,
        remainingBytes: Number(parsed.data.remaining_bytes),
        storageVersion: parsed.data.version,
      };
    }
  } catch (error) {
    if (error instanceof EtcdRequestError) throw error;
    const status = z.looseObject({ code: z.number(), details: z.string() }).safeParse(error);
    throw new EtcdRequestError(
      `etcd at ${endpoint} broke off the snapshot: ${status.success ? status.data.details : String(error)}`,
      { endpoint, path: SNAPSHOT_METHOD, ...(status.success ? { code: status.data.code } : {}) },
      { cause: error },
    );
  } finally {
    options.signal?.removeEventListener('abort', abort);
    // Ends the call too when the consumer stopped early or a message was refused.
    call.cancel();
    client.close();
  }
}
