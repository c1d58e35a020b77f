// The JSON API against a real API server: real ServiceAccount tokens, reviewed
// by TokenReview, and RBAC deciding every action through SubjectAccessReview.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CustomObjectsApi, type V1PolicyRule } from '@kubernetes/client-node';
import {
  UPDATE_CHANNEL,
  UPDATE_GROUP,
  UPDATE_RELEASE,
  updateChannelSpecSchema,
  updateGroupSpecSchema,
} from '@strata/api';
import { sharedControlPlane, uniqueName, waitFor } from '@strata/harness';
import { z } from 'zod';
import { startApiUpdateServer, type ApiUpdateServer } from '../testing/api-server.ts';
import { anOmahaRequest } from '../testing/builders.ts';
import { installUpdateServerCrds } from '../testing/crds.ts';
import { postOmaha, readAsUpdateEngine } from '../testing/omaha-client.ts';
import { followFeed, watchersReach } from '../testing/feed.ts';
import { aServiceAccountUser } from '../testing/service-account-user.ts';
import {
  aChannelResource,
  aGroupResource,
  aReleaseResource,
  createUpdateResource,
  forCreation,
} from '../testing/resources.ts';
import { UpdateApiClient, UpdateFeedRefusedError, type FeedEvent } from './client.ts';
import { MAX_API_BODY_BYTES } from './schemas.ts';

const cluster = await sharedControlPlane();
const kubeConfig = cluster.adminKubeConfig();
const customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
const NAMESPACE = 'default';

const errorBody = z.object({
  error: z.object({ code: z.number(), reason: z.string(), message: z.string(), field: z.string().optional() }),
});
const groupBody = z.object({
  name: z.string(),
  paused: z.boolean(),
  machines: z.number(),
  versions: z.array(z.object({ version: z.string(), machines: z.number() })),
  rollout: z.object({ version: z.string(), inProgress: z.number(), completed: z.number() }).nullable(),
});
const machinesBody = z.object({
  items: z.array(z.object({ machineId: z.string(), state: z.string().nullable(), currentVersion: z.string() })),
  continue: z.string().nullable(),
});

describe('the update server JSON API against a real API server', () => {
  const suffix = uniqueName('api');
  const names = { release: `${suffix}-r1`, next: `${suffix}-r2`, channel: `${suffix}-ch`, group: `${suffix}-g` };
  const track = `${suffix}-track`;
  const cleanups: (() => Promise<unknown>)[] = [];
  let server: ApiUpdateServer;
  let caPem: string;
  let baseUrl: string;
  const tokens: Record<'viewer' | 'operator' | 'nobody', string> = { viewer: '', operator: '', nobody: '' };
  const client = (token: string) => new UpdateApiClient({ baseUrl, token, caPem });

  async function serviceAccount(role: keyof typeof tokens, rules: V1PolicyRule[]): Promise<void> {
    const user = await aServiceAccountUser(kubeConfig, { namespace: NAMESPACE, name: `${suffix}-${role}`, rules });
    cleanups.push(() => user.remove());
    tokens[role] = user.token;
  }

  async function create(
    kind: typeof UPDATE_RELEASE | typeof UPDATE_CHANNEL | typeof UPDATE_GROUP,
    object: ReturnType<typeof forCreation>,
  ) {
    cleanups.push(await createUpdateResource(kubeConfig, kind, object));
  }

  async function specOf(kind: typeof UPDATE_CHANNEL | typeof UPDATE_GROUP, name: string): Promise<unknown> {
    const object: unknown = await customObjects.getClusterCustomObject({
      group: kind.group,
      version: kind.version,
      plural: kind.plural,
      name,
    });
    return z.object({ spec: z.unknown() }).parse(object).spec;
  }

  async function check(machine: string, version = '3374.2.0') {
    const body = anOmahaRequest({ track, machineId: `${suffix}-${machine}`, version });
    const answer = await fetchOmaha(body);
    return readAsUpdateEngine(answer);
  }

  async function fetchOmaha(body: string): Promise<string> {
    return (await postOmaha(server.omahaUrl, body, { ca: server.caPem })).body;
  }

  before(async () => {
    await installUpdateServerCrds(kubeConfig);
    const readOnly: V1PolicyRule = {
      apiGroups: [UPDATE_GROUP.group],
      resources: ['updategroups', 'updatechannels'],
      verbs: ['get', 'list'],
    };
    await serviceAccount('viewer', [readOnly]);
    await serviceAccount('operator', [
      readOnly,
      { apiGroups: [UPDATE_GROUP.group], resources: ['updategroups', 'updatechannels'], verbs: ['patch'] },
    ]);
    await serviceAccount('nobody', []);
    await create(UPDATE_RELEASE, forCreation(aReleaseResource(names.release, { version: '3374.2.1' })));
    await create(UPDATE_RELEASE, forCreation(aReleaseResource(names.next, { version: '3374.3.0' })));
    await create(UPDATE_CHANNEL, forCreation(aChannelResource(names.channel, names.release)));
    await create(
      UPDATE_GROUP,
      forCreation(aGroupResource(names.group, { track, channel: names.channel, policy: { maxInProgress: 2 } })),
    );

    server = await startApiUpdateServer({
      kubeConfig,
      name: suffix,
      leaseNamespace: NAMESPACE,
      // Small enough for the feed's test to reach; no other test here watches.
      feed: { maxWatchers: 2, flushMs: 100 },
    });
    caPem = server.caPem;
    baseUrl = server.baseUrl;
    await waitFor(
      'the group in the catalog',
      () => server.catalog().groupByTrack.get(track)?.channel === names.channel || undefined,
    );
    for (const machine of ['m1', 'm2', 'm3']) await check(machine);
  });

  after(async () => {
    await server.close();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it('refuses a request without a token, or with a token the API server does not accept, with 401', async () => {
    const missing = await client('').get('/groups');
    assert.equal(missing.status, 401);
    assert.match(errorBody.parse(missing.body).error.message, /bearer token is required/);
    const forged = await client('not-a-real-token').get('/groups');
    assert.equal(forged.status, 401);
    assert.equal(errorBody.parse(forged.body).error.reason, 'Unauthorized');
    await assert.rejects(followFeed(client('')).ended, { name: 'UpdateFeedRefusedError', status: 401 });
    await assert.rejects(followFeed(client('not-a-real-token')).ended, { status: 401 });
  });

  it('refuses what RBAC does not allow with 403 naming the user and the action', async () => {
    const answer = await client(tokens.nobody).get('/groups');
    assert.equal(answer.status, 403);
    assert.match(
      errorBody.parse(answer.body).error.message,
      new RegExp(
        `system:serviceaccount:${NAMESPACE}:${suffix}-nobody may not list updategroups\\.update\\.strata\\.dev`,
      ),
    );
    const pause = await client(tokens.viewer).post(`/groups/${names.group}/pause`);
    assert.equal(pause.status, 403);
    assert.match(errorBody.parse(pause.body).error.message, /may not patch updategroups\.update\.strata\.dev/);
    await assert.rejects(followFeed(client(tokens.nobody)).ended, {
      status: 403,
      message: new RegExp(`${suffix}-nobody may not list updategroups`),
    });
  });

  it('shows each group’s version breakdown and rollout progress to a viewer', async () => {
    const answer = await waitFor('the viewer’s role to apply', async () => {
      const each = await client(tokens.viewer).get(`/groups/${names.group}`);
      return each.status === 200 ? each : undefined;
    });
    const group = groupBody.parse(answer.body);
    assert.equal(group.machines, 3);
    assert.deepEqual(group.versions, [{ version: '3374.2.0', machines: 3 }]);
    assert.equal(group.rollout?.version, '3374.2.1');
    assert.equal(group.rollout?.inProgress, 2, 'the concurrency limit of 2 granted two of three');
    const list = await client(tokens.viewer).get('/groups');
    assert.equal(list.status, 200);
    assert.ok(
      z
        .object({ items: z.array(groupBody) })
        .parse(list.body)
        .items.some(({ name }) => name === names.group),
    );
    const channels = await client(tokens.viewer).get('/channels');
    assert.ok(
      z
        .object({ items: z.array(z.object({ name: z.string(), version: z.string().nullable() })) })
        .parse(channels.body)
        .items.some(({ name, version }) => name === names.channel && version === '3374.2.1'),
    );
  });

  it('pages and filters machines, and shows a machine’s timeline', async () => {
    const first = machinesBody.parse((await client(tokens.viewer).get(`/machines?group=${names.group}&limit=2`)).body);
    assert.equal(first.items.length, 2);
    assert.ok(first.continue !== null);
    const second = machinesBody.parse(
      (await client(tokens.viewer).get(`/machines?group=${names.group}&limit=2&continue=${first.continue}`)).body,
    );
    assert.deepEqual(
      [...first.items, ...second.items].map(({ machineId }) => machineId),
      ['m1', 'm2', 'm3'].map((machine) => `${suffix}-${machine}`),
    );
    assert.equal(second.continue, null);
    const held = machinesBody.parse(
      (await client(tokens.viewer).get(`/machines?group=${names.group}&state=on-hold`)).body,
    );
    assert.deepEqual(
      held.items.map(({ machineId }) => machineId),
      [`${suffix}-m3`],
    );

    const timeline = await client(tokens.viewer).get(`/machines/${suffix}-m1`);
    assert.equal(timeline.status, 200);
    const parsed = z
      .object({ group: z.string().nullable(), timeline: z.array(z.object({ state: z.string(), version: z.string() })) })
      .parse(timeline.body);
    assert.equal(parsed.group, names.group);
    assert.deepEqual(parsed.timeline, [{ state: 'granted', version: '3374.2.1' }]);
    assert.equal((await client(tokens.viewer).get(`/machines/${suffix}-never`)).status, 404);
  });

  it('answers bad queries and bodies with 400 naming the field, and oversized bodies with 413', async () => {
    const limit = await client(tokens.viewer).get(`/machines?group=${names.group}&limit=0`);
    assert.equal(limit.status, 400);
    assert.equal(errorBody.parse(limit.body).error.field, 'limit');
    const token = await client(tokens.viewer).get(`/machines?continue=@@@`);
    assert.equal(errorBody.parse(token.body).error.field, 'continue');
    const unknown = await client(tokens.viewer).get(`/machines?colour=red`);
    assert.equal(unknown.status, 400);
    const neither = await client(tokens.operator).post(`/channels/${names.channel}/promote`, {});
    assert.equal(neither.status, 400);
    assert.equal(errorBody.parse(neither.body).error.field, 'release');
    const badVersion = await client(tokens.operator).post(`/channels/${names.channel}/promote`, { version: 'latest' });
    assert.equal(errorBody.parse(badVersion.body).error.field, 'version');
    const notJson = await client(tokens.operator).request('POST', `/groups/${names.group}/pause`, '{pause');
    assert.equal(notJson.status, 400);
    const huge = await client(tokens.operator).request(
      'POST',
      `/groups/${names.group}/pause`,
      `{"x":"${'a'.repeat(MAX_API_BODY_BYTES)}"}`,
    );
    assert.equal(huge.status, 413);
    const missingRelease = await client(tokens.operator).post(`/channels/${names.channel}/promote`, {
      version: '9999.0.0',
    });
    assert.equal(missingRelease.status, 422);
    assert.equal(errorBody.parse(missingRelease.body).error.field, 'version');
  });

  it('pauses and resumes a group by writing its spec, which the Omaha endpoint obeys', async () => {
    const paused = await waitFor('the operator’s role to apply', async () => {
      const each = await client(tokens.operator).post(`/groups/${names.group}/pause`);
      return each.status === 200 ? each : undefined;
    });
    assert.deepEqual(paused.body, { name: names.group, paused: true });
    assert.equal(updateGroupSpecSchema.parse(await specOf(UPDATE_GROUP, names.group)).policy.enabled, false);
    await waitFor(
      'the catalog to see the pause',
      () => server.catalog().groupByTrack.get(track)?.policy.enabled === false || undefined,
    );
    assert.equal((await check('m4')).appStatus, 'updates-disabled');

    assert.equal((await client(tokens.operator).post(`/groups/${names.group}/resume`)).status, 200);
    assert.equal(updateGroupSpecSchema.parse(await specOf(UPDATE_GROUP, names.group)).policy.enabled, true);
  });

  it('promotes a release to a channel by writing the channel, and machines are offered it', async () => {
    const answer = await client(tokens.operator).post(`/channels/${names.channel}/promote`, { version: '3374.3.0' });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { channel: names.channel, release: names.next, version: '3374.3.0' });
    assert.equal(updateChannelSpecSchema.parse(await specOf(UPDATE_CHANNEL, names.channel)).release, names.next);
    await waitFor(
      'the catalog to offer 3374.3.0',
      () => server.catalog().channelByName.get(names.channel)?.release?.version === '3374.3.0' || undefined,
    );
    const rollout = groupBody
      .pick({ name: true, rollout: true })
      .parse((await client(tokens.viewer).get(`/groups/${names.group}/rollout`)).body);
    assert.equal(rollout.rollout?.version, '3374.3.0');
  });

  it('tells a watcher of a promotion and of a check as they happen, refuses one past its limit, forgets one that goes', async () => {
    const changed = (
      event: FeedEvent,
      matches: (change: Extract<FeedEvent, { type: 'change' }>['change']) => boolean,
    ) => event.type === 'change' && matches(event.change);
    const watcher = followFeed(client(tokens.viewer));
    await watcher.next('ready', (event) => event.type === 'ready');
    const promoted = await client(tokens.operator).post(`/channels/${names.channel}/promote`, {
      release: names.release,
    });
    assert.equal(promoted.status, 200);
    await watcher.next('the promotion', (event) =>
      changed(event, (change) => change.channels.includes(names.channel) && change.groups.includes(names.group)),
    );
    const from = watcher.events.length;
    await check('m5');
    await watcher.next(
      'the check',
      (event) =>
        changed(
          event,
          (change) => change.machines?.includes(`${suffix}-m5`) === true && change.groups.includes(names.group),
        ),
      from,
    );

    const second = followFeed(client(tokens.viewer));
    await second.next('ready', (event) => event.type === 'ready');
    await assert.rejects(
      followFeed(client(tokens.viewer)).ended,
      (error) => error instanceof UpdateFeedRefusedError && error.status === 503 && error.retryAfterSeconds === 5,
    );
    watcher.stop();
    second.stop();
    await watchersReach(server.feed, 0);
  });
});
