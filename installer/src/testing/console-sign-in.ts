// Signing in to a served console as a browser does, over plain HTTPS requests: the sign-in page sets the CSRF cookie,
// then POST /api/session with the token, the cookie and its header. For the tests of `strata up` and `strata install`.
import assert from 'node:assert/strict';
import { z } from 'zod';
import { httpsRequest, type HttpsAnswer } from '@strata/host';

/** A page's first render can take seconds on the shared, loaded machine. */
export const CONSOLE_ANSWER_MS = 30_000;

/** `name=value` of each Set-Cookie header, by name. */
export function cookiesOf(answer: HttpsAnswer): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const header of answer.headers['set-cookie'] ?? []) {
    const pair = header.split(';')[0] ?? '';
    const at = pair.indexOf('=');
    if (at > 0) cookies.set(pair.slice(0, at), pair.slice(at + 1));
  }
  return cookies;
}

export const cookieHeader = (cookies: ReadonlyMap<string, string>): string =>
  [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');

export interface ConsoleSignIn {
  /** The cookies of the sign-in page (the CSRF cookie among them). */
  readonly cookies: ReadonlyMap<string, string>;
  /** POST /api/session with `token`, as the sign-in page's form sends it. */
  readonly signIn: (token: string) => Promise<HttpsAnswer>;
}

/** Opens the sign-in page of the console at `url` (trusting `tls.ca`), ready to sign in. */
export async function openConsoleSignIn(url: string, tls: { readonly ca: string }): Promise<ConsoleSignIn> {
  const login = await httpsRequest(`${url}/login`, tls, { timeoutMs: CONSOLE_ANSWER_MS });
  assert.equal(login.status, 200);
  const cookies = cookiesOf(login);
  const csrf = cookies.get('strata-csrf');
  assert.ok(csrf !== undefined, 'the sign-in page sets the CSRF cookie');
  return {
    cookies,
    signIn: (token) =>
      httpsRequest(`${url}/api/session`, tls, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          origin: url,
          'sec-fetch-site': 'same-origin',
          cookie: cookieHeader(cookies),
          'x-strata-csrf': csrf,
        },
        body: JSON.stringify({ token }),
        timeoutMs: CONSOLE_ANSWER_MS,
      }),
  };
}

/** What console-probe.ts prints: the answers a browser would get from a served console. */
export const consoleProbeSchema = z.strictObject({
  /** GET /healthz with the given CA. */
  health: z.strictObject({ status: z.number(), body: z.string() }),
  /** The same request trusting another CA only: the error's message, or the status if it answered. */
  otherCa: z.union([z.strictObject({ error: z.string() }), z.strictObject({ status: z.number() })]),
  /** POST /api/session with the token's last four characters changed. */
  tampered: z.strictObject({ status: z.number(), body: z.string() }),
  /** POST /api/session with the token. */
  signedIn: z.strictObject({ status: z.number(), body: z.string() }),
});
export type ConsoleProbe = z.infer<typeof consoleProbeSchema>;
