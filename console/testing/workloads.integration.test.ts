// The Workloads pages in a real browser (Debian's Chromium, headless) against the harness's real kube-apiserver:
// each kind's list, live from the tab's one stream; scale and delete as the user; the YAML edit's round trip (a
// server-side dry run that stores nothing, then the apply), a dry run the API server rejects with its message shown,
// an edit that would rename the object, and a stale resourceVersion's 409; a restricted user who sees no action and
// whose forced requests get the API server's 403. No controller-manager runs: the test writes the status a
// Deployment's controller would; no kubelet runs either: a pod's log comes from the fixture kubelet
// (testing/fixture-kubelet.ts), which kube-apiserver proxies pods/log to. Screenshots go to test-output/console/.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1PodTemplateSpec,
} from '@kubernetes/client-node';
import { sharedControlPlane, uniqueName, type HarnessCluster } from '@strata/harness';
import { isNotFound } from '@strata/kube';
import type { Browser, Page } from 'playwright-core';
import { parse, stringify } from 'yaml';
import { MAX_LOG_LINES } from '../src/shared/pod-logs.ts';
import { WORKLOAD_KINDS } from '../src/shared/workloads.ts';
import { launchChromium } from './browser.ts';
import { ensureConsoleBuilt, startConsole, type RunningConsole } from './console-app.ts';
import { startFixtureKubelet, type FixtureKubelet } from './fixture-kubelet.ts';
import { createNode, createUser, deleteUser, type ConsoleUser } from './fixtures.ts';
import { textReads } from './page-waits.ts';
import { forcedRequest, seriousViolations, signInWithToken } from './session.ts';
import { createTestTls } from './test-tls.ts';

const ARTIFACTS = fileURLToPath(new URL('../../test-output/console/', import.meta.url));
const SCRIPT = '<script>alert(1)</script>';
const READ = ['get', 'list', 'watch'];
const WORKLOAD_RESOURCES = [
  { apiGroups: [''], resources: ['namespaces', 'pods', 'services', 'events'] },
  { apiGroups: ['apps'], resources: ['deployments', 'daemonsets', 'statefulsets'] },
];

let cluster: HarnessCluster;
let admin: KubeConfig;
let namespace: string;
let consoleApp: RunningConsole;
let browser: Browser;
let editor: ConsoleUser;
let viewer: ConsoleUser;
let eventName: string;
let kubelet: FixtureKubelet;
let logNode: string;
/** What the logger pod's main container has written when the page opens. */
const MAIN_LINES = ['starting', SCRIPT, 'listening on :8080', 'ready'];
const SIDECAR_LINES = ['sidecar up'];

const template = (app: string): V1PodTemplateSpec => ({
  metadata: { labels: { app } },
  spec: { containers: [{ name: 'main', image: `registry.invalid/${app}:fixture` }] },
});

const cell = (key: string, column: string) => `tr[data-row="${key}"] td[data-column="${column}"]`;
const objectApi = (kind: string, name: string) => `/api/workloads/${kind}/${namespace}/${name}`;

/** The object's YAML as the console serves it to the signed-in user, parsed. */
async function served(page: Page, kind: string, name: string): Promise<Record<string, unknown>> {
  const answer = await forcedRequest(page, 'GET', objectApi(kind, name));
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  const { yaml } = answer.body as { yaml: string };
  return parse(yaml) as Record<string, unknown>;
}

/** Replaces the editor's text, as a user pasting into it. */
async function typeYaml(page: Page, text: string): Promise<void> {
  const editorContent = page.getByTestId('yaml-editor');
  await editorContent.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

const readDeployment = () => admin.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace, name: 'web' });

const signIn = (token: string) => signInWithToken(browser, consoleApp.url, token);

describe('the Workloads pages in Chromium', { timeout: 300_000 }, () => {
  before(async () => {
    const [harness] = await Promise.all([sharedControlPlane(), ensureConsoleBuilt()]);
    cluster = harness;
    admin = cluster.adminKubeConfig();
    namespace = uniqueName('console-workloads');
    const core = admin.makeApiClient(CoreV1Api);
    const apps = admin.makeApiClient(AppsV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    // The ServiceAccount admission wants the pods' account; no controller-manager makes it here.
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'default' } } });
    editor = await createUser(admin, namespace, 'workload-editor', [
      ...WORKLOAD_RESOURCES.map((rule) => ({ ...rule, verbs: [...READ, 'update', 'delete'] })),
      { apiGroups: ['apps'], resources: ['deployments/scale', 'statefulsets/scale'], verbs: ['patch'] },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
    ]);
    viewer = await createUser(
      admin,
      namespace,
      'workload-viewer',
      WORKLOAD_RESOURCES.map((rule) => ({ ...rule, verbs: READ })),
    );
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'web', annotations: { note: SCRIPT } },
        spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template('web') },
      },
    });
    await apps.createNamespacedStatefulSet({
      namespace,
      body: {
        metadata: { name: 'db' },
        spec: { replicas: 1, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: template('db') },
      },
    });
    await apps.createNamespacedDaemonSet({
      namespace,
      body: {
        metadata: { name: 'agent' },
        spec: { selector: { matchLabels: { app: 'agent' } }, template: template('agent') },
      },
    });
    await core.createNamespacedService({
      namespace,
      body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
    });
    // Not bound to a node: the API server deletes it at once, with no kubelet to confirm.
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'web-1', labels: { app: 'web' } },
        spec: {
          automountServiceAccountToken: false,
          containers: [{ name: 'main', image: 'registry.invalid/web:fixture' }],
        },
      },
    });
    // Pods bound to a node whose kubelet API is the fixture's: one with logs, one whose containers have not started.
    kubelet = await startFixtureKubelet((await createTestTls(cluster.info.dir)).server);
    logNode = uniqueName('console-log-node');
    await createNode(admin, { name: logNode, kubelet: { address: '127.0.0.1', port: kubelet.port } });
    for (const [name, nodeName] of [
      ['logger', logNode],
      ['waiting', logNode],
    ] as const)
      await core.createNamespacedPod({
        namespace,
        body: {
          metadata: { name },
          spec: {
            nodeName,
            automountServiceAccountToken: false,
            containers: [
              { name: 'main', image: 'registry.invalid/logger:fixture' },
              { name: 'sidecar', image: 'registry.invalid/sidecar:fixture' },
            ],
          },
        },
      });
    for (const line of MAIN_LINES) kubelet.write(namespace, 'logger', 'main', line);
    for (const line of SIDECAR_LINES) kubelet.write(namespace, 'logger', 'sidecar', line);
    eventName = uniqueName('web-event');
    const now = new Date();
    await core.createNamespacedEvent({
      namespace,
      body: {
        metadata: { namespace, name: eventName },
        involvedObject: { kind: 'Pod', name: 'web-1', namespace },
        reason: 'Hostile',
        message: SCRIPT,
        type: 'Warning',
        source: { component: 'fixture' },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
    await mkdir(ARTIFACTS, { recursive: true });
    [consoleApp, browser] = await Promise.all([
      startConsole({
        kubeconfigPath: cluster.kubeconfigPath,
        logFile: join(cluster.info.dir, `${namespace}-console.log`),
      }),
      launchChromium(),
    ]);
  });

  after(async () => {
    await browser?.close();
    await consoleApp?.stop();
    await deleteUser(admin, namespace, 'workload-editor');
    await deleteUser(admin, namespace, 'workload-viewer');
    const core = admin.makeApiClient(CoreV1Api);
    // No kubelet confirms a bound pod's deletion: it goes at once only without a grace period.
    for (const name of ['logger', 'waiting'])
      await core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 });
    await core.deleteNode({ name: logNode });
    await kubelet?.close();
    await core.deleteNamespace({ name: namespace });
  });

  it('lists each kind live, with hostile text rendered as text', async () => {
    const { context, page } = await signIn(editor.token);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.getByRole('link', { name: 'Workloads' }).click();
    await page.waitForURL('**/workloads/pods');
    await textReads(page, cell(`${namespace}/web-1`, 'status'), 'Pending');
    await textReads(page, cell(`${namespace}/web-1`, 'labels'), 'app=web');

    await page.goto('/workloads/deployments');
    await textReads(page, cell(`${namespace}/web`, 'ready'), '0/2');
    await textReads(page, cell(`${namespace}/web`, 'detail'), 'registry.invalid/web:fixture');
    // What the Deployment controller would write, arriving through the watch.
    await admin.makeApiClient(AppsV1Api).patchNamespacedDeploymentStatus(
      {
        namespace,
        name: 'web',
        body: {
          status: {
            replicas: 2,
            readyReplicas: 2,
            conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }],
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await textReads(page, cell(`${namespace}/web`, 'ready'), '2/2');
    await textReads(page, cell(`${namespace}/web`, 'status'), 'Available');
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'workloads-deployments.png'), fullPage: true });

    await page.goto('/workloads/services');
    await textReads(page, cell(`${namespace}/web`, 'status'), 'ClusterIP');
    const core = admin.makeApiClient(CoreV1Api);
    await core.createNamespacedService({
      namespace,
      body: { metadata: { name: 'extra' }, spec: { type: 'ClusterIP', clusterIP: 'None', ports: [{ port: 53 }] } },
    });
    await textReads(page, cell(`${namespace}/extra`, 'detail'), 'None 53/TCP');
    await core.deleteNamespacedService({ namespace, name: 'extra' });
    await page.locator(`tr[data-row="${namespace}/extra"]`).waitFor({ state: 'detached' });

    await page.goto('/workloads/events');
    await textReads(page, cell(`${namespace}/${eventName}`, 'detail'), `Pod/web-1: ${SCRIPT} (×1)`);
    assert.equal(await page.locator('tbody script, tbody img').count(), 0);

    const expected: Record<string, [string, string, string]> = {
      namespaces: [`/${namespace}`, 'status', 'Active'],
      statefulsets: [`${namespace}/db`, 'ready', '0/1'],
      daemonsets: [`${namespace}/agent`, 'ready', '0/0'],
    };
    for (const kind of WORKLOAD_KINDS) {
      await page.goto(`/workloads/${kind}`);
      const check = expected[kind];
      if (check !== undefined) await textReads(page, cell(check[0], check[1]), check[2]);
      await page.locator('[data-testid="workload-count"]', { hasNotText: 'Loading' }).waitFor();
      assert.deepEqual(await seriousViolations(page), [], kind);
      await page.screenshot({ path: join(ARTIFACTS, `workloads-${kind}.png`), fullPage: true });
    }
    assert.deepEqual(dialogs, []);
    await context.close();
  });

  it('scales a Deployment and deletes a pod, each seen from the watch', async () => {
    const { context, page } = await signIn(editor.token);
    await page.goto('/workloads/deployments');
    await page.locator(`tr[data-row="${namespace}/web"] a`).click();
    await page.waitForURL(`**/workloads/deployments/${namespace}/web`);
    await textReads(page, '[data-field="ready"]', '2/2');
    await page.getByLabel('Replicas').fill('5');
    await page.getByRole('button', { name: 'Scale' }).click();
    await textReads(page, '[data-testid="action-outcome"]', `Scaled Deployment ${namespace}/web to 5 replicas.`);
    await textReads(page, '[data-field="ready"]', '2/5');
    const scaled = await readDeployment();
    assert.equal(scaled.spec?.replicas, 5);
    // The YAML shown is reloaded at the scaled version (no edit was under way).
    await textReads(page, '[data-testid="yaml-version"]', `resourceVersion ${scaled.metadata?.resourceVersion ?? ''}`);
    await page.getByTestId('yaml-editor').getByText('replicas: 5').waitFor();
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'workload-object.png'), fullPage: true });

    await page.goto(`/workloads/pods/${namespace}/web-1`);
    await textReads(page, '[data-field="status"]', 'Pending');
    await page.getByRole('button', { name: 'Delete web-1' }).click();
    await page.getByRole('button', { name: 'Confirm delete' }).click();
    await textReads(page, '[data-testid="action-outcome"]', `Deleted Pod ${namespace}/web-1.`);
    await textReads(page, '[data-field="status"]', 'Gone');
    await assert.rejects(
      admin.makeApiClient(CoreV1Api).readNamespacedPod({ namespace, name: 'web-1' }),
      (error: unknown) => isNotFound(error),
    );
    await context.close();
  });

  it('edits YAML: a dry run first, then the apply; a rejected dry run, a rename and a conflict are shown', async () => {
    const { context, page } = await signIn(editor.token);
    await page.goto(`/workloads/deployments/${namespace}/web`);
    const apply = page.getByRole('button', { name: 'Apply' });
    const dryRun = page.getByRole('button', { name: 'Dry run' });
    const error = '[data-testid="action-error"]';

    // The round trip: the object as served, changed, dry-run (nothing stored), then applied.
    const object = await served(page, 'deployments', 'web');
    const edited = structuredClone(object) as {
      metadata: { labels?: Record<string, string>; name: string; resourceVersion: string };
      spec: { replicas: number };
    };
    edited.spec.replicas = 3;
    edited.metadata.labels = { tier: 'front' };
    assert.ok(await apply.isDisabled(), 'Apply waits for a dry run');
    await typeYaml(page, stringify(edited));
    await dryRun.click();
    await textReads(
      page,
      '[data-testid="action-outcome"]',
      'Dry run: the API server accepts the edit. Nothing is stored until you apply it.',
    );
    const unchanged = await readDeployment();
    assert.equal(unchanged.spec?.replicas, 5);
    assert.equal(unchanged.metadata?.labels?.['tier'], undefined);
    await apply.click();
    await page.locator('[data-testid="action-outcome"]', { hasText: 'Applied' }).waitFor();
    const applied = await readDeployment();
    assert.equal(applied.spec?.replicas, 3);
    assert.equal(applied.metadata?.labels?.['tier'], 'front');
    await textReads(
      page,
      '[data-testid="action-outcome"]',
      `Applied: Deployment ${namespace}/web is at resourceVersion ${applied.metadata?.resourceVersion ?? ''}.`,
    );
    await textReads(page, '[data-field="ready"]', '2/3');

    // The API server's validation, through the dry run: its message shown, Apply not offered, nothing stored.
    const current = (await served(page, 'deployments', 'web')) as typeof edited;
    await typeYaml(page, stringify({ ...current, spec: { ...current.spec, replicas: -1 } }));
    await dryRun.click();
    await page.locator(error).waitFor();
    assert.match(
      (await page.locator(error).textContent()) ?? '',
      /spec\.replicas: Invalid value: -1: must be greater than or equal to 0/,
    );
    assert.ok(await apply.isDisabled());
    assert.equal((await readDeployment()).spec?.replicas, 3);

    // A rename is refused before the API server is asked.
    await typeYaml(page, stringify({ ...current, metadata: { ...current.metadata, name: 'web2' } }));
    await dryRun.click();
    await textReads(
      page,
      error,
      'an edit cannot change the object\'s kind, name or namespace: metadata.name was "web", the edit has "web2"',
    );

    // Someone else changes the object meanwhile: the stale edit gets the API server's 409, and is not applied.
    await admin
      .makeApiClient(AppsV1Api)
      .patchNamespacedDeployment(
        { namespace, name: 'web', body: { metadata: { annotations: { changed: 'meanwhile' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    await typeYaml(page, stringify({ ...current, spec: { ...current.spec, replicas: 4 } }));
    await dryRun.click();
    await page.locator(error, { hasText: 'the object has been modified' }).waitFor();
    assert.match(
      (await page.locator(error).textContent()) ?? '',
      /HTTP 409: Operation cannot be fulfilled on deployments\.apps "web": the object has been modified/,
    );
    const kept = await readDeployment();
    assert.equal(kept.spec?.replicas, 3);
    assert.equal(kept.metadata?.annotations?.['changed'], 'meanwhile');
    await context.close();
  });

  it('shows a pod’s log: its tail as text, another container, timestamps, follow live and stop; or why not', async () => {
    const { context, page } = await signIn(editor.token);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const status = '[data-testid="log-status"]';
    const shown = () => page.locator('[data-log-seq]').allTextContents();
    // A pod whose containers have not started: the API server's word (the kubelet's), not an error page.
    await page.goto(`/workloads/pods/${namespace}/waiting`);
    await page.locator('#object-heading').waitFor();
    const error = page.getByTestId('log-error');
    await error.waitFor();
    assert.match(
      (await error.textContent()) ?? '',
      /HTTP 400: container "main" in pod "waiting" is waiting to start: ContainerCreating/,
    );
    await page.goto(`/workloads/pods/${namespace}/logger`);
    await textReads(page, status, `Showing the tail (${MAIN_LINES.length} lines)`);
    assert.deepEqual(await shown(), MAIN_LINES);
    assert.equal(await page.getByTestId('log-lines').locator('script, img').count(), 0);

    await page.getByLabel('Last lines').fill('2');
    await page.getByRole('button', { name: 'Show' }).click();
    await textReads(page, status, 'Showing the tail (2 lines)');
    assert.deepEqual(await shown(), MAIN_LINES.slice(-2));
    await page.getByLabel('Timestamps').check();
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('[data-log-seq]', { hasText: /^\d{4}-\d\d-\d\dT[0-9:.]+Z ready$/ }).waitFor();
    await page.getByLabel('Timestamps').uncheck();
    await page.getByLabel('Container').selectOption('sidecar');
    await textReads(page, status, `Showing the tail (${SIDECAR_LINES.length} lines)`);
    assert.deepEqual(await shown(), SIDECAR_LINES);

    // Follow: a line the container writes afterwards appears without a reload.
    await page.getByLabel('Last lines').fill('500');
    await page.getByLabel('Container').selectOption('main');
    await textReads(page, status, `Showing the tail (${MAIN_LINES.length} lines)`);
    await page.getByRole('button', { name: 'Follow' }).click();
    await kubelet.followersReach(1);
    kubelet.write(namespace, 'logger', 'main', 'GET /healthz 200');
    await textReads(page, status, `Following (${MAIN_LINES.length + 1} lines)`);
    assert.deepEqual(await shown(), [...MAIN_LINES, 'GET /healthz 200']);
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'workload-pod-logs.png'), fullPage: true });
    // A burst past the ring's capacity: the browser keeps the newest MAX_LOG_LINES, and renders only those in view.
    const burst = Array.from({ length: MAX_LOG_LINES + 200 }, (_, index) => `burst ${index}`);
    for (const line of burst) kubelet.write(namespace, 'logger', 'main', line);
    await textReads(page, status, `Following (${MAX_LOG_LINES} lines)`);
    await page.locator('[data-log-seq]', { hasText: burst.at(-1) }).waitFor();
    const rendered = await page.locator('[data-log-seq]').count();
    assert.ok(rendered < 100, `${rendered} lines in the DOM`);
    // Stop ends the request all the way to the kubelet: the console's, the API server's.
    await page.getByRole('button', { name: 'Stop following' }).click();
    await kubelet.followersReach(0);
    await textReads(page, status, `Stopped following (${MAX_LOG_LINES} lines)`);

    // So does leaving: following again, then closing the tab.
    await page.getByRole('button', { name: 'Follow' }).click();
    await kubelet.followersReach(1);
    await context.close();
    await kubelet.followersReach(0);
    assert.deepEqual(dialogs, []);
  });

  it('a restricted user sees no action, and forced requests get the API server’s 403', async () => {
    const { context, page } = await signIn(viewer.token);
    await page.goto(`/workloads/deployments/${namespace}/web`);
    await textReads(page, '[data-field="ready"]', '2/3');
    assert.equal(await page.getByRole('button', { name: /Scale|Delete|Dry run|Apply/ }).count(), 0);
    assert.equal(await page.getByTestId('yaml-editor').getAttribute('contenteditable'), 'false');
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'workload-object-restricted.png'), fullPage: true });

    const scale = await forcedRequest(page, 'PUT', `${objectApi('deployments', 'web')}/scale`, { replicas: 9 });
    assert.equal(scale.status, 403);
    assert.match(JSON.stringify(scale.body), /cannot patch resource \\"deployments\/scale\\"/);
    const remove = await forcedRequest(page, 'DELETE', objectApi('deployments', 'web'));
    assert.equal(remove.status, 403);
    assert.match(JSON.stringify(remove.body), /cannot delete resource \\"deployments\\"/);
    const object = await served(page, 'deployments', 'web');
    const edit = await forcedRequest(page, 'PUT', objectApi('deployments', 'web'), {
      yaml: stringify(object),
      dryRun: true,
    });
    assert.equal(edit.status, 403);
    assert.match(JSON.stringify(edit.body), /cannot update resource \\"deployments\\"/);
    assert.equal((await readDeployment()).spec?.replicas, 3);

    // No log view without `get pods/log`, and the log route passes on the API server's 403.
    await page.goto(`/workloads/pods/${namespace}/logger`);
    await page.locator('[data-field="status"]', { hasText: 'Pending' }).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Logs' }).count(), 0);
    const log = await forcedRequest(page, 'GET', `${objectApi('pods', 'logger')}/log?container=main`);
    assert.equal(log.status, 403);
    assert.match(JSON.stringify(log.body), /cannot get resource \\"pods\/log\\"/);

    // A cluster-scoped object's page (a Namespace, `-` for its namespace), reached from its row.
    await page.goto('/workloads/namespaces');
    await page.locator(`tr[data-row="/${namespace}"] a`).click();
    await page.waitForURL(`**/workloads/namespaces/-/${namespace}`);
    await textReads(page, '[data-field="status"]', 'Active');
    assert.equal(await page.getByRole('button', { name: /Delete|Dry run/ }).count(), 0);
    await context.close();
  });

  it('answers malformed requests with a 4xx, never a 5xx, and refuses them without the CSRF token', async () => {
    const { context, page } = await signIn(editor.token);
    const web = objectApi('deployments', 'web');
    const yaml = stringify(await served(page, 'deployments', 'web'));
    const cases: [string, string, unknown, number][] = [
      ['PUT', `/api/workloads/secrets/${namespace}/web`, { yaml, dryRun: true }, 400],
      ['PUT', `/api/workloads/deployments/-/web`, { yaml, dryRun: true }, 400],
      ['PUT', `/api/workloads/deployments/${namespace}/Bad_Name`, { yaml, dryRun: true }, 400],
      ['PUT', `/api/workloads/daemonsets/${namespace}/agent/scale`, { replicas: 2 }, 400],
      ['PUT', `${web}/scale`, { replicas: -1 }, 400],
      ['PUT', `${web}/scale`, { replicas: 2, force: true }, 400],
      ['PUT', web, { yaml: 1, dryRun: true }, 400],
      ['PUT', web, { yaml: 'spec: [', dryRun: true }, 400],
      ['PUT', web, { yaml: 'x'.repeat(600_000), dryRun: true }, 413],
      ['GET', objectApi('deployments', 'no-such-deployment'), undefined, 404],
      ['DELETE', objectApi('services', 'no-such-service'), undefined, 404],
      ['GET', `${objectApi('deployments', 'web')}/log?container=main`, undefined, 400],
      ['GET', `${objectApi('pods', 'no-such-pod')}/log?container=main`, undefined, 404],
    ];
    for (const [method, path, body, status] of cases) {
      const answer = await forcedRequest(page, method, path, body);
      assert.equal(answer.status, status, `${method} ${path} ${JSON.stringify(body)?.slice(0, 40)}`);
    }
    // A log query is checked before the API server is asked: the 400 names the field.
    for (const [search, field] of [
      ['container=Main', 'container'],
      ['tailLines=1', 'container'],
      ['container=main&tailLines=0', 'tailLines'],
      ['container=main&tailLines=9999999', 'tailLines'],
      ['container=main&follow=yes', 'follow'],
      ['container=main&insecureSkipTLSVerifyBackend=true', 'insecureSkipTLSVerifyBackend'],
    ] as const) {
      const answer = await forcedRequest(page, 'GET', `${objectApi('pods', 'logger')}/log?${search}`);
      assert.equal(answer.status, 400, search);
      assert.match((answer.body as { error: string }).error, new RegExp(field), search);
    }
    for (const [method, path, body] of [
      ['DELETE', web, undefined],
      ['PUT', `${web}/scale`, { replicas: 1 }],
      ['PUT', web, { yaml, dryRun: false }],
    ] as const) {
      const answer = await forcedRequest(page, method, path, body, false);
      assert.equal(answer.status, 403, `${method} ${path} without the CSRF token`);
    }
    assert.equal((await readDeployment()).spec?.replicas, 3);
    await context.close();
  });
});
