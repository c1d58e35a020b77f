// The OS updates page in a real browser (Debian's Chromium, headless) during a real rollout: the harness's
// kube-apiserver, the UpdatePolicy CRD, the update operator itself (@strata/update-operator's startOperator, limited
// by label selectors to this test's policy and nodes), and the test playing each node's update agent and kubelet
// step by step (the agent's part of the protocol, as the operator's own integration tests play it). A user with
// read access and `patch updatepolicies` signs in, watches a node go through its reboot live, pauses the policy and
// sees the next node held back, resumes it and sees the next node granted, with the Overview's rollout progress
// following along in a second tab. A user who may create, patch and delete UpdatePolicies makes one through the form
// (a value the CRD's schema refuses is named before anything is sent; the API server's refusals, a name taken and a
// change made meanwhile, are shown), edits and deletes it. Beside it, the update server (@strata/update-server's startApiUpdateServer: its control side, JSON API and Omaha
// endpoint over HTTPS) that the console asks as the user (ADR 0066), machines checking in over real Omaha: its
// channels, groups, machines and a machine's timeline on the console's pages, a promotion and a group's pause, and a
// restricted user's forced requests refused by the update server. Screenshots go to test-output/console/.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
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
  UPDATE_CHANNEL,
  UPDATE_GROUP,
  UPDATE_POLICY,
  UPDATE_RELEASE,
  updateChannelSpecSchema,
  updateGroupSpecSchema,
  updatePolicyCrd,
  type UpdatePolicy,
} from '@strata/api';
import { installCrds, sharedControlPlane, uniqueName, waitFor, type HarnessCluster } from '@strata/harness';
import { startOperator, type RunningOperator } from '@strata/update-operator';
import {
  aChannelResource,
  aGroupResource,
  anOmahaRequest,
  aReleaseResource,
  createUpdateResource,
  forCreation,
  installUpdateServerCrds,
  postOmaha,
  readAsUpdateEngine,
  startApiUpdateServer,
  type ApiUpdateServer,
  type EventFields,
} from '@strata/update-server/testing';
import { UpdateResources } from '@strata/update-server';
import { z } from 'zod';
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
declare const window: Record<string, unknown>;

const ARTIFACTS = fileURLToPath(new URL('../../test-output/console/', import.meta.url));
const RUN_LABEL = 'test.console.strata.dev/run';
const OLD_VERSION = '4081.2.0';
const NEW_VERSION = '4230.2.3';
const POLICY_RULE = { apiGroups: [UPDATE_POLICY.group], resources: [UPDATE_POLICY.plural] };
const READ = ['get', 'list', 'watch'];
const UPDATE_SERVER_RULE = { apiGroups: [UPDATE_GROUP.group], resources: [UPDATE_CHANNEL.plural, UPDATE_GROUP.plural] };
/** The release the update server's channel offers first, and the one the test promotes. */
const NEXT_VERSION = '4230.2.4';

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

let updateServer: ApiUpdateServer;
const updateServerCleanups: (() => Promise<unknown>)[] = [];
/** The update server's objects: a channel on NEW_VERSION, a group of three machines following it, two at a time. */
const updates = { channel: '', group: '', track: '', current: '', next: '' };
const machineIds: string[] = [];

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

/** A machine of the update server's group checks in, as update_engine does: a check, or events alone. */
async function checkIn(machineId: string, version: string, events?: readonly EventFields[]) {
  const answer = await postOmaha(
    updateServer.omahaUrl,
    anOmahaRequest({
      track: updates.track,
      machineId,
      version,
      ...(events === undefined ? {} : { events, updateCheck: false }),
    }),
    { ca: updateServer.caPem },
  );
  assert.equal(answer.status, 200);
  return readAsUpdateEngine(answer.body);
}

async function updateSpec(kind: typeof UPDATE_CHANNEL | typeof UPDATE_GROUP, name: string): Promise<unknown> {
  const object: unknown = await admin.makeApiClient(CustomObjectsApi).getClusterCustomObject({
    group: kind.group,
    version: kind.version,
    plural: kind.plural,
    name,
  });
  return z.object({ spec: z.unknown() }).parse(object).spec;
}

const channelRelease = async () =>
  updateChannelSpecSchema.parse(await updateSpec(UPDATE_CHANNEL, updates.channel)).release;
const groupEnabled = async () =>
  updateGroupSpecSchema.parse(await updateSpec(UPDATE_GROUP, updates.group)).policy.enabled;
const machineRows = (page: Page) =>
  page
    .locator('table[data-testid="machines"] tbody tr')
    .evaluateAll((rows) =>
      rows.map((row) => (row as unknown as { getAttribute(name: string): string | null }).getAttribute('data-machine')),
    );

/** A mark in the page's window: an update in place keeps it, a reload loses it. */
const markPage = (page: Page) =>
  page.evaluate(() => {
    window.strataUpdatesMark = true;
  });
const stillMarked = (page: Page) => page.evaluate(() => window.strataUpdatesMark === true);
/** The update server page has its change feed open: what changes from now on shows. */
const feedOpen = (page: Page) => page.locator('[data-testid="update-server-live"][data-state="live"]').waitFor();

const isGranted = (node: V1Node) => node.metadata?.annotations?.[ANNOTATIONS.rebootOk] === TRUE;

describe('the OS updates page during a rollout', { timeout: 240_000 }, () => {
  before(async () => {
    const [harness] = await Promise.all([sharedControlPlane(), ensureConsoleBuilt()]);
    cluster = harness;
    admin = cluster.adminKubeConfig();
    await Promise.all([installCrds(admin, [updatePolicyCrd()]), installUpdateServerCrds(admin)]);
    run = uniqueName('rollout');
    namespace = uniqueName('console-updates');
    policyName = uniqueName('workers');
    await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    rolloutUser = await createUser(admin, namespace, 'rollout', [
      { apiGroups: [''], resources: ['nodes'], verbs: READ },
      { ...POLICY_RULE, verbs: [...READ, 'patch'] },
      { ...UPDATE_SERVER_RULE, verbs: ['get', 'list', 'patch'] },
    ]);
    viewer = await createUser(admin, namespace, 'viewer', [
      { apiGroups: [''], resources: ['nodes'], verbs: READ },
      { ...POLICY_RULE, verbs: READ },
      { ...UPDATE_SERVER_RULE, verbs: ['get', 'list'] },
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
    Object.assign(updates, {
      channel: `${run}-channel`,
      group: `${run}-group`,
      track: `${run}-track`,
      current: `${run}-current`,
      next: `${run}-next`,
    });
    for (const [kind, object] of [
      [UPDATE_RELEASE, forCreation(aReleaseResource(updates.current, { version: NEW_VERSION }))],
      [UPDATE_RELEASE, forCreation(aReleaseResource(updates.next, { version: NEXT_VERSION }))],
      [UPDATE_CHANNEL, forCreation(aChannelResource(updates.channel, updates.current))],
      [
        UPDATE_GROUP,
        forCreation(
          aGroupResource(updates.group, {
            track: updates.track,
            channel: updates.channel,
            policy: { maxInProgress: 2 },
          }),
        ),
      ],
    ] as const)
      updateServerCleanups.push(await createUpdateResource(admin, kind, object));
    // The update server's own identity is the harness admin: it needs TokenReview, SubjectAccessReview and patch.
    updateServer = await startApiUpdateServer({ kubeConfig: admin, name: run, leaseNamespace: namespace });
    await waitFor(
      'the group in the update server catalog',
      () => updateServer.catalog().groupByTrack.get(updates.track)?.channel === updates.channel || undefined,
    );
    await mkdir(ARTIFACTS, { recursive: true });
    const dir = await mkdtemp(join(cluster.info.dir, 'console-updates-'));
    const logFile = join(dir, 'console.log');
    await writeFile(join(dir, 'update-server-ca.crt'), updateServer.caPem);
    [consoleApp, browser, operator] = await Promise.all([
      startConsole({
        kubeconfigPath: cluster.kubeconfigPath,
        environment: {
          STRATA_CONSOLE_UPDATE_SERVER_URL: updateServer.baseUrl,
          STRATA_CONSOLE_UPDATE_SERVER_CA_FILE: join(dir, 'update-server-ca.crt'),
        },
        logFile,
      }),
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
    await updateServer?.close();
    for (const cleanup of updateServerCleanups.reverse()) await cleanup();
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
      .getByRole('alertdialog', { name: `Delete UpdatePolicy ${formPolicy}?` })
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

  it('the update server pages: channels, groups with their versions and rollout, machines page by page, a timeline', async () => {
    machineIds.push(...['m1', 'm2', 'm3'].map((machine) => `${run}-${machine}`));
    const [m1 = '', m2 = '', m3 = ''] = machineIds;
    // Two grants at a time (maxInProgress 2): the third machine is held.
    assert.equal((await checkIn(m1, OLD_VERSION)).updateCheckStatus, 'ok');
    assert.equal((await checkIn(m2, OLD_VERSION)).updateCheckStatus, 'ok');
    assert.equal((await checkIn(m3, OLD_VERSION)).updateCheckStatus, 'noupdate');
    // The first downloads, installs, reboots into the new version and says so on its next check.
    await checkIn(m1, OLD_VERSION, [{ type: 13, result: 1 }]);
    await checkIn(m1, OLD_VERSION, [{ type: 14, result: 1 }]);
    await checkIn(m1, OLD_VERSION, [{ type: 3, result: 1 }]);
    await checkIn(m1, NEW_VERSION, [{ type: 3, result: 2, previousVersion: OLD_VERSION }]);

    const { context, page } = await signIn(rolloutUser.token);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Update server' }).click();
    await page.waitForURL('**/updates/server');
    const channelCell = (column: string) => `tr[data-channel="${updates.channel}"] td[data-column="${column}"]`;
    const groupField = (field: string) => `article[data-group="${updates.group}"] dd[data-field="${field}"]`;
    await textReads(page, channelCell('release'), updates.current);
    await textReads(page, channelCell('version'), NEW_VERSION);
    await textReads(page, groupField('track'), updates.track);
    await textReads(page, groupField('state'), 'Granting updates');
    await textReads(page, groupField('machines'), '3');
    await textReads(page, groupField('rollout'), `1 of 3 machines on ${NEW_VERSION}; 1 in progress`);
    const versions = `table[data-testid="versions-${updates.group}"]`;
    await textReads(page, `${versions} tr[data-version="${OLD_VERSION}"] td[data-column="machines"]`, '2');
    await textReads(page, `${versions} tr[data-version="${NEW_VERSION}"] td[data-column="machines"]`, '1');
    assert.equal(await page.locator(`article[data-group="${updates.group}"] svg.recharts-surface`).count(), 1);
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'update-server.png'), fullPage: true });

    // The group's machines, two to a page: the update server's continue token carried in the URL.
    await page.goto(`/updates/server/groups/${updates.group}?limit=2`);
    await page.locator('table[data-testid="machines"]').waitFor();
    assert.deepEqual(await machineRows(page), [m1, m2]);
    await textReads(page, `tr[data-machine="${m1}"] td[data-column="state"]`, `Complete (${NEW_VERSION})`);
    await textReads(page, `tr[data-machine="${m2}"] td[data-column="state"]`, `Update granted (${NEW_VERSION})`);
    await page.getByRole('link', { name: 'Next page' }).click();
    await page.waitForURL(/continue=/);
    await page.locator(`tr[data-machine="${m3}"]`).waitFor();
    assert.deepEqual(await machineRows(page), [m3]);
    await textReads(
      page,
      `tr[data-machine="${m3}"] td[data-column="state"]`,
      `On hold: concurrency-limit (on ${OLD_VERSION})`,
    );
    assert.equal(await page.getByRole('link', { name: 'Next page' }).count(), 0, 'the last page');
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'update-group.png'), fullPage: true });

    // The first machine's timeline, oldest first, from its link on the first page.
    await page.getByRole('link', { name: 'First page' }).click();
    await page.getByRole('link', { name: m1 }).click();
    await page.waitForURL(`**/updates/server/machines/${m1}`);
    await page.locator('ol[data-testid="timeline"]').waitFor();
    const states = await page
      .locator('ol[data-testid="timeline"] li')
      .evaluateAll((items) =>
        items.map((item) =>
          (item as unknown as { getAttribute(name: string): string | null }).getAttribute('data-state'),
        ),
      );
    assert.deepEqual(states, ['granted', 'downloading', 'downloaded', 'installed', 'complete']);
    await textReads(page, 'dd[data-field="group"]', updates.group);
    await textReads(page, 'dd[data-field="version"]', NEW_VERSION);
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'update-machine.png'), fullPage: true });
    // A machine that never checked in: the update server's 404, in its words.
    await page.goto(`/updates/server/machines/${run}-never`);
    await textReads(
      page,
      '[data-testid="update-server-refusal"]',
      `The update server answered 404: no machine ${run}-never has checked in`,
    );

    // Live (ADR 0073): the group's page follows the second machine through its update as it reports, in place.
    await page.goto(`/updates/server/groups/${updates.group}?limit=2`);
    await feedOpen(page);
    await markPage(page);
    const m2State = `tr[data-machine="${m2}"] td[data-column="state"]`;
    const groupVersions = `table[data-testid="versions-${updates.group}"]`;
    await checkIn(m2, OLD_VERSION, [{ type: 13, result: 1 }]);
    await textReads(page, m2State, `Downloading (${NEW_VERSION})`);
    await checkIn(m2, OLD_VERSION, [{ type: 14, result: 1 }]);
    await checkIn(m2, OLD_VERSION, [{ type: 3, result: 1 }]);
    await checkIn(m2, NEW_VERSION, [{ type: 3, result: 2, previousVersion: OLD_VERSION }]);
    await textReads(page, m2State, `Complete (${NEW_VERSION})`);
    await textReads(page, `${groupVersions} tr[data-version="${NEW_VERSION}"] td[data-column="machines"]`, '2');
    await textReads(page, `${groupVersions} tr[data-version="${OLD_VERSION}"] td[data-column="machines"]`, '1');
    assert.equal(await stillMarked(page), true, 'the page changed in place, not by a reload');
    // And a machine's page: the held third machine, with a slot free now, is granted when it checks in again.
    await page.goto(`/updates/server/machines/${m3}`);
    await feedOpen(page);
    await markPage(page);
    await textReads(page, 'dd[data-field="state"]', `On hold: concurrency-limit (on ${OLD_VERSION})`);
    assert.equal((await checkIn(m3, OLD_VERSION)).updateCheckStatus, 'ok');
    await textReads(page, 'dd[data-field="state"]', `Update granted (${NEW_VERSION})`);
    assert.equal(
      await page.locator('ol[data-testid="timeline"] li').last().getAttribute('data-state'),
      'granted',
      'the timeline grew with the same read',
    );
    assert.equal(await stillMarked(page), true, 'the machine page changed in place, not by a reload');
    await context.close();
  });

  it('promotes a release from the page (refused first by zod, then by the update server 422) and pauses a group', async () => {
    const { context, page } = await signIn(rolloutUser.token);
    await page.goto('/updates/server');
    await feedOpen(page);
    await markPage(page);
    const form = page.getByRole('form', { name: `Promote a release on ${updates.channel}` });
    const errors = `[data-testid="promote-errors-${updates.channel}"]`;
    await form.getByLabel('Release', { exact: true }).fill('latest');
    await form.getByRole('button', { name: 'Promote' }).click();
    await textReads(page, errors, 'version: must be a Container Linux version');
    await form.getByLabel('Release', { exact: true }).fill('9999.0.0');
    await form.getByRole('button', { name: 'Promote' }).click();
    await textReads(page, errors, 'version: no UpdateRelease has version 9999.0.0');
    assert.equal(await channelRelease(), updates.current, 'nothing promoted yet');

    await form.getByLabel('Release', { exact: true }).fill(NEXT_VERSION);
    await form.getByRole('button', { name: 'Promote' }).click();
    await textReads(
      page,
      `[data-testid="promoted-${updates.channel}"]`,
      `Promoted ${NEXT_VERSION} (UpdateRelease ${updates.next}) on ${updates.channel}`,
    );
    assert.equal(await channelRelease(), updates.next, 'the channel patched through the update server');
    // The page shows what the update server then offers once its catalog has seen its own patch: its change feed
    // says when, and the page is read again in place.
    await textReads(page, `tr[data-channel="${updates.channel}"] td[data-column="version"]`, NEXT_VERSION);
    await textReads(page, `tr[data-channel="${updates.channel}"] td[data-column="release"]`, updates.next);
    // A pause made elsewhere (GitOps, `strata update pause`) shows too: nothing on the page asked for it.
    const groupState = `article[data-group="${updates.group}"] dd[data-field="state"]`;
    await new UpdateResources(admin).setPaused(updates.group, true);
    await textReads(page, groupState, 'Paused');
    await new UpdateResources(admin).setPaused(updates.group, false);
    await textReads(page, groupState, 'Granting updates');
    assert.equal(await stillMarked(page), true, 'the page changed in place, not by a reload');

    await page.getByRole('button', { name: `Pause group ${updates.group}` }).click();
    await page.getByRole('button', { name: `Resume group ${updates.group}` }).waitFor();
    assert.equal(await groupEnabled(), false, 'paused through the update server');
    await page.getByRole('button', { name: `Resume group ${updates.group}` }).click();
    await page.getByRole('button', { name: `Pause group ${updates.group}` }).waitFor();
    assert.equal(await groupEnabled(), true, 'resumed');
    await context.close();
  });

  it('a user without patch on channels and groups sees no promote or pause; forced requests get the update server 403', async () => {
    const { context, page } = await signIn(viewer.token);
    await page.goto('/updates/server');
    await page.locator(`tr[data-channel="${updates.channel}"]`).waitFor();
    await page.locator(`article[data-group="${updates.group}"]`).waitFor();
    assert.equal(await page.getByRole('form', { name: /^Promote a release/ }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /^(Pause|Resume) group/ }).count(), 0);
    const release = await channelRelease();
    const promote = `/api/update-server/channels/${updates.channel}/promote`;
    const forced = await forcedRequest(page, 'POST', promote, { version: NEW_VERSION });
    assert.equal(forced.status, 403);
    assert.match(
      JSON.stringify(forced.body),
      new RegExp(
        `${viewer.username.replaceAll('.', '\\.')} may not patch updatechannels\\.update\\.strata\\.dev ${updates.channel}`,
      ),
    );
    assert.equal(await channelRelease(), release, 'nothing promoted');
    const pause = await forcedRequest(page, 'POST', `/api/update-server/groups/${updates.group}/pause`, {});
    assert.equal(pause.status, 403);
    assert.match(JSON.stringify(pause.body), /may not patch updategroups\.update\.strata\.dev/);
    assert.equal(await groupEnabled(), true, 'not paused');
    // The console's own refusals: no CSRF token, a body the update server's schema refuses, a name, an action.
    assert.equal((await forcedRequest(page, 'POST', promote, { version: NEW_VERSION }, false)).status, 403);
    const bad = await forcedRequest(page, 'POST', promote, { version: 'latest' });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /version/);
    assert.equal((await forcedRequest(page, 'POST', '/api/update-server/channels/Bad_Name/promote', {})).status, 400);
    assert.equal(
      (await forcedRequest(page, 'POST', `/api/update-server/groups/${updates.group}/delete`, {})).status,
      404,
    );
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'update-server-restricted.png'), fullPage: true });
    await context.close();
  });
});
