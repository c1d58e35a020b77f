// The Nodes page's actions and the node page in a real browser (Debian's Chromium, headless) against the harness's
// real kube-apiserver: a user with rights cordons, uncordons and drains a node (a real Eviction of each pod, a
// PodDisruptionBudget's 429 shown pod by pod) and pauses its reboots, and sees each change live on the node page
// (its conditions, pods and Events from the tab's one stream); a restricted user sees no action, and forced requests
// get the API server's 403. No kubelet and no controller-manager run: the test writes what they would (a Ready
// condition, Events), and an evicted pod goes at once because its grace period is 0. Screenshots go to
// test-output/console/.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  PolicyV1Api,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { ANNOTATIONS, LABELS, TRUE, UPDATE_POLICY, updatePolicyCrd } from '@strata/api';
import { installCrds, sharedControlPlane, uniqueName, type HarnessCluster } from '@strata/harness';
import { createSimulatedNodes } from '@strata/platform-local/testing';
import type { Browser } from 'playwright-core';
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
import { textReads, virtualRowIds } from './page-waits.ts';
import { podObject, type PodFixture } from './pods.ts';
import { forcedRequest, seriousViolations, signInWithToken } from './session.ts';

const ARTIFACTS = fileURLToPath(new URL('../../test-output/console/', import.meta.url));
const RUN_LABEL = 'test.console.strata.dev/run';
const READ = ['get', 'list', 'watch'];
/** A fleet large enough that the tables must virtualize it; the whole case took 46 s on the shared, loaded machine. */
const FLEET = 2_000;
const PDB_MESSAGE = /Cannot evict pod as it would violate the pod's disruption budget/;

let cluster: HarnessCluster;
let admin: KubeConfig;
let namespace: string;
let run: string;
let consoleApp: RunningConsole;
let browser: Browser;
let operator: ConsoleUser;
let viewer: ConsoleUser;
let drained: string;
let paused: string;
let excludingPolicy: string;
let widePolicy: string;
let wideDeleted = false;

const field = (name: string) => `[data-testid="node-summary"] dd[data-field="${name}"]`;
const podCell = (pod: string, column: string) => `tr[data-pod="${namespace}/${pod}"] td[data-column="${column}"]`;

/** A pod on the drained node, Running and Ready as its kubelet would report it (a Pending pod's eviction ignores budgets). */
async function createPod(fixture: Omit<PodFixture, 'namespace' | 'nodeName'>): Promise<void> {
  const core = admin.makeApiClient(CoreV1Api);
  await core.createNamespacedPod({ namespace, body: podObject({ namespace, nodeName: drained, ...fixture }) });
  const now = new Date();
  await core.patchNamespacedPodStatus(
    {
      namespace,
      name: fixture.name,
      body: { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

/** Events about cluster-scoped objects live in `default`, where the kubelet posts a node's. */
const NODE_EVENTS_NAMESPACE = 'default';
const eventNames: string[] = [];

/** An Event about the node, as its kubelet would post it. */
async function postNodeEvent(node: string, reason: string, message: string): Promise<void> {
  const now = new Date();
  const name = uniqueName(`${node}-event`);
  eventNames.push(name);
  await admin.makeApiClient(CoreV1Api).createNamespacedEvent({
    namespace: NODE_EVENTS_NAMESPACE,
    body: {
      metadata: { namespace: NODE_EVENTS_NAMESPACE, name },
      involvedObject: { kind: 'Node', name: node, uid: node },
      reason,
      message,
      type: 'Normal',
      source: { component: 'kubelet', host: node },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    },
  });
}

async function createPolicy(name: string, nodeSelector: unknown): Promise<void> {
  await admin.makeApiClient(CustomObjectsApi).createClusterCustomObject({
    group: UPDATE_POLICY.group,
    version: UPDATE_POLICY.version,
    plural: UPDATE_POLICY.plural,
    body: {
      apiVersion: UPDATE_POLICY.apiVersion,
      kind: UPDATE_POLICY.kind,
      metadata: { name, labels: { [RUN_LABEL]: run } },
      spec: { nodeSelector },
    },
  });
}

async function deletePolicy(name: string): Promise<void> {
  await admin.makeApiClient(CustomObjectsApi).deleteClusterCustomObject({
    group: UPDATE_POLICY.group,
    version: UPDATE_POLICY.version,
    plural: UPDATE_POLICY.plural,
    name,
  });
}

const signIn = (token: string) => signInWithToken(browser, consoleApp.url, token);

// The bound is for a hang, not a speed: the 2,000-node case alone took 45 s beside another lane of tests and 225 s
// once when that lane ran whole local clusters on the same two cores.
describe('the Nodes page’s actions and the node page in Chromium', { timeout: 480_000 }, () => {
  before(async () => {
    const [harness] = await Promise.all([sharedControlPlane(), ensureConsoleBuilt()]);
    cluster = harness;
    admin = cluster.adminKubeConfig();
    await installCrds(admin, [updatePolicyCrd()]);
    run = uniqueName('nodes');
    namespace = uniqueName('console-nodes');
    await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    // The ServiceAccount admission wants the pods' account; no controller-manager makes it here.
    await admin
      .makeApiClient(CoreV1Api)
      .createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'default' } } });
    operator = await createUser(admin, namespace, 'node-admin', [
      { apiGroups: [''], resources: ['nodes'], verbs: [...READ, 'patch'] },
      { apiGroups: [''], resources: ['pods', 'events'], verbs: READ },
      { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
      { apiGroups: [UPDATE_POLICY.group], resources: [UPDATE_POLICY.plural], verbs: READ },
    ]);
    viewer = await createUser(admin, namespace, 'node-viewer', [
      { apiGroups: [''], resources: ['nodes', 'pods', 'events'], verbs: READ },
    ]);
    drained = `${run}-worker`;
    paused = `${run}-held`;
    for (const name of [drained, paused])
      await createNode(admin, { name, roles: ['worker'], labels: { [RUN_LABEL]: run, [LABELS.version]: '4081.2.0' } });
    await createPod({ name: 'web-1', controller: 'ReplicaSet', labels: { app: 'web' } });
    await createPod({ name: 'db-0', controller: 'StatefulSet', labels: { app: 'db' } });
    await createPod({ name: 'agent', controller: 'DaemonSet' });
    await createPod({ name: 'bare' });
    // No controller-manager computes its status, so the API server refuses every eviction it covers (429).
    await admin.makeApiClient(PolicyV1Api).createNamespacedPodDisruptionBudget({
      namespace,
      body: {
        metadata: { name: 'db', namespace },
        spec: { minAvailable: 1, selector: { matchLabels: { app: 'db' } } },
      },
    });
    await postNodeEvent(drained, 'NodeHasSufficientMemory', 'fixture: the kubelet reports enough memory');
    // The default policy's selector (every node of this run whose reboots are not paused), and one of one's own
    // that does not exclude the label.
    excludingPolicy = `${run}-default`;
    widePolicy = `${run}-wide`;
    await createPolicy(excludingPolicy, {
      matchLabels: { [RUN_LABEL]: run },
      matchExpressions: [{ key: LABELS.rebootsPaused, operator: 'DoesNotExist' }],
    });
    await createPolicy(widePolicy, { matchLabels: { [RUN_LABEL]: run } });
    await mkdir(ARTIFACTS, { recursive: true });
    [consoleApp, browser] = await Promise.all([
      startConsole({ kubeconfigPath: cluster.kubeconfigPath, logFile: join(cluster.info.dir, `${run}-console.log`) }),
      launchChromium(),
    ]);
  });

  after(async () => {
    await browser?.close();
    await consoleApp?.stop();
    const core = admin.makeApiClient(CoreV1Api);
    for (const name of [drained, paused]) await core.deleteNode({ name });
    for (const name of eventNames) await core.deleteNamespacedEvent({ namespace: NODE_EVENTS_NAMESPACE, name });
    await deletePolicy(excludingPolicy);
    if (!wideDeleted) await deletePolicy(widePolicy);
    await deleteUser(admin, namespace, 'node-admin');
    await deleteUser(admin, namespace, 'node-viewer');
    await core.deleteNamespace({ name: namespace });
  });

  it('shows a node’s conditions, pods and Events live, and drains it pod by pod', async () => {
    const { context, page } = await signIn(operator.token);
    // The Nodes table offers every action the user may take; its link leads to the node's page.
    for (const action of ['Cordon', 'Drain', 'Pause reboots'])
      await page.getByRole('button', { name: `${action} ${drained}` }).waitFor();
    await page.locator(`tr[data-node="${drained}"] a`).click();
    await page.waitForURL(`**/nodes/${drained}`);
    await textReads(page, field('roles'), 'worker');
    await textReads(page, field('status'), 'Ready');
    await textReads(page, field('osVersion'), '4081.2.0');
    await textReads(page, 'tr[data-condition="Ready"] td[data-column="status"]', 'True');
    await textReads(page, '[data-testid="pod-count"]', '4 pods');
    await textReads(page, podCell('web-1', 'drain'), 'evict (its PodDisruptionBudgets permitting)');
    await textReads(page, podCell('web-1', 'controller'), 'ReplicaSet/web-1-owner');
    await textReads(page, podCell('agent', 'drain'), 'skipped: DaemonSet pod');
    await textReads(page, podCell('bare', 'drain'), 'not evicted: no controller would recreate it elsewhere');
    await textReads(page, '[data-testid="event-count"]', '1 events');

    // The kubelet's condition and Events, and the update agent's labels, arrive live.
    await setNodeReady(admin, drained, 'False');
    await textReads(page, 'tr[data-condition="Ready"] td[data-column="status"]', 'False');
    await textReads(page, field('status'), 'NotReady');
    await setNodeReady(admin, drained, 'True');
    await textReads(page, field('status'), 'Ready');
    await postNodeEvent(drained, 'Rebooted', 'fixture: the node rebooted');
    await textReads(page, '[data-testid="event-count"]', '2 events');
    await page.locator('tr[data-event] td[data-column="reason"]', { hasText: 'Rebooted' }).waitFor();
    await patchNodeMetadata(admin, drained, { annotations: { [ANNOTATIONS.rebootNeeded]: TRUE } });
    await textReads(page, field('updateState'), 'Reboot needed');

    // Cordon and uncordon, shown from the watch.
    await page.getByRole('button', { name: `Cordon ${drained}` }).click();
    await textReads(page, field('status'), 'Ready, SchedulingDisabled');
    await page.getByRole('button', { name: `Uncordon ${drained}` }).click();
    await textReads(page, field('status'), 'Ready');

    // Drain: asked first in an alert dialog, and nothing happens on Cancel (the dialog goes, the node stays Ready).
    await page.getByRole('button', { name: `Drain ${drained}` }).click();
    const confirmation = page.getByRole('alertdialog', { name: `Drain ${drained}?` });
    await confirmation.getByRole('button', { name: 'Cancel' }).click();
    await confirmation.waitFor({ state: 'detached' });
    await textReads(page, field('status'), 'Ready');
    // Drain: cordoned, web-1 evicted (and gone from the page, from the watch), db-0 refused by its budget.
    await page.getByRole('button', { name: `Drain ${drained}` }).click();
    assert.deepEqual(await seriousViolations(page), []);
    await page.getByRole('button', { name: `Confirm drain of ${drained}` }).click();
    await textReads(
      page,
      '[data-testid="drain-summary"]',
      `Drained ${drained} (cordoned): 1 evicted, 1 refused by a PodDisruptionBudget, 1 not evicted, 1 skipped.`,
    );
    const outcome = (pod: string, column: string) =>
      page.locator(`tr[data-drained="${namespace}/${pod}"] td[data-column="${column}"]`).textContent();
    assert.equal(await outcome('web-1', 'outcome'), 'evicted');
    assert.equal(await outcome('db-0', 'outcome'), 'refused');
    assert.match((await outcome('db-0', 'message')) ?? '', PDB_MESSAGE);
    assert.equal(await outcome('agent', 'outcome'), 'skipped');
    assert.equal(await outcome('bare', 'outcome'), 'not-evicted');
    await textReads(page, field('status'), 'Ready, SchedulingDisabled');
    await textReads(page, '[data-testid="pod-count"]', '3 pods');
    const left = await admin
      .makeApiClient(CoreV1Api)
      .listNamespacedPod({ namespace, fieldSelector: `spec.nodeName=${drained}` });
    assert.deepEqual(left.items.map((pod) => pod.metadata?.name).sort(), ['agent', 'bare', 'db-0']);
    assert.equal((await admin.makeApiClient(CoreV1Api).readNode({ name: drained })).spec?.unschedulable, true);

    // Again with --force: the pod no controller recreates goes too; the budget still holds db-0.
    await page.getByRole('button', { name: `Drain ${drained}` }).click();
    await page.getByLabel('also pods no controller recreates (--force)').check();
    await page.getByRole('button', { name: `Confirm drain of ${drained}` }).click();
    await textReads(
      page,
      '[data-testid="drain-summary"]',
      `Drained ${drained} (cordoned, --force): 1 evicted, 1 refused by a PodDisruptionBudget, 1 skipped.`,
    );
    assert.equal(await outcome('bare', 'outcome'), 'evicted');
    await textReads(page, '[data-testid="pod-count"]', '2 pods');

    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'node.png'), fullPage: true });
    await context.close();
  });

  it('pauses a node’s reboots, naming the UpdatePolicies that would still grant them', async () => {
    const { context, page } = await signIn(operator.token);
    await page.goto(`/nodes/${paused}`);
    await textReads(page, field('reboots'), 'Allowed');
    const outcome = page.locator('[data-testid="reboots-outcome"]');
    await page.getByRole('button', { name: `Pause reboots ${paused}` }).click();
    await textReads(page, field('reboots'), 'Paused');
    await outcome.waitFor();
    const still = (await outcome.textContent()) ?? '';
    assert.match(still, new RegExp(`UpdatePolicy .*${widePolicy}.* still selects it`));
    assert.ok(!still.includes(excludingPolicy), 'the policy that excludes the label does not select the node');
    const node = await admin.makeApiClient(CoreV1Api).readNode({ name: paused });
    assert.equal(node.metadata?.labels?.[LABELS.rebootsPaused], TRUE);

    // Without the policy that ignores the label, nothing of this run selects the node: its reboots are held.
    await deletePolicy(widePolicy);
    wideDeleted = true;
    await page.getByRole('button', { name: `Resume reboots ${paused}` }).click();
    await textReads(page, field('reboots'), 'Allowed');
    await page.locator('[data-testid="reboots-outcome"]', { hasText: 'resumed' }).waitFor();
    assert.match((await outcome.textContent()) ?? '', new RegExp(`resumed: .*${excludingPolicy}`));
    await page.getByRole('button', { name: `Pause reboots ${paused}` }).click();
    await textReads(page, field('reboots'), 'Paused');
    // Other tests' policies may share this API server; none of this run's selects the node now.
    await page.locator('[data-testid="reboots-outcome"]', { hasNotText: 'resumed' }).waitFor();
    const held = (await outcome.textContent()) ?? '';
    assert.ok(!held.includes(widePolicy) && !held.includes(excludingPolicy), held);

    // A node whose reboot is granted cannot be paused: the operator would leave its grant behind.
    await patchNodeAsAgent(admin, paused, {
      labels: { [LABELS.rebootsPaused]: null },
      annotations: { [ANNOTATIONS.rebootNeeded]: TRUE, [ANNOTATIONS.rebootOk]: TRUE },
      unschedulable: false,
    });
    await textReads(page, field('reboots'), 'Allowed');
    await page.getByRole('button', { name: `Pause reboots ${paused}` }).click();
    await textReads(
      page,
      '[data-testid="action-error"]',
      `node ${paused}: a reboot is granted; pause its reboots once it is back (the operator finishes a reboot under way)`,
    );
    assert.equal(
      (await admin.makeApiClient(CoreV1Api).readNode({ name: paused })).metadata?.labels?.[LABELS.rebootsPaused],
      undefined,
    );
    await context.close();
  });

  it('a restricted user sees no action, and forced requests get the API server’s 403', async () => {
    const { context, page } = await signIn(viewer.token);
    await page.locator(`tr[data-node="${drained}"]`).waitFor();
    assert.equal(await page.getByRole('button', { name: /Cordon|Drain|reboots/ }).count(), 0);
    await page.goto(`/nodes/${drained}`);
    await textReads(page, '[data-testid="pod-count"]', '2 pods');
    assert.equal(
      await page
        .getByRole('button')
        .filter({ hasText: /Cordon|Drain|reboots/ })
        .count(),
      0,
    );

    const drain = await forcedRequest(page, 'POST', `/api/nodes/${drained}/drain`);
    assert.equal(drain.status, 403);
    assert.match(JSON.stringify(drain.body), /cannot patch resource \\"nodes\\"/);
    const pause = await forcedRequest(page, 'PUT', `/api/nodes/${drained}/reboots`, { paused: true });
    assert.equal(pause.status, 403);
    assert.match(JSON.stringify(pause.body), /cannot patch resource \\"nodes\\"/);
    const node = await admin.makeApiClient(CoreV1Api).readNode({ name: drained });
    assert.equal(node.metadata?.labels?.[LABELS.rebootsPaused], undefined);
    // The pods the drains left are all still there.
    const left = await admin.makeApiClient(CoreV1Api).listNamespacedPod({ namespace });
    assert.equal(left.items.length, 2);
    await page.screenshot({ path: join(ARTIFACTS, 'node-restricted.png'), fullPage: true });
    await context.close();
  });

  it('answers malformed requests to the node routes with a 4xx, never a 5xx', async () => {
    const { context, page } = await signIn(operator.token);
    const cases: [string, string, unknown, number][] = [
      ['PUT', `/api/nodes/${paused}/reboots`, { paused: 'yes' }, 400],
      ['PUT', `/api/nodes/${paused}/reboots`, { paused: true, force: true }, 400],
      ['PUT', `/api/nodes/${paused}/reboots`, { paused: true, pad: 'x'.repeat(4096) }, 413],
      ['PUT', '/api/nodes/Not_A_Node/reboots', { paused: true }, 400],
      ['POST', `/api/nodes/${paused}/drain`, { everything: true }, 400],
      ['POST', `/api/nodes/${paused}/drain`, { force: 'yes' }, 400],
      ['POST', `/api/nodes/${paused}/drain`, { force: true, pad: 'x'.repeat(2048) }, 413],
      ['POST', '/api/nodes/Not_A_Node/drain', undefined, 400],
      ['POST', `/api/nodes/${run}-no-such-node/drain`, undefined, 404],
    ];
    for (const [method, path, body, status] of cases) {
      const answer = await forcedRequest(page, method, path, body);
      assert.equal(answer.status, status, `${method} ${path} ${JSON.stringify(body)?.slice(0, 40)}`);
    }
    const watch = await page.evaluate(async () => [
      (await fetch('/api/watch?resources=nodepods')).status,
      (await fetch('/api/watch?resources=nodes&node=a')).status,
      (await fetch('/api/watch?resources=nodepods&node=Bad,Name')).status,
    ]);
    assert.deepEqual(watch, [400, 400, 400]);
    // Without the double-submit token the gate refuses both actions before they reach a handler.
    const unprotected = await page.evaluate(async (node) => {
      const drain = await fetch(`/api/nodes/${node}/drain`, { method: 'POST' });
      const pause = await fetch(`/api/nodes/${node}/reboots`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: '{"paused":true}',
      });
      return [drain.status, pause.status];
    }, paused);
    assert.deepEqual(unprotected, [403, 403]);
    await context.close();
  });
  it('lists every node of a 2,000-node fleet in the Nodes and rollout tables, virtualized', async () => {
    // The local platform's simulated workers as the API server holds them (no node runs), found by their own label.
    const fleetLabel = `${RUN_LABEL}=${run}-fleet`;
    const core = admin.makeApiClient(CoreV1Api);
    try {
      await createSimulatedNodes(admin, {
        count: FLEET,
        prefix: `${run}-fleet`,
        labels: { [RUN_LABEL]: `${run}-fleet` },
      });
      const names = (await core.listNode()).items.map((node) => node.metadata?.name ?? '');
      assert.ok(names.length >= FLEET);
      const { context, page } = await signIn(operator.token);
      await textReads(page, '[data-testid="node-count"]', `${names.length} nodes`);
      // Only the rows in view are in the DOM: every node is read by scrolling through, the last one included.
      assert.ok((await page.locator('tr[data-node]').count()) < names.length, 'the Nodes table is virtualized');
      const listed = await virtualRowIds(page, 'Nodes table', 'node');
      assert.deepEqual(listed.sort(), names.sort());
      const last = names.toSorted((a, b) => a.localeCompare(b)).at(-1) ?? '';
      assert.ok(await page.locator(`tr[data-node="${last}"]`).isVisible(), `${last} is shown at the end`);
      // The OS updates page's rollout table likewise.
      await page.goto('/updates');
      await page
        .getByTestId('rollout-count')
        .filter({ hasText: ` of ${names.length} nodes in a rollout` })
        .waitFor();
      assert.ok((await page.locator('tr[data-node]').count()) < names.length, 'the rollout table is virtualized');
      const inRollout = await virtualRowIds(page, 'Rollout table', 'node');
      assert.deepEqual(inRollout.sort(), names.sort());
      await context.close();
    } finally {
      await core.deleteCollectionNode({ labelSelector: fleetLabel });
    }
    assert.deepEqual((await core.listNode({ labelSelector: fleetLabel })).items, []);
  });
});
