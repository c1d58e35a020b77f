// The console in a real browser (Debian's Chromium, headless) against the harness's real kube-apiserver: sign-in,
// the gate, the live Nodes page, RBAC, escaping, CSRF, accessibility. Screenshots go to test-output/console/.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { ANNOTATIONS, LABELS } from '@strata/api';
import { sharedControlPlane, uniqueName, waitFor, type HarnessCluster } from '@strata/harness';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { ensureConsoleBuilt, startConsole, type RunningConsole } from './console-app.ts';
import { createNode, createUser, deleteUser, patchNodeMetadata, setNodeReady, type ConsoleUser } from './fixtures.ts';
import { cellReads, textReads } from './page-waits.ts';
import { forcedRequest, seriousViolations, signInWithToken } from './session.ts';

// The page's globals, as far as the callbacks run in Chromium below use them: this project has Node's types, not
// the DOM's (which clash with Node's Web Crypto types in the packages the harness brings in).
declare const document: { readonly cookie: string };

const ARTIFACTS = fileURLToPath(new URL('../../test-output/console/', import.meta.url));
const SCRIPT = '<script>alert(1)</script>';
const IMAGE_TAG = '<img src=x onerror=alert(2)>';
const NODE_RULE = { apiGroups: [''], resources: ['nodes'] };

let cluster: HarnessCluster;
let admin: KubeConfig;
let namespace: string;
let consoleApp: RunningConsole;
let browser: Browser;
let consoleLog: string;
let operator: ConsoleUser;
let viewer: ConsoleUser;
const nodeNames: string[] = [];

async function cellText(page: Page, node: string, column: string): Promise<string | null> {
  return page.locator(`tr[data-node="${node}"] td[data-column="${column}"]`).textContent();
}

/** The API server's count of open watches of nodes, from its own metrics. */
async function openNodeWatches(): Promise<number> {
  const result = await cluster.kubectl(['get', '--raw', '/metrics']);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout
    .split('\n')
    .filter(
      (line) =>
        line.startsWith('apiserver_longrunning_requests{') &&
        line.includes('resource="nodes"') &&
        line.includes('verb="WATCH"'),
    )
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** Fetches from the console outside the browser, with the headers a same-origin script would send unless overridden. */
function consoleFetch(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return fetch(`${consoleApp.url}${path}`, { redirect: 'manual', ...init });
}

const signIn = (token: string) => signInWithToken(browser, consoleApp.url, token);

describe('the console in Chromium', { timeout: 180_000 }, () => {
  before(async () => {
    const [harness] = await Promise.all([sharedControlPlane(), ensureConsoleBuilt()]);
    cluster = harness;
    admin = cluster.adminKubeConfig();
    namespace = uniqueName('console');
    await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    operator = await createUser(admin, namespace, 'operator', [
      { ...NODE_RULE, verbs: ['get', 'list', 'watch', 'patch'] },
    ]);
    viewer = await createUser(admin, namespace, 'viewer', [{ ...NODE_RULE, verbs: ['get', 'list', 'watch'] }]);
    const prefix = uniqueName('console-node');
    for (let index = 0; index < 4; index += 1) {
      const name = `${prefix}-${index}`;
      nodeNames.push(name);
      await createNode(admin, {
        name,
        roles: index === 0 ? ['control-plane'] : ['worker'],
        labels: { [LABELS.version]: '4081.2.0' },
      });
    }
    const hostile = `${prefix}-hostile`;
    nodeNames.push(hostile);
    await createNode(admin, {
      name: hostile,
      osImage: SCRIPT,
      annotations: { [ANNOTATIONS.rebootNeeded]: 'true', [ANNOTATIONS.newVersion]: IMAGE_TAG },
    });
    await mkdir(ARTIFACTS, { recursive: true });
    consoleLog = join(await mkdtemp(join(cluster.info.dir, 'console-')), 'console.log');
    [consoleApp, browser] = await Promise.all([
      startConsole({ kubeconfigPath: cluster.kubeconfigPath, logFile: consoleLog }),
      launchChromium(),
    ]);
  });

  after(async () => {
    await browser?.close();
    await consoleApp?.stop();
    const core = admin.makeApiClient(CoreV1Api);
    for (const name of nodeNames) await core.deleteNode({ name });
    await deleteUser(admin, namespace, 'operator');
    await deleteUser(admin, namespace, 'viewer');
    await core.deleteNamespace({ name: namespace });
  });

  it('without a session, every page redirects to /login and every API route answers 401', async () => {
    for (const path of ['/', '/nodes', '/no-such-page']) {
      const answer = await consoleFetch(path);
      assert.equal(answer.status, 303, path);
      assert.equal(new URL(answer.headers.get('location') ?? '', consoleApp.url).pathname, '/login', path);
    }
    const login = await consoleFetch('/login');
    assert.equal(login.status, 200);
    const csrf = /strata-csrf=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1];
    assert.ok(csrf, 'the login page sets the CSRF cookie');
    // Same-origin and with the CSRF token, so that the refusal is for the missing session alone.
    const sameOrigin = {
      origin: consoleApp.url,
      'sec-fetch-site': 'same-origin',
      cookie: `strata-csrf=${csrf}`,
      'x-strata-csrf': csrf,
    };
    const calls: [string, string][] = [
      ['GET', '/api/watch?resources=nodes'],
      ['GET', '/api/no-such-route'],
      ['PATCH', `/api/nodes/${nodeNames[0]}`],
      ['DELETE', '/api/session'],
    ];
    for (const [method, path] of calls) {
      const answer = await consoleFetch(path, {
        method,
        headers: { ...sameOrigin, 'content-type': 'application/json' },
        ...(method === 'PATCH' ? { body: '{"unschedulable":true}' } : {}),
      });
      assert.equal(answer.status, 401, `${method} ${path}`);
      assert.deepEqual(await answer.json(), { error: 'not signed in' });
    }
  });

  it('answers malformed and oversized requests with a 4xx, never a 5xx', async () => {
    const login = await consoleFetch('/login');
    const csrf = /strata-csrf=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1] ?? '';
    const headers = { origin: consoleApp.url, cookie: `strata-csrf=${csrf}`, 'x-strata-csrf': csrf };
    const json = { ...headers, 'content-type': 'application/json' };
    const cases: [string, { headers: Record<string, string>; body: string }, number][] = [
      ['not JSON', { headers: json, body: '{"token":' }, 400],
      ['another shape', { headers: json, body: '{"token":"x","admin":true}' }, 400],
      ['an empty token', { headers: json, body: '{"token":"  "}' }, 400],
      ['another media type', { headers: { ...headers, 'content-type': 'text/plain' }, body: '{"token":"x"}' }, 415],
      ['a body of a megabyte', { headers: json, body: JSON.stringify({ token: 'x'.repeat(1 << 20) }) }, 413],
    ];
    for (const [what, init, status] of cases) {
      const answer = await consoleFetch('/api/session', { method: 'POST', ...init });
      assert.equal(answer.status, status, what);
      const body: unknown = await answer.json();
      assert.ok(typeof body === 'object' && body !== null && 'error' in body, what);
      assert.doesNotMatch(JSON.stringify(body), /\bat .*\.(ts|js):\d+/, `${what}: no stack trace`);
    }
  });

  it('refuses a token the API server refuses, quoting its 401', async () => {
    const context = await browser.newContext({ baseURL: consoleApp.url });
    const page = await context.newPage();
    await page.goto('/login');
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'login.png'), fullPage: true });
    await page.getByLabel('Bearer token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.locator('form [role=alert]');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /the API server refused the token: HTTP 401 Unauthorized/);
    assert.equal(new URL(page.url()).pathname, '/login');
    await context.close();
  });

  it('signs in with a token, lists every node live, and keeps the token out of the browser', async () => {
    const opened = await openNodeWatches();
    const { context, page } = await signIn(operator.token);
    const cookies = await context.cookies();
    const session = cookies.find((cookie) => cookie.name === 'strata-session');
    assert.ok(session);
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.ok(!session.value.includes(operator.token), 'the cookie holds a seal, not the token');
    assert.equal(await page.evaluate(() => document.cookie.includes('strata-session')), false);
    assert.match((await page.locator('header .user').textContent()) ?? '', new RegExp(operator.username));

    const total = (await admin.makeApiClient(CoreV1Api).listNode()).items.length;
    await page.getByText(`${total} nodes`).waitFor();
    for (const name of nodeNames) await page.locator(`tr[data-node="${name}"]`).waitFor();
    const [first, second] = nodeNames;
    assert.ok(first !== undefined && second !== undefined);
    assert.equal(await cellText(page, first, 'roles'), 'control-plane');
    assert.equal(await cellText(page, second, 'osVersion'), '4081.2.0');
    assert.equal(await cellText(page, second, 'kubeletVersion'), 'v1.35.0');
    assert.equal(await cellText(page, second, 'updateState'), 'Not reported');
    // One stream for the tab, so one more watch of nodes at the API server.
    await waitFor(
      'the tab to open one watch of nodes',
      async () => ((await openNodeWatches()) === opened + 1 ? true : undefined),
      {
        timeoutMs: 10_000,
        intervalMs: 200,
      },
    );

    // The update agent reports a staged update; the row changes in place.
    await patchNodeMetadata(admin, second, {
      labels: { [LABELS.version]: '4081.3.0' },
      annotations: { [ANNOTATIONS.rebootNeeded]: 'true', [ANNOTATIONS.newVersion]: '4081.3.0' },
    });
    await cellReads(page, second, 'osVersion', '4081.3.0');
    await cellReads(page, second, 'updateState', 'Reboot needed for 4081.3.0');

    // Cordon, allowed by the operator's RBAC: the row shows it from the watch.
    await page.getByRole('button', { name: `Cordon ${second}` }).click();
    await cellReads(page, second, 'status', 'Ready, SchedulingDisabled');
    const cordoned = await admin.makeApiClient(CoreV1Api).readNode({ name: second });
    assert.equal(cordoned.spec?.unschedulable, true);
    await page.getByRole('button', { name: `Uncordon ${second}` }).click();
    await cellReads(page, second, 'status', 'Ready');

    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'nodes.png'), fullPage: true });

    // The tab goes: its watch at the API server goes too.
    await context.close();
    await waitFor(
      'the watch of the closed tab to end',
      async () => ((await openNodeWatches()) === opened ? true : undefined),
      {
        timeoutMs: 20_000,
        intervalMs: 250,
      },
    );
  });

  it('shows the Overview: nodes Ready of the total, live, and kube-apiserver’s own checks', async () => {
    const { context, page } = await signIn(operator.token);
    await page.goto('/overview');
    const nodes = (await admin.makeApiClient(CoreV1Api).listNode()).items;
    const ready = nodes.filter((node) =>
      node.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True'),
    ).length;
    await textReads(page, '[data-testid="nodes-ready"]', `${ready} of ${nodes.length} nodes Ready`);
    assert.equal(await page.locator('[data-testid="control-plane-ready"]').textContent(), 'kube-apiserver is ready');
    assert.equal(await page.locator('tr[data-check="etcd"] td').nth(1).textContent(), 'ok');
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'overview.png'), fullPage: true });

    const [, , third] = nodeNames;
    assert.ok(third !== undefined);
    await setNodeReady(admin, third, 'False');
    await textReads(page, '[data-testid="nodes-ready"]', `${ready - 1} of ${nodes.length} nodes Ready`);
    await setNodeReady(admin, third, 'True');
    await textReads(page, '[data-testid="nodes-ready"]', `${ready} of ${nodes.length} nodes Ready`);
    await context.close();
  });

  it('says the update server is not configured when STRATA_CONSOLE_UPDATE_SERVER_URL is not set', async () => {
    const { context, page } = await signIn(operator.token);
    await page.goto('/updates/server');
    await page.locator('[data-testid="update-server-not-configured"]').waitFor();
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Update server');
    assert.equal(await page.locator('[data-testid="update-server-refusal"]').count(), 0, 'a notice, not an error');
    const promote = await forcedRequest(page, 'POST', '/api/update-server/channels/stable/promote', {
      version: '4230.2.4',
    });
    assert.equal(promote.status, 404);
    assert.match(JSON.stringify(promote.body), /the update server is not configured/);
    // Nothing follows a change feed that is not there: the page does not subscribe, and the stream refuses the kind.
    assert.equal(await page.locator('[data-testid="update-server-live"]').count(), 0);
    const watch = await forcedRequest(page, 'GET', '/api/watch?resources=updateserver');
    assert.equal(watch.status, 400);
    assert.match(JSON.stringify(watch.body), /updateserver: the update server is not configured/);
    await context.close();
  });

  it('renders hostile values as text', async () => {
    const { context, page } = await signIn(operator.token);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const hostile = nodeNames.at(-1) ?? '';
    await cellReads(page, hostile, 'osImage', SCRIPT);
    await cellReads(page, hostile, 'updateState', `Reboot needed for ${IMAGE_TAG}`);
    assert.equal(await page.locator('tbody script, tbody img').count(), 0);
    // A change delivered live is escaped the same way as the first render.
    await patchNodeMetadata(admin, hostile, { annotations: { [ANNOTATIONS.newVersion]: SCRIPT } });
    await cellReads(page, hostile, 'updateState', `Reboot needed for ${SCRIPT}`);
    assert.equal(await page.locator('tbody script, tbody img').count(), 0);
    assert.deepEqual(dialogs, []);
    await context.close();
  });

  it('a restricted user sees no cordon action, and a forced PATCH gets the API server 403', async () => {
    const { context, page } = await signIn(viewer.token);
    const name = nodeNames[1] ?? '';
    await page.locator(`tr[data-node="${name}"]`).waitFor();
    assert.equal(await page.getByRole('button', { name: /Cordon/ }).count(), 0);
    assert.equal(await page.locator('th', { hasText: 'Actions' }).count(), 0);
    const forced = await page.evaluate(async (node) => {
      const csrf = document.cookie
        .split('; ')
        .find((c) => c.startsWith('strata-csrf='))
        ?.slice('strata-csrf='.length);
      const answer = await fetch(`/api/nodes/${node}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', 'x-strata-csrf': csrf ?? '' },
        body: JSON.stringify({ unschedulable: true }),
      });
      const body: unknown = await answer.json();
      return { status: answer.status, body };
    }, name);
    assert.equal(forced.status, 403);
    assert.match(
      JSON.stringify(forced.body),
      new RegExp(`cannot patch resource \\\\"nodes\\\\"`),
      'the API server’s own refusal is passed on',
    );
    const node = await admin.makeApiClient(CoreV1Api).readNode({ name });
    assert.notEqual(node.spec?.unschedulable, true);
    await page.screenshot({ path: join(ARTIFACTS, 'nodes-restricted.png'), fullPage: true });
    await context.close();
  });

  it('refuses a cross-site POST with 403', async () => {
    const { context, page } = await signIn(operator.token);
    // Another origin on the same machine (another port) posts a form to the console, with the user's cookies.
    const attacker: Server = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html');
      response.end(
        `<form method="POST" action="${consoleApp.url}/api/session" enctype="text/plain">` +
          `<input name='{"token":"x","a":"' value='"}'></form><script>document.forms[0].submit()</script>`,
      );
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    try {
      const address = attacker.address();
      assert.ok(address !== null && typeof address === 'object');
      const refused = page.waitForResponse((response) => response.url() === `${consoleApp.url}/api/session`);
      await page.goto(`http://127.0.0.1:${address.port}/`);
      const answer = await refused;
      assert.equal(answer.status(), 403);
      assert.match(JSON.stringify(await answer.json()), /refused: a same-site request may not change anything/);
    } finally {
      await new Promise<void>((resolve) => attacker.close(() => resolve()));
    }
    // And without the browser's headers: a matching Origin is not enough without the double-submit token.
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const noToken = await consoleFetch(`/api/nodes/${nodeNames[1]}`, {
      method: 'PATCH',
      headers: { origin: consoleApp.url, cookie, 'content-type': 'application/json' },
      body: '{"unschedulable":true}',
    });
    assert.equal(noToken.status, 403);
    await context.close();
  });

  it('signs out: the session is gone and the gate is closed again', async () => {
    const { context, page } = await signIn(operator.token);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    await page.goto('/nodes');
    assert.equal(new URL(page.url()).pathname, '/login');
    const status = await page.evaluate(async () => (await fetch('/api/watch?resources=nodes')).status);
    assert.equal(status, 401);
    await context.close();
  });

  it('never writes a token or a session cookie to its log', async () => {
    // Runs last: every sign-in above, good and bad, has passed through the server by now.
    const log = await readFile(consoleLog, 'utf8');
    assert.match(log, /Ready in/, 'the log is the console server’s');
    for (const token of [operator.token, viewer.token, 'not-a-token']) assert.ok(!log.includes(token));
    assert.doesNotMatch(log, /strata-session=|Fe26\.2\*/);
  });
});
