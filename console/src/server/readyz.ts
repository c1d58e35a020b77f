// kube-apiserver's own health checks (/readyz?verbose), asked as the signed-in user: the path is public to every
// authenticated user by default (system:public-info-viewer), and a cluster that withholds it answers 403 here.
import { request } from 'node:https';
import { StrataError } from '@strata/api';
import type { ApiServer } from './config.ts';

export class ReadyzError extends StrataError {}

export interface ReadyzCheck {
  readonly name: string;
  readonly ok: boolean;
  /** The API server's words for the check ("ok", "failed: reason withheld"). */
  readonly detail: string;
}

export interface Readyz {
  /** The overall answer: 200 ready, 500 not ready. */
  readonly ready: boolean;
  readonly checks: readonly ReadyzCheck[];
}

const TIMEOUT_MS = 5_000;
/** The verbose answer is a few dozen short lines; anything far larger is not it. */
const MAX_BYTES = 64 * 1024;

/** Parses the verbose answer's lines: `[+]etcd ok`, `[-]etcd failed: reason withheld`. */
export function parseReadyz(status: number, body: string): Readyz {
  const checks = body
    .split('\n')
    .map((line) => /^\[([+-])\]([^ ]+) (.*)$/.exec(line.trim()))
    .filter((match) => match !== null)
    .map(([, sign, name, detail]) => ({ name: name ?? '', ok: sign === '+', detail: detail ?? '' }));
  return { ready: status === 200, checks };
}

export function readyz(apiServer: ApiServer, token: string): Promise<Readyz> {
  const url = new URL('/readyz?verbose', apiServer.server);
  return new Promise((resolve, reject) => {
    const call = request(
      url,
      {
        method: 'GET',
        headers: { authorization: `Bearer ${token}`, accept: 'text/plain' },
        ...(apiServer.caPem === undefined ? {} : { ca: apiServer.caPem }),
        timeout: TIMEOUT_MS,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BYTES) {
            response.destroy(new ReadyzError(`${url.href} answered over ${MAX_BYTES} bytes`, { url: url.href }));
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', reject);
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const body = Buffer.concat(chunks).toString('utf8');
          if (status !== 200 && status !== 500)
            reject(new ReadyzError(`${url.href} answered HTTP ${status}: ${body.trim()}`, { url: url.href, status }));
          else resolve(parseReadyz(status, body));
        });
      },
    );
    call.on('timeout', () =>
      call.destroy(new ReadyzError(`${url.href} did not answer within ${TIMEOUT_MS} ms`, { url: url.href })),
    );
    call.on('error', reject);
    call.end();
  });
}

/** kube-apiserver's checks of its etcd: `etcd` (it can reach it) and `etcd-readiness` (a read answers in time). */
export function etcdChecks(health: Readyz): readonly ReadyzCheck[] {
  return health.checks.filter((check) => check.name === 'etcd' || check.name.startsWith('etcd-'));
}
