// A recording HTTPS proxy between the console and kube-apiserver: it forwards every request as it is and notes when
// it was sent and the bearer it carried, so that a test can check every ID token the console forwarded against
// its own expiry.
import { createServer, request as httpsRequest, type Server } from 'node:https';
import { z } from 'zod';
import type { TestTls } from './test-tls.ts';

const jwtClaimsSchema = z.object({ exp: z.number(), sub: z.string() });

export interface ForwardedRequest {
  /** When the request reached the proxy, in ms since the epoch. */
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly bearer: string | undefined;
  /** The bearer's claims when it is a JWT with `exp` and `sub`. */
  readonly claims: z.infer<typeof jwtClaimsSchema> | undefined;
}

export interface RecordingProxy {
  readonly url: string;
  readonly forwarded: readonly ForwardedRequest[];
  stop(): Promise<void>;
}

function claimsOf(bearer: string | undefined): ForwardedRequest['claims'] {
  const payload = bearer?.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const parsed = jwtClaimsSchema.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    // Not a JWT: recorded without claims.
    return undefined;
  }
}

export async function startRecordingProxy(options: {
  readonly target: string;
  readonly targetCaPem: string;
  readonly tls: TestTls;
}): Promise<RecordingProxy> {
  const forwarded: ForwardedRequest[] = [];
  const server: Server = createServer(
    { cert: options.tls.server.certificatePem, key: options.tls.server.privateKeyPem },
    (request, response) => {
      const authorization = request.headers.authorization;
      const bearer = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : undefined;
      forwarded.push({
        at: Date.now(),
        method: request.method ?? '',
        path: request.url ?? '',
        bearer,
        claims: claimsOf(bearer),
      });
      const upstream = httpsRequest(
        new URL(request.url ?? '/', options.target),
        { method: request.method, headers: request.headers, ca: options.targetCaPem },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      upstream.on('error', (error) => response.destroy(error));
      // A watch ends when the console goes away from it.
      response.on('close', () => upstream.destroy());
      request.pipe(upstream);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the recording proxy has no TCP address');
  return {
    url: `https://127.0.0.1:${address.port}`,
    forwarded,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
