// Wait for the API: /readyz over TLS verified against the rendered CA.
import { request } from 'node:https';
import { readBody, waitFor } from '@strata/host';
import { clusterCaPem } from './api-client.ts';
import type { PhaseContext, PhaseOutcome } from './phase.ts';

export interface ReadyzAnswer {
  readonly status: number;
  readonly body: string;
}

/** One GET of /readyz?verbose; rejects when the server cannot be reached or its certificate is not the CA's. */
export function getReadyz(url: string, ca: string, timeoutMs = 5_000): Promise<ReadyzAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL('/readyz?verbose', url), { ca, timeout: timeoutMs }, (response) => {
      readBody(response, { maxBytes: 1 << 20 }).then(
        (body) => resolve({ status: response.statusCode ?? 0, body: body.toString('utf8') }),
        reject,
      );
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export async function waitApi(context: PhaseContext): Promise<PhaseOutcome> {
  const url = context.driver.apiServerUrl(context);
  const ca = await clusterCaPem(context.directory);
  let last = '';
  await waitFor(
    `the API server at ${url} to answer /readyz`,
    async () => {
      if (context.signal.aborted) throw context.signal.reason;
      try {
        const answer = await getReadyz(url, ca);
        if (answer.status === 200) return true;
        const failing = answer.body.split('\n').filter((line) => line.includes('failed'));
        last = `/readyz answered ${answer.status}${failing.length > 0 ? `: ${failing.join('; ')}` : ''}`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      context.progress(`waiting for ${url}/readyz (${last})`);
      return undefined;
    },
    { timeoutMs: context.timeoutMs, intervalMs: 1_000 },
  );
  context.progress(`${url} is ready`);
  return { changed: false };
}
