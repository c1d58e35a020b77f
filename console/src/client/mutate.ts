// Every change the browser asks for goes through here: same-origin fetch, JSON, and the double-submit CSRF token
// echoed from its cookie (src/server/csrf.ts checks both).
import { z } from 'zod';
import { CSRF_COOKIE, CSRF_HEADER } from '../shared/csrf.ts';

const errorBodySchema = z.object({ error: z.string() });

function csrfToken(): string {
  const cookie = document.cookie.split('; ').find((entry) => entry.startsWith(`${CSRF_COOKIE}=`));
  return cookie === undefined ? '' : decodeURIComponent(cookie.slice(CSRF_COOKIE.length + 1));
}

export type MutationResult =
  { readonly ok: true; readonly body: unknown } | { readonly ok: false; readonly error: string };

export async function mutate(
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  body?: unknown,
): Promise<MutationResult> {
  const response = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: { [CSRF_HEADER]: csrfToken(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let value: unknown;
  try {
    value = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Not JSON (a proxy's error page): the status alone is reported.
  }
  if (response.ok) return { ok: true, body: value };
  const parsed = errorBodySchema.safeParse(value);
  return { ok: false, error: parsed.success ? parsed.data.error : `HTTP ${response.status}` };
}
