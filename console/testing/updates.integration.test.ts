// The OS updates page in a real browser (Debian's Chromium, headless) during a real rollout: the harness's
// kube-apiserver, the UpdatePolicy CRD, the update operator itself (@strata/update-operator's startOperator, limited
// by label selectors to this test's policy and nodes), and the test playing each node's update agent and kubelet
// step by step (the agent's part of the protocol, as the operator's own integration tests play it). A user with
// read access and `patch updatepolicies` signs in, watches a node go through its reboot live, pauses the policy and
// sees the next node held back, resumes it and sees the next node granted, with the Overview's rollout progress
// following along in a second tab. A user who may create, patch and delete UpdatePolicies makes one through the form
// (a value the CRD's schema refuses is named before anything is sent; the API server's refusals, a name taken and a
// change made meanwhile, are shown), edits and deletes it. Screenshots go to test-output/console/.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1Node,
} from '@kubernetes/client-node';
import {
  ANNOTATIONS,
  compareVersions,
  LABELS,
  TRUE,
  UPDATE_POLICY,
  updatePolicyCrd,
  type UpdatePolicy,
} from '@strata/api';
import { installCrds, sharedControlPlane, uniqueName, waitFor, type HarnessCluster } from '@strata/harness';
import { startOperator, type RunningOperator } from '@strata/update-operator';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { pino } from 'pino';
import { launchChromium } from './browser.ts';
import { ensureConsoleBuilt, startConsole, type RunningConsole } from './console-app.ts';
import {
  createNode,
  createUser,
  deleteUser,
  patchNodeAsAgent,
  patchNodeMetadata,
  setNodeReady,
  type ConsoleUser,
} from './fixtures.ts';
import { rolloutRow } from '../src/server/rollout-row.ts';
import { rolloutProgress } from '../src/shared/rollout-progress.ts';
import { textReads } from './page-waits.ts';
import { forcedRequest, seriousViolations, signInWithToken } from './session.ts';

// The page's globals, as far as the callbacks run in Chromium below use them: this project has Node's types, not
// the DOM's (which clash with Node's Web Crypto types in the packages the harness brings in).
declare const document: { readonly cookie: string };

const ARTIFACTS = fileURLToPath(new URL('../../test-output/console/', import.meta.url));
const RUN_LABEL = 'test.console.strata.dev/run';
const OLD_VERSION = '4081.2.0';
const NEW_VERSION = '4230.2.3';
const POLICY_RULE = { apiGroups: [UPDATE_POLICY.group], resources: [UPDATE_POLICY.plural] };
const READ = ['get', 'list', 'watch'];

let cluster: HarnessCluster;
let admin: KubeConfig;
let namespace: string;
let run: string;
let policyName: string;
let consoleApp: RunningConsole;
let browser: Browser;
let operator: RunningOperator;
const stopOperator = new AbortController();
let rolloutUser: ConsoleUser;
let viewer: ConsoleUser;
let editor: ConsoleUser;
const nodeNames: string[] = [];
/** The policy the form makes (no test node matches its selector, and the operator here ignores it). */
let formPolicy: string;

async function signIn(token: string): Promise<{ context: BrowserContext; page: Page }> {
  const { context, page } = await signInWithToken(browser, consoleApp.url, token);
  await page.getByRole('link', { name: 'OS updates' }).click();
  await page.waitForURL('**/updates');
  return { context, page };
}

const stateCell = (node: string) => `tr[data-node="${node}"] td[data-column="state"]`;
const policyCell = (column: string) => `tr[data-policy="${policyName}"] td[data-column="${column}"]`;

async function readNode(name: string): Promise<V1Node> {
  return admin.makeApiClient(CoreV1Api).readNode({ name });
}

const policyResource = { group: UPDATE_POLICY.group, version: UPDATE_POLICY.version, plural: UPDATE_POLICY.plural };

async function readPolicy(name = policyName): Promise<UpdatePolicy> {
  return (await admin
    .makeApiClient(CustomObjectsApi)
    .getClusterCustomObject({ ...policyResource, name })) as UpdatePolicy;
}

/** The API server's status for reading the policy: 200, or 404 when it is gone. */
async function policyStatus(name: string): Promise<number> {
  try {
    await readPolicy(name);
    return 200;
  } catch (error) {
    if (error instanceof ApiException) return error.code;
    throw error;
  }
}

/**
 * The Overview's line for the whole cluster, given where this test's two nodes are: the shared control plane may
 * hold other tests' nodes, counted as they are now (none may run a newer version than this rollout's).
 */
async function overviewLine(mine: { onTarget: number; inProgress: number; waiting: number }): Promise<string> {
  const others = (await admin.makeApiClient(CoreV1Api).listNode()).items.filter(
    (node) => !nodeNames.includes(node.metadata?.name ?? ''),
  );
  const rows = others.map(rolloutRow);
  const baseline = rolloutProgress(rows);
  assert.ok(
    baseline.target === undefined || (compareVersions(baseline.target, NEW_VERSION) ?? 0) <= 0,
    `another node is newer than ${NEW_VERSION}`,
  );
  const onTarget = rows.filter((row) => row.version === NEW_VERSION).length + mine.onTarget;
  return (
    `${onTarget} of ${others.length + nodeNames.length} nodes on ${NEW_VERSION}: ` +
    `${baseline.inProgress + mine.inProgress} in progress, ${baseline.waiting + mine.waiting} waiting, ` +
    `${baseline.failed} failed`
  );
}

const overviewPolicyCell = (column: string) =>
  `[data-testid="rollout-policies"] tr[data-policy="${policyName}"] td[data-column="${column}"]`;

const isGranted = (node: V1Node) => node.metadata?.annotations?.[ANNOTATIONS.rebootOk] === TRUE;

describe('the OS updates page during a rollout', { timeout: 240_000 }, () => {
  before(async () => {
    const [harness] = await Promise.all([sharedControlPlane(), ensureConsoleBuilt()]);
    cluster = harness;
    admin = cluster.adminKubeConfig();
    await installCrds(admin, [updatePolicyCrd()]);
    run = uniqueName('rollout');
    namespace = uniqueName('console-updates');
    policyName = uniqueName('workers');
    await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    rolloutUser = await createUser(admin, namespace, 'rollout', [
      { apiGroups: [''], resources: ['nodes'], verbs: READ },
      { ...POLICY_RULE, verbs: [...READ, 'patch'] },
    ]);
    viewer = await createUser(admin, namespace, 'viewer', [
      { apiGroups: [''], resources: ['nodes'], verbs: READ },
      { ...POLICY_RULE, verbs: READ },
    ]);
    editor = await createUser(admin, namespace, 'editor', [
      { apiGroups: [''], resources: ['nodes'], verbs: READ },
      { ...POLICY_RULE, verbs: [...READ, 'create', 'patch', 'delete'] },
    ]);
    formPolicy = uniqueName('form');
    for (const index of [0, 1]) {
      const name = `${run}-node-${index}`;
      nodeNames.push(name);
      await createNode(admin, {
        name,
        roles: ['worker'],
        labels: { [RUN_LABEL]: run, [LABELS.version]: OLD_VERSION },
      });
    }
    await admin.makeApiClient(CustomObjectsApi).createClusterCustomObject({
      group: UPDATE_POLICY.group,
      version: UPDATE_POLICY.version,
      plural: UPDATE_POLICY.plural,
      body: {
        apiVersion: UPDATE_POLICY.apiVersion,
        kind: UPDATE_POLICY.kind,
        metadata: { name: policyName, labels: { [RUN_LABEL]: run } },
        spec: { maxUnavailable: 1, nodeSelector: { matchLabels: { [RUN_LABEL]: run } } },
      },
    });
    await mkdir(ARTIFACTS, { recursive: true });
    const logFile = join(await mkdtemp(join(cluster.info.dir, 'console-updates-')), 'console.log');
    [consoleApp, browser, operator] = await Promise.all([
      startConsole({ kubeconfigPath: cluster.kubeconfigPath, logFile }),
      launchChromium(),
      startOperator({
        kubeConfig: admin,
        namespace,
        identity: uniqueName('operator'),
        signal: stopOperator.signal,
        policyLabelSelector: `${RUN_LABEL}=${run}`,
        nodeLabelSelector: `${RUN_LABEL}=${run}`,
        leaseDurationSeconds: 3,
        renewDeadlineMs: 2000,
        retryPeriodMs: 500,
        logger: pino({ level: process.env['UPDATE_OPERATOR_TEST_LOG'] ?? 'silent' }),
      }),
    ]);
    await waitFor('the update operator to lead', () => (operator.isLeader() ? true : undefined), 20_000);
  });

  after(async () => {
    stopOperator.abort();
    await operator?.stopped;
    await browser?.close();
    await consoleApp?.stop();
    const core = admin.makeApiClient(CoreV1Api);
    for (const name of nodeNames) await core.deleteNode({ name });
    await admin.makeApiClient(CustomObjectsApi).deleteClusterCustomObject({
      group: UPDATE_POLICY.group,
      version: UPDATE_POLICY.version,
      plural: UPDATE_POLICY.plural,
      name: policyName,
    });
    await deleteUser(admin, namespace, 'rollout');
    await deleteUser(admin, namespace, 'viewer');
    await deleteUser(admin, namespace, 'editor');
    // The form test deletes its policy; this is for a run that failed before it did.
    if ((await policyStatus(formPolicy)) === 200)
      await admin.makeApiClient(CustomObjectsApi).deleteClusterCustomObject({ ...policyResource, name: formPolicy });
    await core.deleteNamespace({ name: namespace });
  });
  it('shows a node going through its reboot live; pause holds the next node back, resume lets it go', async () => {
    const { context, page } = await signIn(rolloutUser.token);
    const [nodeA = '', nodeB = ''] = nodeNames;
    await textReads(page, policyCell('nodes'), '2 selected, all idle');
    await textReads(page, policyCell('budget'), '0 in use of maxUnavailable 1');
    await textReads(page, policyCell('selector'), `${RUN_LABEL}=${run}`);
    for (const name of nodeNames) await textReads(page, stateCell(name), `On ${OLD_VERSION}`);

    // update_engine stages the new version on both nodes; the operator grants one reboot (maxUnavailable 1).
    for (const name of nodeNames)
      await patchNodeMetadata(admin, name, {
        annotations: { [ANNOTATIONS.rebootNeeded]: TRUE, [ANNOTATIONS.newVersion]: NEW_VERSION },
        labels: { [LABELS.rebootNeeded]: TRUE },
      });
    const granted = await waitFor('the operator to grant a reboot', async () => {
      const nodes = await Promise.all(nodeNames.map(readNode));
      const names = nodes.filter(isGranted).map((node) => node.metadata?.name ?? '');
      return names.length > 0 ? names : undefined;
    });
    assert.equal(granted.length, 1, 'one reboot at a time');
    const [first = '', second = ''] = granted[0] === nodeA ? [nodeA, nodeB] : [nodeB, nodeA];
    await textReads(page, stateCell(first), 'Reboot granted');
    await textReads(page, `tr[data-node="${first}"] td[data-column="policy"]`, policyName);
    await textReads(page, stateCell(second), `Waiting for a slot (${NEW_VERSION} staged)`);
    await textReads(page, policyCell('budget'), '1 in use of maxUnavailable 1');
    // The Overview, in a second tab, counts the same rollout: granted is in progress, staged is waiting.
    const overview = await context.newPage();
    await overview.goto('/overview');
    await textReads(
      overview,
      '[data-testid="rollout-progress"]',
      await overviewLine({ onTarget: 0, inProgress: 1, waiting: 1 }),
    );
    await textReads(overview, overviewPolicyCell('total'), '2');
    await textReads(overview, overviewPolicyCell('inProgress'), '1');
    await textReads(overview, overviewPolicyCell('waiting'), '1');

    // The agent on the first node starts: in progress and cordoned, then its kubelet goes away.
    await patchNodeAsAgent(admin, first, {
      annotations: { [ANNOTATIONS.rebootInProgress]: TRUE, [ANNOTATIONS.agentMadeUnschedulable]: TRUE },
      unschedulable: true,
    });
    await textReads(page, stateCell(first), 'Cordoned, draining');
    await setNodeReady(admin, first, 'False');
    await textReads(page, stateCell(first), 'Rebooting');
    await textReads(page, policyCell('nodes'), '2 selected: 1 waiting for a slot, 1 rebooting');
    const violations = (await new AxeBuilder({ page }).analyze()).violations.filter(
      (violation) => violation.impact === 'serious' || violation.impact === 'critical',
    );
    assert.deepEqual(
      violations.map((violation) => `${violation.id}: ${violation.help}`),
      [],
    );
    await page.screenshot({ path: join(ARTIFACTS, 'updates-rebooting.png'), fullPage: true });

    // Pause, from the page; the operator takes it in before the first node comes back.
    await page.getByRole('button', { name: `Pause ${policyName}` }).click();
    await page.getByRole('button', { name: `Resume ${policyName}` }).waitFor();
    const paused = await readPolicy();
    assert.equal(paused.spec.paused, true, 'the edit reached the API server');
    await waitFor('the operator to observe the pause', async () => {
      const policy = await readPolicy();
      return (policy.status?.observedGeneration ?? 0) >= (policy.metadata.generation ?? 1) ? true : undefined;
    });

    // The first node comes back on the new version, uncordoned: the agent's last step.
    await setNodeReady(admin, first, 'True');
    await patchNodeAsAgent(admin, first, {
      labels: { [LABELS.version]: NEW_VERSION, [LABELS.rebootNeeded]: null },
      annotations: {
        [ANNOTATIONS.rebootNeeded]: 'false',
        [ANNOTATIONS.rebootInProgress]: null,
        [ANNOTATIONS.agentMadeUnschedulable]: null,
      },
      unschedulable: false,
    });
    await textReads(page, stateCell(first), `On ${NEW_VERSION}`);
    await textReads(page, `tr[data-node="${first}"] td[data-column="version"]`, NEW_VERSION);
    // With a slot free, the operator holds the second node back and says why: the pause. It writes this condition
    // only once nothing moves and a node waits, so the page reading it proves it decided after the first came back.
    await textReads(
      page,
      policyCell('state'),
      'Paused; Blocked (Paused): spec.paused is true; 1 node(s) wait for a reboot',
    );
    assert.equal(isGranted(await readNode(second)), false, 'no reboot granted while paused');
    await textReads(page, stateCell(second), `Waiting for a slot (${NEW_VERSION} staged)`);
    await textReads(page, policyCell('budget'), '0 in use of maxUnavailable 1');
    await page.screenshot({ path: join(ARTIFACTS, 'updates-paused.png'), fullPage: true });
    await textReads(
      overview,
      '[data-testid="rollout-progress"]',
      await overviewLine({ onTarget: 1, inProgress: 0, waiting: 1 }),
    );
    await textReads(overview, overviewPolicyCell('inProgress'), '0');
    await textReads(overview, overviewPolicyCell('paused'), 'Paused');
    assert.deepEqual(await seriousViolations(overview), []);
    await overview.screenshot({ path: join(ARTIFACTS, 'overview-rollout.png'), fullPage: true });

    // Resume: the operator grants the second node, and the page shows it.
    await page.getByRole('button', { name: `Resume ${policyName}` }).click();
    await textReads(page, stateCell(second), 'Reboot granted');
    assert.equal(isGranted(await readNode(second)), true);
    await page.getByRole('button', { name: `Pause ${policyName}` }).waitFor();
    await textReads(
      overview,
      '[data-testid="rollout-progress"]',
      await overviewLine({ onTarget: 1, inProgress: 1, waiting: 0 }),
    );
    await textReads(overview, overviewPolicyCell('paused'), 'No');
    await context.close();
  });

  it('creates, edits and deletes a policy through the form; schema and API server refusals are named', async () => {
    const { context, page } = await signIn(editor.token);
    const sent: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/updatepolicies') && request.method() !== 'GET')
        sent.push(`${request.method()} ${request.postData() ?? ''}`);
    });
    const row = (column: string) => `tr[data-policy="${formPolicy}"] td[data-column="${column}"]`;
    const openCreate = async () => {
      await page.getByRole('button', { name: 'Create an UpdatePolicy' }).click();
      return page.getByRole('form', { name: 'Create an UpdatePolicy' });
    };

    // A value the CRD's schema refuses is named beside its input, and nothing is sent.
    let form = await openCreate();
    await form.locator('input[name="name"]').fill(formPolicy);
    await form.locator('input[name="nodeSelector"]').fill(`${RUN_LABEL}=nobody-${run}`);
    await form.locator('input[name="maxUnavailable"]').fill('0');
    await form.getByRole('button', { name: 'Check' }).click();
    const problem =
      'spec.maxUnavailable: must be a whole number of nodes of at least 1, or a percentage from "1%" to "100%"';
    await textReads(page, '[data-problem-for="maxUnavailable"]', problem);
    assert.equal(await form.locator('input[name="maxUnavailable"]').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByTestId('policy-form-problems').textContent(), problem);
    assert.equal(await form.getByRole('button', { name: 'Create' }).isDisabled(), true);
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'updates-policy-form.png'), fullPage: true });
    assert.deepEqual(sent, [], 'nothing sent for a refused value');

    // Fixed, with a reboot window: a dry run first (nothing stored), then Create.
    await form.locator('input[name="maxUnavailable"]').fill('25%');
    await form.getByRole('button', { name: 'Add a reboot window' }).click();
    await form.locator('input[name="timeZone-0"]').fill('Europe/Berlin');
    await form.getByRole('button', { name: 'Check' }).click();
    await page.getByTestId('policy-dry-run').waitFor();
    assert.equal(sent.length, 1);
    assert.match(sent[0] ?? '', /^POST .*"dryRun":true/);
    assert.equal(await policyStatus(formPolicy), 404, 'a dry run stores nothing');
    await form.getByRole('button', { name: 'Create' }).click();
    await textReads(page, '[data-testid="policy-notice"]', `Created UpdatePolicy ${formPolicy}`);
    await textReads(page, row('budget'), '0 in use of maxUnavailable 25%');
    await textReads(page, row('windows'), 'Sat, Sun 03:00 for 3h (Europe/Berlin)');
    await textReads(page, row('selector'), `${RUN_LABEL}=nobody-${run}`);
    const created = await readPolicy(formPolicy);
    assert.equal(created.spec.maxUnavailable, '25%');
    assert.deepEqual(created.spec.nodeSelector, { matchLabels: { [RUN_LABEL]: `nobody-${run}` } });

    // What the schema lets through the API server may refuse: a name taken. Its words are shown.
    form = await openCreate();
    await form.locator('input[name="name"]').fill(formPolicy);
    await form.getByRole('button', { name: 'Check' }).click();
    await page.getByTestId('policy-server-error').waitFor();
    assert.match((await page.getByTestId('policy-server-error').textContent()) ?? '', /already exists/);
    await form.getByRole('button', { name: 'Cancel' }).click();
    // The route checks the body with the same schema: a 400 naming the field, before the API server is asked.
    const malformed = await forcedRequest(page, 'POST', '/api/updatepolicies', {
      name: formPolicy,
      spec: { maxUnavailable: 0 },
    });
    assert.equal(malformed.status, 400);
    assert.match(JSON.stringify(malformed.body), /maxUnavailable/);

    // An edit, seen live in the table.
    await page.getByRole('button', { name: `Edit ${formPolicy}` }).click();
    form = page.getByRole('form', { name: `Edit UpdatePolicy ${formPolicy}` });
    const maxUnavailable = form.locator('input[name="maxUnavailable"]');
    assert.equal(await maxUnavailable.inputValue(), '25%');
    await maxUnavailable.fill('2');
    await form.getByRole('button', { name: 'Check' }).click();
    await page.getByTestId('policy-dry-run').waitFor();
    await form.getByRole('button', { name: 'Save' }).click();
    await textReads(page, '[data-testid="policy-notice"]', `Saved UpdatePolicy ${formPolicy}`);
    await textReads(page, row('budget'), '0 in use of maxUnavailable 2');

    // A change made meanwhile is the API server's 409, shown; the other change is not overwritten.
    await page.getByRole('button', { name: `Edit ${formPolicy}` }).click();
    await form.locator('input[name="paused"]').check();
    await admin
      .makeApiClient(CustomObjectsApi)
      .patchClusterCustomObject(
        { ...policyResource, name: formPolicy, body: { spec: { maxUnavailable: 3 } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    await textReads(page, row('budget'), '0 in use of maxUnavailable 3');
    await form.getByRole('button', { name: 'Check' }).click();
    await page.getByTestId('policy-server-error').waitFor();
    assert.match((await page.getByTestId('policy-server-error').textContent()) ?? '', /has been modified/);
    const kept = await readPolicy(formPolicy);
    assert.equal(kept.spec.maxUnavailable, 3);
    assert.equal(kept.spec.paused, false);
    await page.screenshot({ path: join(ARTIFACTS, 'updates-policy-conflict.png'), fullPage: true });
    await form.getByRole('button', { name: 'Reload' }).click();
    await textReads(
      page,
      '[data-testid="policy-version"]',
      `${formPolicy}, as of resourceVersion ${kept.metadata.resourceVersion}`,
    );
    assert.equal(await maxUnavailable.inputValue(), '3');
    await form.getByRole('button', { name: 'Cancel' }).click();

    // Delete asks first; the row goes when the watch says the policy is gone.
    await page.getByRole('button', { name: `Delete ${formPolicy}` }).click();
    await page
      .getByRole('group', { name: `Confirm deleting ${formPolicy}` })
      .getByRole('button', { name: 'Confirm delete' })
      .click();
    await page.locator(`tr[data-policy="${formPolicy}"]`).waitFor({ state: 'detached' });
    assert.equal(await policyStatus(formPolicy), 404);
    await context.close();
  });

  it('a user without rights sees no pause, editor or delete, and forced requests get the API server 403', async () => {
    const { context, page } = await signIn(viewer.token);
    await page.locator(`tr[data-policy="${policyName}"]`).waitFor();
    assert.equal(await page.getByRole('button', { name: /^(Pause|Resume|Edit|Delete) / }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Create an UpdatePolicy' }).count(), 0);
    assert.equal(await page.locator('th', { hasText: 'Actions' }).count(), 0);
    const before = await readPolicy();
    const forced = await page.evaluate(async (name) => {
      const csrf = document.cookie
        .split('; ')
        .find((cookie) => cookie.startsWith('strata-csrf='))
        ?.slice('strata-csrf='.length);
      const answer = await fetch(`/api/updatepolicies/${name}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', 'x-strata-csrf': csrf ?? '' },
        body: JSON.stringify({ paused: true }),
      });
      return { status: answer.status, body: await answer.json() };
    }, policyName);
    assert.equal(forced.status, 403);
    assert.match(JSON.stringify(forced.body), /cannot patch resource \\"updatepolicies\\"/);
    assert.equal((await readPolicy()).metadata.resourceVersion, before.metadata.resourceVersion, 'nothing changed');
    // Without the CSRF token the console refuses it before the API server sees it.
    const noToken = await page.evaluate(async (name) => {
      const answer = await fetch(`/api/updatepolicies/${name}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ paused: true }),
      });
      return answer.status;
    }, policyName);
    assert.equal(noToken, 403);
    const stored = await readPolicy();
    const refusals: [string, string, unknown, RegExp][] = [
      [
        'POST',
        '/api/updatepolicies',
        { name: `${policyName}-x`, spec: {} },
        /cannot create resource \\"updatepolicies\\"/,
      ],
      [
        'PUT',
        `/api/updatepolicies/${policyName}`,
        { resourceVersion: stored.metadata.resourceVersion, spec: { paused: true } },
        /cannot patch resource \\"updatepolicies\\"/,
      ],
      ['DELETE', `/api/updatepolicies/${policyName}`, undefined, /cannot delete resource \\"updatepolicies\\"/],
    ];
    for (const [method, path, body, refusal] of refusals) {
      const answer = await forcedRequest(page, method, path, body);
      assert.equal(answer.status, 403, `${method} ${path}`);
      assert.match(JSON.stringify(answer.body), refusal);
    }
    // The form's routes are behind the same CSRF gate: without the token, refused before the API server is asked.
    const noCsrf = await forcedRequest(
      page,
      'POST',
      '/api/updatepolicies',
      { name: `${policyName}-x`, spec: {} },
      false,
    );
    assert.equal(noCsrf.status, 403);
    assert.equal((await readPolicy()).metadata.resourceVersion, stored.metadata.resourceVersion, 'nothing changed');
    assert.equal(await policyStatus(`${policyName}-x`), 404);
    await page.screenshot({ path: join(ARTIFACTS, 'updates-restricted.png'), fullPage: true });
    await context.close();
  });
});
