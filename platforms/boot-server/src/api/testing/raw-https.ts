// One HTTPS request with exactly the TLS settings a test asks for (no agent,
// no retries), so that tests can send what a well-behaved client never would.
import { request, type RequestOptions } from 'node:https';

export interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
}

export interface RawRequest {
  readonly method?: string;
  /** The request target, sent as is (no normalization of "..", no re-encoding). */
  readonly path: string;
  readonly body?: string | Buffer;
  readonly headers?: Record<string, string | number>;
  /** TLS options: ca, cert, key, minVersion, maxVersion, ciphers. */
  readonly tls: Pick<RequestOptions, 'ca' | 'cert' | 'key' | 'minVersion' | 'maxVersion' | 'ciphers'>;
}

/** Resolves with the answer; rejects with the TLS or socket error (its `code` tells which alert). */
export function rawHttps(baseUrl: string, options: RawRequest): Promise<RawAnswer> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: base.hostname,
        port: base.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers ?? {},
        agent: false,
        ...options.tls,
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () =>
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}
