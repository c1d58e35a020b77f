// The control side against a real API server: the catalog follows the custom
// resources, the leader writes status and Events, and an unresolved reference
// is a condition naming the field.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CustomObjectsApi, EventsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { UPDATE_CHANNEL, UPDATE_GROUP, UPDATE_RELEASE, updateGroupStatusSchema } from '@strata/api';
import { sharedControlPlane, uniqueName, waitFor } from '@strata/harness';
import { startUpdateServer, type RunningUpdateServer } from '../server/update-server.ts';
import { openSqliteStore } from '../store/sqlite-store.ts';
import type { UpdateStore } from '../store/store.ts';
import { anOmahaRequest } from '../testing/builders.ts';
import { installUpdateServerCrds } from '../testing/crds.ts';
import { postOmaha, readAsUpdateEngine } from '../testing/omaha-client.ts';
import {
  aChannelResource,
  aGroupResource,
  aReleaseResource,
  forCreation,
  type GroupResourceOptions,
} from '../testing/resources.ts';
import { parseResource, updateChannelResourceSchema } from './resources.ts';
import { startUpdateServerController, type RunningUpdateServerController } from './run-controller.ts';

const cluster = await sharedControlPlane();
const kubeConfig: KubeConfig = cluster.adminKubeConfig();
const customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
const eventsApi = kubeConfig.makeApiClient(EventsV1Api);

type Kind = typeof UPDATE_RELEASE | typeof UPDATE_CHANNEL | typeof UPDATE_GROUP;
const created: { kind: Kind; name: string }[] = [];

async function create(kind: Kind, object: { metadata: { name: string } }): Promise<void> {
  await customObjects.createClusterCustomObject({
    group: kind.group,
    version: kind.version,
    plural: kind.plural,
    body: object,
  });
  created.push({ kind, name: object.metadata.name });
}

async function groupStatus(name: string) {
  const object: unknown = await customObjects.getClusterCustomObject({
    group: UPDATE_GROUP.group,
    version: UPDATE_GROUP.version,
    plural: UPDATE_GROUP.plural,
    name,
  });
  const status = (object as { status?: unknown }).status;
  return status === undefined ? undefined : updateGroupStatusSchema.parse(status);
}

async function eventsAbout(name: string) {
  const list = await eventsApi.listNamespacedEvent({ namespace: 'default', fieldSelector: `regarding.name=${name}` });
  return list.items.map((event) => ({ type: event.type, reason: event.reason, note: event.note ?? '' }));
}

describe('the update server controller against a real API server', () => {
  let directory: string;
  let store: UpdateStore;
  let running: RunningUpdateServerController;
  let server: RunningUpdateServer;
  const stop = new AbortController();
  const suffix = uniqueName('u');
  const names = { release: `${suffix}-r1`, next: `${suffix}-r2`, channel: `${suffix}-ch`, group: `${suffix}-g` };
  const track = `${suffix}-track`;
  const groupOptions = (options: GroupResourceOptions = {}) => ({ track, channel: names.channel, ...options });

  before(async () => {
    await installUpdateServerCrds(kubeConfig);
    directory = await mkdtemp(join(tmpdir(), 'update-controller-'));
    store = openSqliteStore({ path: join(directory, 'updates.db') });
    running = await startUpdateServerController({
      kubeConfig,
      store,
      identity: `${suffix}-replica`,
      leaseNamespace: 'default',
      leaseName: `${suffix}-lease`,
      signal: stop.signal,
      statusResyncMs: 300,
      leaseDurationSeconds: 3,
      renewDeadlineMs: 2000,
      retryPeriodMs: 250,
    });
    server = await startUpdateServer({ host: '127.0.0.1', port: 0, store, catalog: () => running.catalog() });
  });

  after(async () => {
    stop.abort();
    await running.stopped;
    await server.close();
    await store.close();
    await rm(directory, { recursive: true, force: true });
    for (const { kind, name } of created.reverse())
      await customObjects
        .deleteClusterCustomObject({ group: kind.group, version: kind.version, plural: kind.plural, name })
        .catch(() => undefined);
  });

  it('serves a group as soon as its resources exist, and counts its rollout in the status', async () => {
    await create(UPDATE_RELEASE, forCreation(aReleaseResource(names.release, { version: '3374.2.1' })));
    await create(UPDATE_CHANNEL, forCreation(aChannelResource(names.channel, names.release)));
    await create(
      UPDATE_GROUP,
      forCreation(aGroupResource(names.group, groupOptions({ policy: { maxInProgress: 5 } }))),
    );
    await waitFor('the catalog to hold the group', () => running.catalog().groupByTrack.get(track));

    const answer = await postOmaha(
      server.url,
      anOmahaRequest({ track, machineId: `${suffix}-m1`, version: '3374.2.0' }),
    );
    assert.equal(answer.status, 200);
    const view = readAsUpdateEngine(answer.body);
    assert.equal(view.updateCheckStatus, 'ok');
    assert.equal(view.offer?.version, '3374.2.1');

    const status = await waitFor(
      'the group status to count the grant',
      async () => {
        const current = await groupStatus(names.group);
        return current?.rollout?.inProgress === 1 ? current : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 200 },
    );
    assert.equal(status.observedGeneration, 1);
    assert.equal(status.machines, 1);
    assert.deepEqual(status.versions, [{ version: '3374.2.0', machines: 1 }]);
    assert.equal(status.rollout?.version, '3374.2.1');
    assert.equal(status.conditions?.[0]?.status, 'True');
    assert.ok(running.isLeader());
    await waitFor('a RolloutStarted Event', async () =>
      (await eventsAbout(names.group)).find((event) => event.reason === 'RolloutStarted'),
    );
  });

  it('follows a promotion: the channel pointed at a newer release is offered at once', async () => {
    await create(UPDATE_RELEASE, forCreation(aReleaseResource(names.next, { version: '3374.3.0' })));
    const channel = parseResource(
      updateChannelResourceSchema,
      UPDATE_CHANNEL.kind,
      await customObjects.getClusterCustomObject({
        group: UPDATE_CHANNEL.group,
        version: UPDATE_CHANNEL.version,
        plural: UPDATE_CHANNEL.plural,
        name: names.channel,
      }),
    );
    await customObjects.replaceClusterCustomObject({
      group: UPDATE_CHANNEL.group,
      version: UPDATE_CHANNEL.version,
      plural: UPDATE_CHANNEL.plural,
      name: names.channel,
      body: { ...channel, spec: { release: names.next } },
    });
    await waitFor(
      'the catalog to offer 3374.3.0',
      () => running.catalog().channelByName.get(names.channel)?.release?.version === '3374.3.0' || undefined,
    );
    const answer = await postOmaha(
      server.url,
      anOmahaRequest({ track, machineId: `${suffix}-m2`, version: '3374.2.0' }),
    );
    assert.equal(readAsUpdateEngine(answer.body).offer?.version, '3374.3.0');
    await waitFor(
      'the group status to follow the new release',
      async () => ((await groupStatus(names.group))?.rollout?.version === '3374.3.0' ? true : undefined),
      { timeoutMs: 15_000, intervalMs: 200 },
    );
  });

  it('names the field of a reference that does not resolve, in a condition and a Warning Event', async () => {
    const lost = `${suffix}-lost`;
    await create(
      UPDATE_GROUP,
      forCreation(aGroupResource(lost, { track: `${suffix}-lost-track`, channel: `${suffix}-none` })),
    );
    const status = await waitFor(
      'the lost group to be marked unresolved',
      async () => {
        const current = await groupStatus(lost);
        return current?.conditions?.[0]?.status === 'False' ? current : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 200 },
    );
    const condition = status.conditions?.[0];
    assert.equal(condition?.reason, 'UnknownChannel');
    assert.match(condition?.message ?? '', new RegExp(`^spec\\.channel: UpdateChannel ${suffix}-none does not exist`));
    assert.equal(running.catalog().groupByTrack.get(`${suffix}-lost-track`), undefined);
    const warning = await waitFor('a Warning Event', async () =>
      (await eventsAbout(lost)).find((event) => event.type === 'Warning' && event.reason === 'UnknownChannel'),
    );
    assert.match(warning.note, /^spec\.channel:/);
    // A check on that track is held, with the reason update_engine ignores and people read.
    const answer = await postOmaha(
      server.url,
      anOmahaRequest({ track: `${suffix}-lost-track`, machineId: `${suffix}-m3`, version: '3374.2.0' }),
    );
    const view = readAsUpdateEngine(answer.body);
    assert.equal(view.updateCheckStatus, 'noupdate');
    assert.equal(view.appStatus, 'unknown-group');
  });
});
