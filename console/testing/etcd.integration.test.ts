// The etcd pages and the completed Overview in a real browser (Debian's Chromium, headless) against the harness's
// real kube-apiserver with the etcd.strata.dev CRDs installed. No etcd operator runs: the tests write each
// EtcdCluster's and EtcdBackup's status through the API as the operator would (testing/etcd-fixtures.ts), and watch
// the pages follow. Screenshots go to test-output/console/.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import {
  ETCD_BACKUP,
  ETCD_CLUSTER,
  ETCD_RESTORE,
  LABELS,
  parseEtcdBackup,
  parseEtcdCluster,
  parseEtcdRestore,
  type EtcdBackup,
  type EtcdCluster,
} from '@strata/api';
import { sharedControlPlane, uniqueName, type HarnessCluster } from '@strata/harness';
import type { Browser } from 'playwright-core';
import { z } from 'zod';
import { launchChromium } from './browser.ts';
import { ensureConsoleBuilt, startConsole, type RunningConsole } from './console-app.ts';
import {
  createEtcdBackup,
  createEtcdCluster,
  installEtcdCrds,
  writeEtcdBackupStatus,
  writeEtcdClusterStatus,
} from './etcd-fixtures.ts';
import { etcdCondition, etcdMember, runningStatus, snapshotRecord } from './etcd-objects.ts';
import { createNode, createUser, deleteUser, patchNodeMetadata, type ConsoleUser } from './fixtures.ts';
import { textReads } from './page-waits.ts';
import { forcedRequest, seriousViolations, signInWithToken } from './session.ts';

const ARTIFACTS = fileURLToPath(new URL('../../test-output/console/', import.meta.url));
const READ = ['get', 'list', 'watch'];
const ETCD_GROUP = ETCD_CLUSTER.group;

let cluster: HarnessCluster;
let admin: KubeConfig;
let namespace: string;
let consoleApp: RunningConsole;
let browser: Browser;
let operator: ConsoleUser;
let viewer: ConsoleUser;
const nodeNames: string[] = [];
/** OS versions no other test uses, so that the Overview's counts of them are this file's own. */
const OLD_VERSION = `4081.${Date.now() % 100_000}.0`;
const NEW_VERSION = `4082.${Date.now() % 100_000}.0`;

const clusterSection = (name: string) => `section[data-cluster="${namespace}/${name}"]`;
const memberCell = (name: string, member: string, column: string) =>
  `${clusterSection(name)} tr[data-member="${member}"] td[data-column="${column}"]`;

async function readCluster(name: string): Promise<EtcdCluster> {
  const object: unknown = await admin.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
    group: ETCD_GROUP,
    version: ETCD_CLUSTER.version,
    plural: ETCD_CLUSTER.plural,
    namespace,
    name,
  });
  return parseEtcdCluster(object);
}

async function listBackups(): Promise<EtcdBackup[]> {
  const listed: unknown = await admin.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
    group: ETCD_GROUP,
    version: ETCD_BACKUP.version,
    plural: ETCD_BACKUP.plural,
    namespace,
  });
  return z
    .object({ items: z.array(z.unknown()) })
    .parse(listed)
    .items.map(parseEtcdBackup);
}

const signIn = (token: string) => signInWithToken(browser, consoleApp.url, token);

describe('the etcd pages and the Overview in Chromium', { timeout: 240_000 }, () => {
  before(async () => {
    const [harness] = await Promise.all([sharedControlPlane(), ensureConsoleBuilt()]);
    cluster = harness;
    admin = cluster.adminKubeConfig();
    await installEtcdCrds(admin);
    namespace = uniqueName('console-etcd');
    await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    const common = [
      { apiGroups: [''], resources: ['nodes', 'events'], verbs: READ },
      { apiGroups: [ETCD_GROUP], resources: ['etcdclusters', 'etcdbackups'], verbs: READ },
    ];
    operator = await createUser(admin, namespace, 'etcd-operator', [
      ...common,
      { apiGroups: [ETCD_GROUP], resources: ['etcdclusters'], verbs: ['create', 'patch'] },
      { apiGroups: [ETCD_GROUP], resources: ['etcdbackups', 'etcdrestores'], verbs: ['create'] },
    ]);
    viewer = await createUser(admin, namespace, 'etcd-viewer', common);

    await createEtcdCluster(admin, { namespace, name: 'main' });
    await writeEtcdClusterStatus(admin, namespace, 'main', runningStatus(['main-0', 'main-1', 'main-2']));
    await createEtcdBackup(admin, {
      namespace,
      name: 'main-nightly',
      cluster: 'main',
      claimName: 'etcd-backups',
      schedule: '0 3 * * *',
    });
    const snapshot = snapshotRecord('main-nightly-20261205-030000', 4711, 3_145_728);
    await writeEtcdBackupStatus(admin, namespace, 'main-nightly', {
      lastSuccess: snapshot.takenAt,
      backups: [snapshot],
      conditions: [etcdCondition('Ready', 'True', 'Succeeded', 'the last backup succeeded')],
    });

    const prefix = uniqueName('etcd-page-node');
    for (let index = 0; index < 2; index += 1) {
      const name = `${prefix}-${index}`;
      nodeNames.push(name);
      await createNode(admin, { name, roles: ['worker'], labels: { [LABELS.version]: OLD_VERSION } });
    }
    await mkdir(ARTIFACTS, { recursive: true });
    const log = join(await mkdtemp(join(cluster.info.dir, 'console-etcd-')), 'console.log');
    [consoleApp, browser] = await Promise.all([
      startConsole({ kubeconfigPath: cluster.kubeconfigPath, logFile: log }),
      launchChromium(),
    ]);
  });

  after(async () => {
    await browser?.close();
    await consoleApp?.stop();
    const core = admin.makeApiClient(CoreV1Api);
    for (const name of nodeNames) await core.deleteNode({ name });
    await deleteUser(admin, namespace, 'etcd-operator');
    await deleteUser(admin, namespace, 'etcd-viewer');
    await core.deleteNamespace({ name: namespace });
  });

  it('lists the EtcdClusters with their members, and follows the status live', async () => {
    const { context, page } = await signIn(operator.token);
    await page.goto('/etcd');
    await textReads(page, `${clusterSection('main')} [data-field="phase"]`, 'Running');
    await textReads(page, `${clusterSection('main')} [data-field="size"]`, '3');
    await textReads(page, memberCell('main', 'main-0', 'leader'), 'yes');
    await textReads(page, memberCell('main', 'main-1', 'healthy'), 'yes');
    await textReads(page, memberCell('main', 'main-0', 'dbSize'), '24.0 KiB');
    await textReads(page, memberCell('main', 'main-0', 'revision'), '100');
    assert.equal(await page.getByRole('link', { name: `${namespace}/main` }).count(), 1);
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'etcd.png'), fullPage: true });

    // The operator reports a lost member and a new leader: the page follows without a reload.
    await writeEtcdClusterStatus(admin, namespace, 'main', {
      ...runningStatus(['main-0', 'main-1', 'main-2']),
      phase: 'Healing',
      readyMembers: 2,
      members: [
        etcdMember('main-0', { healthy: false, revision: 100 }),
        etcdMember('main-1', { leader: true, revision: 180 }),
        etcdMember('main-2', { revision: 180 }),
      ],
      conditions: [
        etcdCondition('Available', 'True', 'QuorumHealthy', '2 of 3 members healthy'),
        etcdCondition('Degraded', 'True', 'MemberUnhealthy', 'main-0 does not answer'),
      ],
    });
    await textReads(page, `${clusterSection('main')} [data-field="phase"]`, 'Healing');
    await textReads(page, memberCell('main', 'main-0', 'healthy'), 'no');
    await textReads(page, memberCell('main', 'main-1', 'leader'), 'yes');
    await textReads(page, memberCell('main', 'main-0', 'leader'), 'no');
    await textReads(
      page,
      `${clusterSection('main')} tr[data-condition="Degraded"] td[data-column="message"]`,
      'main-0 does not answer',
    );

    // A cluster created meanwhile appears, and goes when it is deleted.
    await createEtcdCluster(admin, { namespace, name: 'other', spec: { size: 1 } });
    await textReads(page, `${clusterSection('other')} [data-field="phase"]`, 'Not reported');
    await admin.makeApiClient(CustomObjectsApi).deleteNamespacedCustomObject({
      group: ETCD_GROUP,
      version: ETCD_CLUSTER.version,
      plural: ETCD_CLUSTER.plural,
      namespace,
      name: 'other',
    });
    await page.locator(clusterSection('other')).waitFor({ state: 'detached' });
    await writeEtcdClusterStatus(admin, namespace, 'main', runningStatus(['main-0', 'main-1', 'main-2']));
    await context.close();
  });

  it('shows a cluster’s backups and snapshots; scales it and backs it up now', async () => {
    const { context, page } = await signIn(operator.token);
    await page.goto(`/etcd/${namespace}/main`);
    const snapshot = 'section[data-backup="main-nightly"] tr[data-snapshot="main-nightly-20261205-030000"]';
    await textReads(page, `${snapshot} td[data-column="revision"]`, '4711');
    await textReads(page, `${snapshot} td[data-column="size"]`, '3.0 MiB');
    await textReads(
      page,
      `${snapshot} td[data-column="sha256"]`,
      snapshotRecord('main-nightly-20261205-030000', 4711, 3_145_728).sha256,
    );
    await textReads(
      page,
      'section[data-backup="main-nightly"] [data-field="ready"]',
      'True: the last backup succeeded',
    );
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'etcd-cluster.png'), fullPage: true });

    // Scale: the API server stores the new size, and the page shows it from the watch.
    await page.getByRole('spinbutton', { name: 'Members' }).fill('5');
    await page.getByRole('button', { name: 'Scale' }).click();
    await textReads(page, '[data-field="size"]', '5');
    assert.equal((await readCluster('main')).spec.size, 5);
    // Without the double-submit CSRF token, the same request from the page is refused before it reaches the API server.
    const noCsrf = await page.evaluate(async (url) => {
      const answer = await fetch(url, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ size: 1 }),
      });
      return answer.status;
    }, `/api/etcd/clusters/${namespace}/main`);
    assert.equal(noCsrf, 403);
    assert.equal((await readCluster('main')).spec.size, 5);
    // A size the CRD refuses never leaves the browser.
    await page.getByRole('spinbutton', { name: 'Members' }).fill('9');
    await page.getByRole('button', { name: 'Scale' }).click();
    await textReads(page, '[data-testid="scale-errors"]', 'size: must be from 1 to 7');
    assert.equal((await readCluster('main')).spec.size, 5);

    // Back up now, to where the nightly backup writes: a one-shot EtcdBackup of this cluster.
    await page.getByRole('button', { name: 'Back up now to volume claim etcd-backups' }).click();
    await page.locator('[data-testid="backup-created"]').waitFor();
    const created = ((await page.locator('[data-testid="backup-created"]').textContent()) ?? '').replace(
      'Created EtcdBackup ',
      '',
    );
    assert.match(created, /^main-now-/);
    const stored = (await listBackups()).find((backup) => backup.metadata.name === created);
    assert.ok(stored, `${created} is stored`);
    assert.deepEqual(stored.spec.destination, { pvc: { claimName: 'etcd-backups' } });
    await page.locator(`section[data-backup="${created}"]`).waitFor();

    // Restore the nightly snapshot into a new cluster: an EtcdRestore with this cluster's spec.
    const restoreForm = page.getByRole('form', { name: 'Restore to a new cluster' });
    await restoreForm.getByLabel('New cluster').fill('Restored!');
    await restoreForm.getByRole('button', { name: 'Restore' }).click();
    await textReads(
      page,
      '[data-testid="restore-errors"]',
      'cluster: must be a DNS label: lower-case letters, digits and "-"',
    );
    await restoreForm.getByLabel('New cluster').fill('restored');
    await restoreForm.getByRole('button', { name: 'Restore' }).click();
    await textReads(page, '[data-testid="restore-created"]', `Restoring into ${namespace}/restored`);
    const restore = parseEtcdRestore(
      await admin.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
        group: ETCD_GROUP,
        version: ETCD_RESTORE.version,
        plural: ETCD_RESTORE.plural,
        namespace,
        name: 'restored',
      }),
    );
    assert.deepEqual(restore.spec.source.backup, { name: 'main-nightly', snapshot: 'main-nightly-20261205-030000' });
    assert.equal(restore.spec.cluster.name, 'restored');
    assert.equal(restore.spec.cluster.spec.size, 5);
    await context.close();
  });

  it('create: the form refuses a bad size with zod’s message, and shows the API server’s own refusal', async () => {
    const { context, page } = await signIn(operator.token);
    await page.goto('/etcd');
    await page.locator('summary', { hasText: 'Create an etcd cluster' }).click();
    const posts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') posts.push(request.url());
    });
    const form = page.getByRole('form', { name: 'Create an etcd cluster' });
    await form.getByLabel('Namespace', { exact: true }).fill(namespace);
    await form.getByLabel('Name', { exact: true }).fill('second');
    await form.getByLabel('Size (members)').fill('8');
    await form.getByRole('button', { name: 'Create' }).click();
    await textReads(page, '[data-testid="create-errors"]', 'spec.size: must be from 1 to 7');
    assert.deepEqual(posts, [], 'nothing was sent');

    // Valid for zod, but the name is taken: the API server says so, and the page shows its words.
    await form.getByLabel('Name', { exact: true }).fill('main');
    await form.getByLabel('Size (members)').fill('3');
    await form.getByRole('button', { name: 'Create' }).click();
    await textReads(
      page,
      '[data-testid="create-errors"]',
      `create etcdclusters.etcd.strata.dev ${namespace}/main: the API server answered HTTP 409: etcdclusters.etcd.strata.dev "main" already exists`,
    );
    assert.equal(posts.length, 1);

    await form.getByLabel('Name', { exact: true }).fill('second');
    await form.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(`**/etcd/${namespace}/second`);
    assert.equal((await readCluster('second')).spec.size, 3);
    await textReads(page, '[data-testid="cluster-state"]', `EtcdCluster ${namespace}/second`);
    await context.close();
  });

  it('a restricted user sees no actions, and forced requests get the API server’s 403', async () => {
    const { context, page } = await signIn(viewer.token);
    await page.goto('/etcd');
    await textReads(page, `${clusterSection('main')} [data-field="phase"]`, 'Running');
    assert.equal(await page.getByText('Create an etcd cluster').count(), 0);
    await page.goto(`/etcd/${namespace}/main`);
    await page.locator('section[data-backup="main-nightly"]').waitFor();
    assert.equal(await page.getByRole('button', { name: /Scale|Back up now/ }).count(), 0);
    assert.equal(await page.getByRole('heading', { name: /Back up now|Restore/ }).count(), 0);
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'etcd-cluster-restricted.png'), fullPage: true });

    const scale = await forcedRequest(page, 'PATCH', `/api/etcd/clusters/${namespace}/main`, { size: 1 });
    assert.equal(scale.status, 403);
    assert.match(
      JSON.stringify(scale.body),
      /cannot patch resource \\"etcdclusters\\" in API group \\"etcd.strata.dev\\"/,
    );
    const backup = await forcedRequest(page, 'POST', `/api/etcd/clusters/${namespace}/main/backups`, {
      destination: { pvc: { claimName: 'etcd-backups' } },
    });
    assert.equal(backup.status, 403);
    assert.match(JSON.stringify(backup.body), /cannot create resource \\"etcdbackups\\"/);
    const create = await forcedRequest(page, 'POST', '/api/etcd/clusters', {
      namespace,
      name: 'third',
      spec: { size: 1, version: '3.6.16', storage: { emptyDir: {} } },
    });
    assert.equal(create.status, 403);
    const restore = await forcedRequest(page, 'POST', `/api/etcd/clusters/${namespace}/main/restores`, {
      backup: 'main-nightly',
      snapshot: 'main-nightly-20261205-030000',
      cluster: 'stolen',
    });
    assert.equal(restore.status, 403);
    assert.match(JSON.stringify(restore.body), /cannot create resource \\"etcdrestores\\"/);
    assert.equal((await readCluster('main')).spec.size, 5);
    assert.equal((await listBackups()).filter((item) => item.metadata.name.startsWith('main-now-')).length, 1);
    await context.close();
  });

  it('the Overview shows etcd health, the OS versions chart and warning Events, live', async () => {
    const { context, page } = await signIn(operator.token);
    await page.goto('/overview');
    await textReads(page, '[data-testid="control-plane-etcd"]', "The control plane's etcd is healthy");
    await textReads(page, `tr[data-cluster="${namespace}/main"] td[data-column="phase"]`, 'Running');
    await textReads(
      page,
      `tr[data-cluster="${namespace}/main"] td[data-column="conditions"]`,
      'Available=True, Degraded=False',
    );
    await textReads(page, `tr[data-version="${OLD_VERSION}"] td[data-column="nodes"]`, '2');
    // Recharts drew the chart.
    const chart = page.locator('[role="img"][aria-label^="Nodes per OS version"] svg.recharts-surface');
    await chart.waitFor();
    assert.equal(await chart.count(), 1);
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'overview-complete.png'), fullPage: true });

    // One node updated: the chart's table follows.
    const [first] = nodeNames;
    assert.ok(first !== undefined);
    await patchNodeMetadata(admin, first, { labels: { [LABELS.version]: NEW_VERSION } });
    await textReads(page, `tr[data-version="${OLD_VERSION}"] td[data-column="nodes"]`, '1');
    await textReads(page, `tr[data-version="${NEW_VERSION}"] td[data-column="nodes"]`, '1');

    // A warning Event appears as it is recorded.
    const eventName = uniqueName('etcd-warning');
    const now = new Date();
    await admin.makeApiClient(CoreV1Api).createNamespacedEvent({
      namespace,
      body: {
        metadata: { name: eventName, namespace },
        involvedObject: { kind: 'EtcdCluster', name: 'main', namespace, apiVersion: ETCD_CLUSTER.apiVersion },
        type: 'Warning',
        reason: 'MemberUnhealthy',
        message: 'main-0 does not answer',
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
        source: { component: 'etcd-operator' },
      },
    });
    await textReads(page, `tr[data-event="${eventName}"] td[data-column="reason"]`, 'MemberUnhealthy');
    await textReads(page, `tr[data-event="${eventName}"] td[data-column="object"]`, 'EtcdCluster/main');
    // The etcd cluster changes phase: the Overview follows too.
    await writeEtcdClusterStatus(admin, namespace, 'main', { ...runningStatus(['main-0']), phase: 'Degraded' });
    await textReads(page, `tr[data-cluster="${namespace}/main"] td[data-column="phase"]`, 'Degraded');
    await context.close();
  });
});
