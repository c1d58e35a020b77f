// The custom resource pages in a real browser (Debian's Chromium, headless) against the harness's real
// kube-apiserver, with a test CRD of a group unique to the run: the CRDs by group, one CRD's objects with its printer
// columns (one of them a path the console does not evaluate, shown empty), an object's YAML edit round trip (dry run,
// then apply) and delete, a restricted user who sees no action and whose forced requests get the API server's 403,
// a user who may not list CRDs, and URLs that name no served CRD; the list live from the tab's stream, and stream
// subscriptions naming no served CRD refused. Screenshots go to test-output/console/.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { installCrds, sharedControlPlane, uniqueName, type HarnessCluster } from '@strata/harness';
import { isNotFound } from '@strata/kube';
import type { Browser, Page } from 'playwright-core';
import { parse, stringify } from 'yaml';
import { launchChromium } from './browser.ts';
import { ensureConsoleBuilt, startConsole, type RunningConsole } from './console-app.ts';
import { createUser, deleteUser, type ConsoleUser } from './fixtures.ts';
import { textReads } from './page-waits.ts';
import { forcedRequest, seriousViolations, signInWithToken } from './session.ts';

const ARTIFACTS = fileURLToPath(new URL('../../test-output/console/', import.meta.url));
const READ = ['get', 'list', 'watch'];
const PLURAL = 'widgets';

let cluster: HarnessCluster;
let admin: KubeConfig;
let namespace: string;
let group: string;
let consoleApp: RunningConsole;
let browser: Browser;
let editor: ConsoleUser;
let viewer: ConsoleUser;
let outsider: ConsoleUser;

/** A namespaced Widget CRD with four printer columns: size, phase (unset), a bracketed path, an owner label. */
const widgetCrd = (): V1CustomResourceDefinition => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${PLURAL}.${group}` },
  spec: {
    group,
    names: { plural: PLURAL, singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: {
                  size: { type: 'integer', minimum: 0 },
                  parts: { type: 'array', items: { type: 'string' } },
                },
              },
              status: { type: 'object', properties: { phase: { type: 'string' } } },
            },
          },
        },
        additionalPrinterColumns: [
          { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
          { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
          { name: 'First part', type: 'string', jsonPath: '.spec.parts[0]' },
          { name: 'Owner', type: 'string', jsonPath: '.metadata.labels.owner' },
        ],
      },
    ],
  },
});

const widgets = () => admin.makeApiClient(CustomObjectsApi);
const readWidget = async (name: string) =>
  (await widgets().getNamespacedCustomObject({ group, version: 'v1', namespace, plural: PLURAL, name })) as {
    metadata: { resourceVersion: string; labels?: Record<string, string> };
    spec: { size: number };
  };

const cell = (key: string, column: string) => `tr[data-row="${key}"] td[data-column="${column}"]`;
const objectApi = (name: string) => `/api/resources/${group}/${PLURAL}/${namespace}/${name}`;

async function served(page: Page, name: string): Promise<Record<string, unknown>> {
  const answer = await forcedRequest(page, 'GET', objectApi(name));
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return parse((answer.body as { yaml: string }).yaml) as Record<string, unknown>;
}

async function typeYaml(page: Page, text: string): Promise<void> {
  await page.getByTestId('yaml-editor').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

const signIn = (token: string) => signInWithToken(browser, consoleApp.url, token);

describe('the custom resource pages in Chromium', { timeout: 300_000 }, () => {
  before(async () => {
    const [harness] = await Promise.all([sharedControlPlane(), ensureConsoleBuilt()]);
    cluster = harness;
    admin = cluster.adminKubeConfig();
    namespace = uniqueName('console-crs');
    group = `${uniqueName('widgets')}.example.com`;
    await installCrds(admin, [widgetCrd()]);
    await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    const crds = { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: READ };
    editor = await createUser(admin, namespace, 'cr-editor', [
      crds,
      { apiGroups: [group], resources: [PLURAL], verbs: [...READ, 'update', 'delete'] },
    ]);
    viewer = await createUser(admin, namespace, 'cr-viewer', [
      crds,
      { apiGroups: [group], resources: [PLURAL], verbs: READ },
    ]);
    outsider = await createUser(admin, namespace, 'cr-outsider', [
      { apiGroups: [group], resources: [PLURAL], verbs: READ },
    ]);
    for (const [name, size] of [
      ['w1', 7],
      ['w2', 1],
    ] as const)
      await widgets().createNamespacedCustomObject({
        group,
        version: 'v1',
        namespace,
        plural: PLURAL,
        body: {
          apiVersion: `${group}/v1`,
          kind: 'Widget',
          metadata: { name, labels: { owner: 'alice' } },
          spec: { size, parts: ['bolt'] },
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
    for (const user of ['cr-editor', 'cr-viewer', 'cr-outsider']) await deleteUser(admin, namespace, user);
    await admin.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace });
    await admin.makeApiClient(ApiextensionsV1Api).deleteCustomResourceDefinition({ name: `${PLURAL}.${group}` });
  });

  it("lists the CRDs by group, and a CRD's objects with its printer columns", async () => {
    const { context, page } = await signIn(editor.token);
    await page.getByRole('link', { name: 'Custom resources' }).click();
    await page.waitForURL('**/resources');
    const section = page.getByRole('region', { name: group });
    await section.getByRole('link', { name: 'Widget' }).click();
    await page.waitForURL(`**/resources/${group}/${PLURAL}`);
    const headers = await page.locator('thead th').allTextContents();
    assert.deepEqual(headers, ['Namespace', 'Name', 'Size', 'Phase', 'First part', 'Owner', 'Created']);
    await textReads(page, cell(`${namespace}/w1`, 'printer-0'), '7');
    assert.equal(await page.locator(cell(`${namespace}/w1`, 'printer-1')).textContent(), '');
    // A path with brackets is not one the console evaluates: an empty cell, though the object has parts.
    assert.equal(await page.locator(cell(`${namespace}/w1`, 'printer-2')).textContent(), '');
    assert.equal(await page.locator(cell(`${namespace}/w1`, 'printer-3')).textContent(), 'alice');
    assert.equal(await page.locator(cell(`${namespace}/w2`, 'printer-0')).textContent(), '1');
    await textReads(page, '[data-testid="resource-count"]', `2 ${PLURAL} (live)`);
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'custom-resources-list.png'), fullPage: true });
    await page.goto('/resources');
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'custom-resources.png'), fullPage: true });
    await context.close();
  });

  it('keeps the list live: an object created, changed and deleted after the page loaded, with no reload', async () => {
    const { context, page } = await signIn(editor.token);
    await page.goto(`/resources/${group}/${PLURAL}`);
    await textReads(page, '[data-testid="resource-count"]', `2 ${PLURAL} (live)`);
    let navigations = 0;
    page.on('framenavigated', () => (navigations += 1));
    const body = (size: number, owner: string) => ({
      apiVersion: `${group}/v1`,
      kind: 'Widget',
      metadata: { name: 'w3', labels: { owner } },
      spec: { size },
    });
    await widgets().createNamespacedCustomObject({
      group,
      version: 'v1',
      namespace,
      plural: PLURAL,
      body: body(3, 'bob'),
    });
    await textReads(page, cell(`${namespace}/w3`, 'printer-0'), '3');
    await textReads(page, cell(`${namespace}/w3`, 'printer-3'), 'bob');
    await textReads(page, '[data-testid="resource-count"]', `3 ${PLURAL} (live)`);
    const created = await readWidget('w3');
    await widgets().replaceNamespacedCustomObject({
      group,
      version: 'v1',
      namespace,
      plural: PLURAL,
      name: 'w3',
      body: {
        ...body(4, 'carol'),
        metadata: { ...body(4, 'carol').metadata, resourceVersion: created.metadata.resourceVersion },
      },
    });
    await textReads(page, cell(`${namespace}/w3`, 'printer-0'), '4');
    await textReads(page, cell(`${namespace}/w3`, 'printer-3'), 'carol');
    await widgets().deleteNamespacedCustomObject({ group, version: 'v1', namespace, plural: PLURAL, name: 'w3' });
    await page.locator(`tr[data-row="${namespace}/w3"]`).waitFor({ state: 'detached' });
    await textReads(page, '[data-testid="resource-count"]', `2 ${PLURAL} (live)`);
    assert.equal(navigations, 0, 'the page was never reloaded');

    // The tab's stream watches only a served CRD the user can read: any other subscription is refused.
    for (const search of [
      `resources=customresources&group=${group}&plural=gadgets`,
      'resources=customresources&group=apps&plural=deployments',
      'resources=customresources&group=rbac.authorization.k8s.io&plural=clusterroles',
      `resources=customresources&group=Bad_Group&plural=${PLURAL}`,
      `resources=customresources&group=${group}&plural=${PLURAL}/status`,
      'resources=customresources',
      `resources=nodes&group=${group}&plural=${PLURAL}`,
    ]) {
      const answer = await forcedRequest(page, 'GET', `/api/watch?${search}`);
      assert.equal(answer.status, 400, search);
    }
    await context.close();
    const outside = await signIn(outsider.token);
    const refused = await forcedRequest(
      outside.page,
      'GET',
      `/api/watch?resources=customresources&group=${group}&plural=${PLURAL}`,
    );
    assert.equal(refused.status, 403);
    assert.match(JSON.stringify(refused.body), /cannot get resource \\"customresourcedefinitions\\"/);
    await outside.context.close();
  });

  it("edits an object's YAML (a dry run, then the apply), shows a rejected dry run, and deletes", async () => {
    const { context, page } = await signIn(editor.token);
    await page.goto(`/resources/${group}/${PLURAL}`);
    await page.locator(`tr[data-row="${namespace}/w1"] a`).click();
    await page.waitForURL(`**/resources/${group}/${PLURAL}/${namespace}/w1`);
    const apply = page.getByRole('button', { name: 'Apply' });
    const dryRun = page.getByRole('button', { name: 'Dry run' });
    const object = (await served(page, 'w1')) as { spec: { size: number }; metadata: Record<string, unknown> };
    await typeYaml(page, stringify({ ...object, spec: { ...object.spec, size: 9 } }));
    await dryRun.click();
    await textReads(
      page,
      '[data-testid="action-outcome"]',
      'Dry run: the API server accepts the edit. Nothing is stored until you apply it.',
    );
    assert.equal((await readWidget('w1')).spec.size, 7);
    await apply.click();
    await page.locator('[data-testid="action-outcome"]', { hasText: 'Applied' }).waitFor();
    const applied = await readWidget('w1');
    assert.equal(applied.spec.size, 9);
    await textReads(
      page,
      '[data-testid="action-outcome"]',
      `Applied: Widget ${namespace}/w1 is at resourceVersion ${applied.metadata.resourceVersion}.`,
    );

    // The CRD's schema, checked by the API server through the dry run: its message, Apply withheld, nothing stored.
    const current = (await served(page, 'w1')) as typeof object;
    await typeYaml(page, stringify({ ...current, spec: { ...current.spec, size: -1 } }));
    await dryRun.click();
    const error = page.getByTestId('action-error');
    await error.waitFor();
    assert.match(
      (await error.textContent()) ?? '',
      /spec\.size: Invalid value: -1: spec\.size in body should be greater than or equal to 0/,
    );
    assert.ok(await apply.isDisabled());
    assert.equal((await readWidget('w1')).spec.size, 9);
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'custom-resource-object.png'), fullPage: true });

    await page.goto(`/resources/${group}/${PLURAL}/${namespace}/w2`);
    await page.getByRole('button', { name: 'Delete w2' }).click();
    await page.getByRole('button', { name: 'Confirm delete' }).click();
    await textReads(page, '[data-testid="action-outcome"]', `Deleted Widget ${namespace}/w2.`);
    await assert.rejects(readWidget('w2'), (failure: unknown) => isNotFound(failure));
    await context.close();
  });

  it('a restricted user sees no action, and forced requests get the API server’s 403', async () => {
    const { context, page } = await signIn(viewer.token);
    await page.goto(`/resources/${group}/${PLURAL}/${namespace}/w1`);
    await page.getByTestId('yaml-editor').waitFor();
    assert.equal(await page.getByRole('button', { name: /Delete|Dry run|Apply/ }).count(), 0);
    assert.equal(await page.getByTestId('yaml-editor').getAttribute('contenteditable'), 'false');
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'custom-resource-object-restricted.png'), fullPage: true });
    const object = await served(page, 'w1');
    const edit = await forcedRequest(page, 'PUT', objectApi('w1'), { yaml: stringify(object), dryRun: false });
    assert.equal(edit.status, 403);
    assert.match(JSON.stringify(edit.body), /cannot update resource \\"widgets\\" in API group/);
    const remove = await forcedRequest(page, 'DELETE', objectApi('w1'));
    assert.equal(remove.status, 403);
    assert.match(JSON.stringify(remove.body), /cannot delete resource \\"widgets\\" in API group/);
    assert.equal((await readWidget('w1')).spec.size, 9);
    await context.close();

    // May read widgets but not list CRDs: the API server's refusal, on the page and from the routes.
    const outside = await signIn(outsider.token);
    await outside.page.goto('/resources');
    assert.match(
      (await outside.page.locator('main [role="alert"]').textContent()) ?? '',
      /HTTP 403: .*cannot list resource "customresourcedefinitions" in API group "apiextensions\.k8s\.io"/,
    );
    const read = await forcedRequest(outside.page, 'GET', objectApi('w1'));
    assert.equal(read.status, 403);
    await outside.context.close();
  });

  it('gives a 404 page for a URL that names no served CRD, a 400 from the routes, and a 403 without the CSRF token', async () => {
    const { context, page } = await signIn(editor.token);
    for (const path of [
      `/resources/${group}/gadgets`,
      `/resources/Bad_Group/${PLURAL}`,
      '/resources/apps/deployments',
      '/resources/rbac.authorization.k8s.io/clusterroles',
      `/resources/${group}/${PLURAL}/-/w1`,
      `/resources/${group}/${PLURAL}/${namespace}/no-such-widget`,
    ]) {
      const answer = await page.goto(path);
      assert.equal(answer?.status(), 404, path);
    }
    const yaml = stringify(await served(page, 'w1'));
    const cases: [string, string, number][] = [
      ['PUT', `/api/resources/${group}/gadgets/${namespace}/w1`, 400],
      ['PUT', `/api/resources/apps/deployments/${namespace}/w1`, 400],
      ['PUT', `/api/resources/rbac.authorization.k8s.io/clusterroles/-/admin`, 400],
      ['PUT', `/api/resources/${group}/${PLURAL}/-/w1`, 400],
      ['PUT', `/api/resources/${group}/${PLURAL}/${namespace}/Bad_Name`, 400],
      ['DELETE', `/api/resources/${group}/${PLURAL}/${namespace}/no-such-widget`, 404],
    ];
    for (const [method, path, status] of cases) {
      const answer = await forcedRequest(page, method, path, method === 'PUT' ? { yaml, dryRun: true } : undefined);
      assert.equal(answer.status, status, `${method} ${path}: ${JSON.stringify(answer.body)}`);
    }
    // Without the CSRF token, the edit and the delete are refused before any call; the object is as it was.
    const before = await readWidget('w1');
    assert.equal((await forcedRequest(page, 'PUT', objectApi('w1'), { yaml, dryRun: false }, false)).status, 403);
    assert.equal((await forcedRequest(page, 'DELETE', objectApi('w1'), undefined, false)).status, 403);
    assert.equal((await readWidget('w1')).metadata.resourceVersion, before.metadata.resourceVersion);
    await context.close();
  });
});
