// OpenID Connect sign-in in a real browser, proven against real parts: oidc-provider on loopback over HTTPS (its
// own login and consent pages), a private kube-apiserver that trusts it through a structured authentication
// configuration (so Kubernetes itself accepts the ID token), and a recording proxy between the console and
// kube-apiserver that notes every bearer the console sends, to check each against its own expiry.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { RbacAuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { LABELS } from '@strata/api';
import { HarnessCluster, startControlPlane, uniqueName, waitFor, type RunningControlPlane } from '@strata/harness';
import { freePort, SECRET_FILE_MODE, writeFileAtomic } from '@strata/host';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { ensureConsoleBuilt, startConsole, type RunningConsole } from './console-app.ts';
import { createNode, patchNodeMetadata } from './fixtures.ts';
import { startOidcProvider, type TestOidcProvider } from './oidc-provider.ts';
import { cellReads } from './page-waits.ts';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy.ts';
import { createTestTls, type TestTls } from './test-tls.ts';

const ARTIFACTS = fileURLToPath(new URL('../../test-output/console/', import.meta.url));
/** ID tokens live this long: several renewals fit in a few seconds of test. */
const TOKEN_LIFETIME_SECONDS = 8;
const CLIENT_ID = 'strata-console';
const SUBJECT = 'alice';
/** kube-apiserver's names for the provider's subject and groups (the claim mappings' prefix). */
const PREFIX = 'oidc:';
const GROUP = 'console-viewers';

let dir: string;
let tls: TestTls;
let provider: TestOidcProvider;
let plane: RunningControlPlane;
let admin: KubeConfig;
let proxy: RecordingProxy;
let consoleApp: RunningConsole;
let consoleLog: string;
let clientSecret: string;
let browser: Browser;
const nodeNames: string[] = [];

function caOf(kubeConfig: KubeConfig): string {
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster?.caData === undefined) throw new Error('the harness kubeconfig carries no CA data');
  return Buffer.from(cluster.caData, 'base64').toString('utf8');
}

/** Signs in through the provider's own pages: its login form, then its consent page when the grant is new. */
async function signInWithProvider(page: Page): Promise<void> {
  await page.goto('/login');
  await page.getByRole('link', { name: `Sign in with ${new URL(provider.issuer).host}` }).click();
  await page.locator('input[name="login"]').fill(SUBJECT);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  const consent = page.getByRole('button', { name: 'Continue' });
  await consent.or(page.locator('#nodes-heading')).waitFor();
  if (await consent.isVisible()) await consent.click();
  await page.waitForURL('**/nodes');
}

/** The requests the console forwarded with the OpenID user's ID token. */
function forwardedIdTokens() {
  return proxy.forwarded.filter((request) => request.claims?.sub === SUBJECT);
}

/**
 * Runs a sign-in over HTTP with the browser context's cookies up to the provider's redirect back, and returns the
 * callback URL (code and state) unvisited. The browser itself cannot be stopped there: a route sees only the first
 * request of a redirect chain, and the callback is reached by redirects. The provider's pages are answered as the
 * first test answered them in Chromium: the login form, then the consent form when the grant is new.
 */
async function callbackUrl(context: BrowserContext): Promise<URL> {
  let url = new URL('/api/oidc/login', consoleApp.url);
  let form: Record<string, string> | undefined;
  for (let hop = 0; hop < 12; hop += 1) {
    const answer =
      form === undefined
        ? await context.request.get(url.href, { maxRedirects: 0 })
        : await context.request.post(url.href, { form, maxRedirects: 0 });
    const location = answer.headers()['location'];
    if (location !== undefined) {
      url = new URL(location, url);
      form = undefined;
      if (url.pathname === '/api/oidc/callback') return url;
      continue;
    }
    const page = await answer.text();
    const action = /<form[^>]* action="([^"]+)"/.exec(page)?.[1];
    assert.ok(answer.ok() && action !== undefined, `a provider page with a form at ${url.href}: ${answer.status()}`);
    url = new URL(action, url);
    form = page.includes('name="login"')
      ? { prompt: 'login', login: SUBJECT, password: 'any password' }
      : { prompt: 'consent' };
  }
  throw new Error('the sign-in did not come back to the console within 12 steps');
}

async function expectRefusal(page: Page, url: URL, status: number, reason: RegExp): Promise<void> {
  const answer = await page.goto(url.href);
  assert.equal(answer?.status(), status, url.search);
  assert.match((await page.getByRole('alert').textContent()) ?? '', reason);
  await page.goto('/nodes');
  assert.equal(new URL(page.url()).pathname, '/login', 'no session came of it');
}

describe('OpenID Connect sign-in in Chromium', { timeout: 180_000 }, () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'console-oidc-'));
    tls = await createTestTls(dir);
    provider = await startOidcProvider({ tls, tokenLifetimeSeconds: TOKEN_LIFETIME_SECONDS, groups: [GROUP] });
    const port = await freePort();
    const consoleUrl = `http://127.0.0.1:${port}`;
    clientSecret = Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64url');
    provider.register({
      clientId: CLIENT_ID,
      clientSecret,
      redirectUri: `${consoleUrl}/api/oidc/callback`,
      postLogoutRedirectUri: `${consoleUrl}/login`,
    });
    [plane] = await Promise.all([
      startControlPlane({
        releaseWithProcess: true,
        jwtAuthenticators: [
          {
            issuer: { url: provider.issuer, audiences: [CLIENT_ID], certificateAuthority: tls.caPem },
            claimMappings: { username: { claim: 'sub', prefix: PREFIX }, groups: { claim: 'groups', prefix: PREFIX } },
          },
        ],
      }),
      ensureConsoleBuilt(),
    ]);
    admin = new HarnessCluster(plane.info).adminKubeConfig();
    // The OpenID user may see nodes, and nothing else: a Nodes page with rows proves Kubernetes took its ID token.
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createClusterRole({
      body: {
        metadata: { name: 'console-oidc-viewer' },
        rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] }],
      },
    });
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name: 'console-oidc-viewer' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'console-oidc-viewer' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: `${PREFIX}${GROUP}` }],
      },
    });
    const prefix = uniqueName('oidc-node');
    for (let index = 0; index < 2; index += 1) {
      nodeNames.push(`${prefix}-${index}`);
      await createNode(admin, { name: `${prefix}-${index}`, labels: { [LABELS.version]: '4081.2.0' } });
    }
    proxy = await startRecordingProxy({ target: plane.info.server, targetCaPem: caOf(admin), tls });
    const secretFile = join(dir, 'client-secret');
    await writeFileAtomic(secretFile, clientSecret, SECRET_FILE_MODE);
    await mkdir(ARTIFACTS, { recursive: true });
    consoleLog = join(dir, 'console.log');
    [consoleApp, browser] = await Promise.all([
      startConsole({
        port,
        logFile: consoleLog,
        environment: {
          STRATA_CONSOLE_API_SERVER: proxy.url,
          STRATA_CONSOLE_API_CA_FILE: tls.caPath,
          STRATA_CONSOLE_OIDC_ISSUER_URL: provider.issuer,
          STRATA_CONSOLE_OIDC_CLIENT_ID: CLIENT_ID,
          STRATA_CONSOLE_OIDC_CLIENT_SECRET_FILE: secretFile,
          STRATA_CONSOLE_OIDC_REDIRECT_URL: `${consoleUrl}/api/oidc/callback`,
          STRATA_CONSOLE_OIDC_CA_FILE: tls.caPath,
          STRATA_CONSOLE_OIDC_SCOPES: 'openid offline_access groups',
        },
      }),
      launchChromium({ trustedSpki: [tls.serverSpki] }),
    ]);
    // kube-apiserver reads the provider's discovery document as it starts; until then it knows no ID token.
    await waitFor(
      'kube-apiserver to read the provider’s discovery document',
      () => (provider.requestedPaths.includes('/.well-known/openid-configuration') ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  });

  after(async () => {
    await browser?.close();
    await consoleApp?.stop();
    await proxy?.stop();
    await plane?.stop();
    await provider?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  let session: { context: BrowserContext; page: Page } | undefined;

  it('signs in through the provider’s login and consent pages, and Kubernetes accepts the ID token', async () => {
    const context = await browser.newContext({ baseURL: consoleApp.url });
    const page = await context.newPage();
    await signInWithProvider(page);
    session = { context, page };
    assert.equal(await page.locator('header .user').textContent(), `Signed in as ${PREFIX}${SUBJECT}`);
    for (const name of nodeNames) await page.locator(`tr[data-node="${name}"]`).waitFor();
    assert.ok(forwardedIdTokens().length > 0, 'the console called kube-apiserver with the ID token');
    await page.screenshot({ path: join(ARTIFACTS, 'oidc-nodes.png'), fullPage: true });
  });

  it('renews the ID token before it expires, for two tabs at once, and never forwards an expired one', async () => {
    assert.ok(session, 'signed in by the test above');
    const { context, page } = session;
    const second = await context.newPage();
    await second.goto('/nodes');
    await second.locator(`tr[data-node="${nodeNames[0]}"]`).waitFor();
    const firstExpiry = Math.min(...forwardedIdTokens().map((request) => request.claims?.exp ?? Infinity));
    // Traffic all along, so that some request falls at every point of each token's life, its last second included:
    // the first tab loads the Nodes page (which asks kube-apiserver as the user) every 300 ms, while both tabs'
    // streams end as their token falls due and reconnect, each reconnect asking for a renewal.
    const loads: { readonly startedAt: number; readonly status: number }[] = [];
    let generating = true;
    const traffic = (async () => {
      while (generating) {
        const startedAt = Date.now();
        const status = await page.evaluate(async () => (await fetch('/nodes', { redirect: 'manual' })).status);
        loads.push({ startedAt, status });
        await delay(300);
      }
    })();
    try {
      // Until, by what the proxy sees, requests have gone out past the first token's expiry with two renewed tokens.
      await waitFor(
        'two renewals, and requests past the first ID token’s expiry',
        () => {
          const tokens = new Set(forwardedIdTokens().map((request) => request.bearer));
          const late = forwardedIdTokens().some((request) => request.at > firstExpiry * 1000);
          return tokens.size >= 3 && late ? true : undefined;
        },
        { timeoutMs: 45_000, intervalMs: 250 },
      );
    } finally {
      generating = false;
      await traffic;
    }
    // Page loads before and after the first token fell due (how many depends on the machine's load, not the console).
    const afterExpiry = loads.filter((load) => load.startedAt > firstExpiry * 1000).length;
    assert.ok(
      afterExpiry >= 1 && loads.length - afterExpiry >= 1,
      `${loads.length} page loads during the renewals, ${afterExpiry} of them begun after the first token's expiry`,
    );
    assert.deepEqual(
      loads.filter((load) => load.status !== 200),
      [],
      'every page load was served, none sent to sign in',
    );
    // Still live in both tabs, through the renewed tokens: a change at the API server reaches the DOM.
    await patchNodeMetadata(admin, nodeNames[1] ?? '', { labels: { [LABELS.version]: '4081.3.0' } });
    await cellReads(page, nodeNames[1] ?? '', 'osVersion', '4081.3.0');
    await cellReads(second, nodeNames[1] ?? '', 'osVersion', '4081.3.0');
    // And a page load now, long after the first token expired, is served, not sent to sign in.
    await page.reload();
    assert.equal(new URL(page.url()).pathname, '/nodes');
    await page.locator(`tr[data-node="${nodeNames[0]}"]`).waitFor();

    const sent = forwardedIdTokens();
    const late = sent.filter((request) => request.at >= (request.claims?.exp ?? 0) * 1000);
    assert.deepEqual(
      late.map((request) => `${request.method} ${request.path} at ${request.at}, exp ${request.claims?.exp}`),
      [],
      'no request carried an expired ID token',
    );
    assert.ok(new Set(sent.map((request) => request.bearer)).size >= 3);
    // The refresh token was never used twice: the provider would then have revoked the grant and the tabs would
    // be on the sign-in page.
    assert.equal(new URL(second.url()).pathname, '/nodes');
    await second.close();
  });

  it('refuses a callback whose state is missing or tampered with, and a replayed one', async () => {
    // context.request is Playwright's own HTTP client in this process, which takes no CA of its own: it skips the
    // provider's certificate check (Chromium's pages keep theirs, pinned to the test server's key).
    const context = await browser.newContext({ baseURL: consoleApp.url, ignoreHTTPSErrors: true });
    const page = await context.newPage();
    const genuine = await callbackUrl(context);
    assert.ok(genuine.searchParams.get('code') && genuine.searchParams.get('state'));
    const missing = new URL(genuine);
    missing.searchParams.delete('state');
    await expectRefusal(page, missing, 400, /state does not match/);
    // The transaction went with the refused attempt: the genuine callback cannot be used after it.
    await expectRefusal(page, genuine, 400, /No sign-in is in progress/);

    const next = await callbackUrl(context);
    const tampered = new URL(next);
    tampered.searchParams.set('state', `${next.searchParams.get('state') ?? ''}x`);
    await expectRefusal(page, tampered, 400, /state does not match/);
    await context.close();
  });

  it('signs out of the console and of the provider (RP-initiated logout), revoking the refresh token', async () => {
    assert.ok(session, 'signed in by the first test');
    const { context, page } = session;
    const copied = (await context.cookies()).find((cookie) => cookie.name === 'strata-session');
    assert.ok(copied, 'the session cookie before sign-out');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.origin === provider.issuer);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(`${consoleApp.url}/login`);
    await page.goto('/nodes');
    assert.equal(new URL(page.url()).pathname, '/login', 'the console session is gone');
    assert.equal(await page.evaluate(async () => (await fetch('/api/watch?resources=nodes')).status), 401);
    // The provider's session is gone too: signing in again asks for the login, it does not pass straight through.
    await page.getByRole('link', { name: /^Sign in with / }).click();
    await page.locator('input[name="login"]').waitFor();
    assert.equal(new URL(page.url()).origin, provider.issuer);
    await context.close();

    // A copy of the old cookie works only until its ID token falls due: the refresh token was revoked, so the
    // session cannot be renewed and ends, with a message, once the token runs out.
    const elsewhere = await browser.newContext({ baseURL: consoleApp.url });
    await elsewhere.addCookies([copied]);
    const replayed = await elsewhere.newPage();
    await waitFor(
      'the copied session to end',
      async () => {
        await replayed.goto('/nodes');
        return new URL(replayed.url()).pathname === '/login' ? true : undefined;
      },
      { timeoutMs: (TOKEN_LIFETIME_SECONDS + 5) * 1000, intervalMs: 500 },
    );
    assert.equal(new URL(replayed.url()).searchParams.get('reason'), 'session-ended');
    await replayed.getByText(/^Your session has ended: the identity provider did not renew it/).waitFor();
    await replayed.screenshot({ path: join(ARTIFACTS, 'oidc-session-ended.png'), fullPage: true });
    await elsewhere.close();
  });

  it('never writes a token, the client secret or a session cookie to its log', async () => {
    const log = await readFile(consoleLog, 'utf8');
    assert.match(log, /Ready in/, 'the log is the console server’s');
    const bearers = new Set(proxy.forwarded.map((request) => request.bearer).filter((bearer) => bearer !== undefined));
    assert.ok(bearers.size > 0);
    for (const bearer of bearers) assert.ok(!log.includes(bearer), 'an ID token is in the log');
    assert.ok(!log.includes(clientSecret), 'the client secret is in the log');
    assert.doesNotMatch(log, /strata-session=|strata-oidc=|Fe26\.2\*/);
  });
});
