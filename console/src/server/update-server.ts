// The update server's JSON API, asked as the signed-in user (ADR 0066): the user's own bearer token is forwarded, and
// the update server reviews it (TokenReview) and asks RBAC about the user (SubjectAccessReview), so its 401, 403,
// 404 and 422 are its own decisions, passed on in its own words. The console adds no credentials of its own.
import { StrataError } from '@strata/api';
import { apiErrorAnswerSchema } from '@strata/update-server/answers';
import { UpdateApiClient } from '@strata/update-server/client';
import { z } from 'zod';
import type { UpdateServer } from './config.ts';

/** The update server answered something the console cannot read: a version mismatch, or not the update server. */
export class UpdateServerAnswerError extends StrataError {}

/** What the update server said: the parsed answer, or its refusal (status and message) as it worded it. */
export type UpdateServerResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly status: number; readonly message: string };

/** Its words for a refusal; the status alone when the body is not its error shape (a proxy's page). */
export function refusalMessage(status: number, body: unknown): string {
  const parsed = apiErrorAnswerSchema.safeParse(body);
  return parsed.success ? parsed.data.error.message : `the update server answered ${status}`;
}

/**
 * Sends `method path` (under /api/v1) with the user's token and parses a 2xx answer with `schema`. A refusal is a
 * result, not an exception: the pages show it in place. An unreachable server or an unreadable answer throws (an
 * UpdateServerError from the client, or UpdateServerAnswerError), with the path and nothing of the token.
 */
export async function askUpdateServer<T extends z.ZodType>(
  server: UpdateServer,
  token: string,
  request: { readonly method: 'GET' | 'POST'; readonly path: string; readonly body?: unknown },
  schema: T,
): Promise<UpdateServerResult<z.output<T>>> {
  const client = new UpdateApiClient({
    baseUrl: server.url,
    token,
    ...(server.caPem === undefined ? {} : { caPem: server.caPem }),
    timeoutMs: 15_000,
  });
  const answer =
    request.method === 'GET' ? await client.get(request.path) : await client.post(request.path, request.body ?? {});
  if (answer.status < 200 || answer.status > 299)
    return { ok: false, status: answer.status, message: refusalMessage(answer.status, answer.body) };
  const parsed = schema.safeParse(answer.body);
  if (!parsed.success)
    throw new UpdateServerAnswerError(
      `the update server's answer to ${request.method} /api/v1${request.path} cannot be read: ${z.prettifyError(parsed.error)}`,
      { path: request.path },
    );
  return { ok: true, value: parsed.data };
}

/** The message of what askUpdateServer threw, for a page or a 502: typed errors carry it, anything else is a bug. */
export function unreachableMessage(error: unknown): string {
  if (error instanceof StrataError) return error.message;
  throw error;
}
