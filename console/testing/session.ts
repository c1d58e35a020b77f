// What every browser test of the console does with a page: sign in with a bearer token, check accessibility, and
// send a request from the page's own script as a user could (the forced requests that prove the API server decides).
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';

// The page's globals, as far as the callback run in Chromium below uses them: this project has Node's types, not
// the DOM's (which clash with Node's Web Crypto types in the packages the harness brings in).
declare const document: { readonly cookie: string };

/** A new browser context signed in to the console at `baseURL` with `token`, on the page sign-in lands on. */
export async function signInWithToken(
  browser: Browser,
  baseURL: string,
  token: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Bearer token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/nodes');
  return { context, page };
}

/** axe-core's serious and critical violations on the page, one line each. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id}: ${violation.help} (${violation.nodes.map((n) => n.target.join(' ')).join(', ')})`,
    );
}

/**
 * A same-origin request from the page's own script, as a user could make it past the UI: with the session's CSRF
 * token unless `csrf` is false, and a JSON body if one is given. The answer's body is parsed JSON, or undefined when
 * empty.
 */
export async function forcedRequest(
  page: Page,
  method: string,
  path: string,
  body?: unknown,
  csrf = true,
): Promise<{ status: number; body: unknown }> {
  return page.evaluate(
    async ([verb, url, payload, withCsrf]) => {
      const token = document.cookie
        .split('; ')
        .find((c) => c.startsWith('strata-csrf='))
        ?.slice('strata-csrf='.length);
      const answer = await fetch(url, {
        method: verb,
        headers: {
          ...(withCsrf ? { 'x-strata-csrf': token ?? '' } : {}),
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
      });
      const text = await answer.text();
      return { status: answer.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
    },
    [method, path, body, csrf] as const,
  );
}
