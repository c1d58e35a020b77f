// The OS updates page in a real browser (Debian's Chromium, headless) during a real rollout: the harness's
// kube-apiserver, the UpdatePolicy CRD, the update operator itself (@strata/update-operator's startOperator, limited
// by label selectors to this test's policy and nodes), and the test playing each node's update agent and kubelet
// step by step (the agent's part of the protocol, as the operator's own integration tests play it). A user with
// read access and `patch updatepolicies` signs in, watches a node go through its reboot live, pauses the policy and
// sees the next node held back, resumes it and sees the next node granted. Screenshots go to test-output/console/.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import { ANNOTATIONS, LABELS, TRUE, UPDATE_POLICY, updatePolicyCrd, type UpdatePolicy } from '@strata/api';
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
import { textReads } from './page-waits.ts';
import { signInWithToken } from './session.ts';

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
const nodeNames: string[] = [];

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

async function readPolicy(): Promise<UpdatePolicy> {
  return (await admin.makeApiClient(CustomObjectsApi).getClusterCustomObject({
    group: UPDATE_POLICY.group,
    version: UPDATE_POLICY.version,
    plural: UPDATE_POLICY.plural,
    name: policyName,
  })) as UpdatePolicy;
}

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

    // Resume: the operator grants the second node, and the page shows it.
    await page.getByRole('button', { name: `Resume ${policyName}` }).click();
    await textReads(page, stateCell(second), 'Reboot granted');
    assert.equal(isGranted(await readNode(second)), true);
    await page.getByRole('button', { name: `Pause ${policyName}` }).waitFor();
    await context.close();
  });

  it('a user without patch rights sees no pause, and a forced PATCH gets the API server 403', async () => {
    const { context, page } = await signIn(viewer.token);
    await page.locator(`tr[data-policy="${policyName}"]`).waitFor();
    assert.equal(await page.getByRole('button', { name: /^(Pause|Resume) / }).count(), 0);
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
    await page.screenshot({ path: join(ARTIFACTS, 'updates-restricted.png'), fullPage: true });
    await context.close();
  });
});
