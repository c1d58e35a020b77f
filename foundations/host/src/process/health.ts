import { setTimeout as sleep } from 'node:timers/promises';
import { StrataError } from '@strata/api';
import { httpsRequest, type ClientTls } from '../http/https-request.ts';
import type { ManagedProcess } from './managed-process.ts';

export type { ClientTls } from '../http/https-request.ts';

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

export class ComponentNotReadyError extends StrataError {}

export async function httpsGet(url: string, tls: ClientTls, timeoutMs = 2_000): Promise<HttpAnswer> {
  const { status, body } = await httpsRequest(url, tls, { timeoutMs });
  return { status, body };
}

/**
 * Polls a health endpoint until it answers 200. Fails fast, with the tail of
 * the component's log, if the component exits first.
 */
export async function waitUntilHealthy(
  component: ManagedProcess,
  url: string,
  tls: ClientTls,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (!component.running) throw await component.failure(`exited while starting (waiting for ${url})`);
    try {
      const answer = await httpsGet(url, tls);
      if (answer.status === 200) return;
      last = `HTTP ${answer.status}: ${
        answer.body
          .trim()
          .split('\n')
          .filter((line) => line.includes('failed'))
          .join('; ') || answer.body.slice(0, 200)
      }`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(100);
  }
  const failure = await component.failure(`was not healthy within ${timeoutMs}ms (${url}: ${last})`);
  throw new ComponentNotReadyError(failure.message, { ...failure.context, url, lastAnswer: last });
}
