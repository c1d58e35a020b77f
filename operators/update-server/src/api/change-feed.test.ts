// The change feed on a real HTTP server, read by the real client: coalescing, resume and resync, heartbeats, and a
// watcher that goes being forgotten. The JSON API's integration test has it behind TokenReview and RBAC.
import assert from 'node:assert/strict';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { ApiRequestError } from '../errors.ts';
import { followFeed, watchersReach } from '../testing/feed.ts';
import { ChangeFeed, type ChangeFeedOptions } from './change-feed.ts';
import { UpdateApiClient, type FeedEvent } from './client.ts';

interface Served {
  readonly feed: ChangeFeed;
  readonly client: UpdateApiClient;
  readonly url: string;
}

const servers: Server[] = [];
after(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

/** A feed behind a bare HTTP server (no auth: the JSON API adds it), and a client of it. */
async function served(options: ChangeFeedOptions = {}): Promise<Served> {
  const feed = new ChangeFeed(options);
  const server = createServer((request, response) => {
    try {
      feed.open(request, response);
    } catch (error) {
      if (!(error instanceof ApiRequestError)) throw error;
      response.writeHead(error.status).end();
    }
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  after(() => {
    feed.close();
    server.closeAllConnections();
  });
  return { feed, url, client: new UpdateApiClient({ baseUrl: url, token: 'unused' }) };
}

const isChange = (event: FeedEvent) => event.type === 'change';
const changes = (events: readonly FeedEvent[]) =>
  events.flatMap((event) => (event.type === 'change' ? [event.change] : []));

describe('the change feed', () => {
  it('makes a burst one event: a thousand machines are "many", a few are named, with their groups', async () => {
    const { feed, client } = await served({ flushMs: 100, maxMachinesPerEvent: 256 });
    const followed = followFeed(client);
    await followed.next('ready', (event) => event.type === 'ready');
    for (let index = 0; index < 1000; index += 1) feed.machineChanged(`m-${index}`, 'workers');
    await followed.next('the burst', isChange);
    feed.machineChanged('m-1', 'workers');
    feed.machineChanged('m-2', undefined);
    feed.machineChanged('m-1', 'workers');
    const before = followed.events.length;
    await followed.next('the few', isChange, before);
    assert.deepEqual(changes(followed.events), [
      { sequence: 1, groups: ['workers'], channels: [], machines: null },
      { sequence: 2, groups: ['workers'], channels: [], machines: ['m-1', 'm-2'] },
    ]);
    followed.stop();
  });

  it('sends a client that resumes what it missed, and tells one it cannot resume to re-read', async () => {
    const { feed, client } = await served({ flushMs: 20, retainedEvents: 2 });
    const first = followFeed(client);
    const ready = await first.next('ready', (event) => event.type === 'ready');
    first.stop();
    await watchersReach(feed, 0);
    // Another watcher sees the events the first one misses while it is away.
    const witness = followFeed(client);
    await witness.next('ready', (event) => event.type === 'ready');
    feed.catalogChanged(['workers'], ['stable']);
    const promoted = await witness.next('the promotion', isChange);
    feed.machineChanged('m-1', 'workers');
    const checked = await witness.next('the check', isChange, witness.events.indexOf(promoted) + 1);

    const resumed = followFeed(client, ready.id);
    const resumedReady = await resumed.next('ready after the missed events', (event) => event.type === 'ready');
    assert.deepEqual(resumed.events, [promoted, checked, resumedReady], 'exactly what was missed, in order');
    assert.equal(resumedReady.id, checked.id, 'ready names the last event');

    const upToDate = followFeed(client, checked.id);
    const foreign = followFeed(client, 'another-process.1');
    const resync = await foreign.next('resync', (event) => event.type === 'resync');
    assert.match(resync.type === 'resync' ? resync.reason : '', /not of this server process/);
    feed.machineChanged('m-2', undefined);
    const third = await witness.next('a third change', isChange, witness.events.indexOf(checked) + 1);
    await upToDate.next('the third change', (event) => event.id === third.id);
    assert.deepEqual(
      upToDate.events.map(({ type }) => type),
      ['ready', 'change'],
      'a client that missed nothing gets nothing again',
    );

    // Two events are kept: after the third, the one before the first promotion is too old to resume from.
    const tooOld = followFeed(client, ready.id);
    const gone = await tooOld.next('resync', (event) => event.type === 'resync');
    assert.match(gone.type === 'resync' ? gone.reason : '', /no longer kept/);
    for (const followed of [witness, resumed, upToDate, foreign, tooOld]) followed.stop();
    await watchersReach(feed, 0);
  });

  it('sends heartbeats, forgets a watcher that goes, and ends the streams when it closes', async () => {
    const { feed, url, client } = await served({ heartbeatMs: 30 });
    const raw = get(`${url}/api/v1/watch`);
    const heartbeat = await new Promise<string>((resolve, reject) => {
      raw.on('error', reject);
      raw.on('response', (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
          if (text.includes(': heartbeat\n\n')) resolve(text);
        });
      });
    });
    assert.match(heartbeat, /^event: ready\n/);
    assert.equal(feed.watchers, 1);
    raw.destroy();
    await watchersReach(feed, 0);
    const followed = followFeed(client);
    await followed.next('ready', (event) => event.type === 'ready');
    feed.close();
    assert.deepEqual(await followed.ended, { lastEventId: followed.events[0]?.id });
    await watchersReach(feed, 0);
  });

  it('disconnects a watcher that does not read once its unsent output passes the bound', async () => {
    const { feed, url, client } = await served({ flushMs: 1, maxBufferedBytes: 64 * 1024 });
    const stalled = get(`${url}/api/v1/watch`);
    stalled.on('error', () => undefined);
    // It reads nothing after the headers: the kernel's buffers fill, then the server's.
    await new Promise<void>((resolve) => stalled.on('response', (response) => (response.pause(), resolve())));
    const reader = followFeed(client);
    await reader.next('ready', (event) => event.type === 'ready');
    let removed = false;
    void watchersReach(feed, 1, 60_000).then(() => (removed = true));
    // Each event names 256 machines of 200 characters: about 50 KiB.
    let rounds = 0;
    for (; rounds < 400 && !removed; rounds += 1) {
      const from = reader.events.length;
      for (let index = 0; index < 256; index += 1)
        feed.machineChanged(`${rounds}-${index}-`.padEnd(200, 'x'), undefined);
      await reader.next(`change ${rounds}`, isChange, from);
    }
    assert.ok(removed, `the stalled watcher is still there after ${rounds} events of about 50 KiB`);
    assert.equal(feed.watchers, 1, 'the reader stays');
    reader.stop();
    await watchersReach(feed, 0);
  });

  it('refuses watchers past its limit', async () => {
    const { feed, client } = await served({ maxWatchers: 1 });
    const one = followFeed(client);
    await one.next('ready', (event) => event.type === 'ready');
    await assert.rejects(followFeed(client).ended, { name: 'UpdateFeedRefusedError', status: 503 });
    one.stop();
    await watchersReach(feed, 0);
  });
});
