// The endpoint over real HTTP(S) with a real SQLite store: what update_engine
// sends, what it gets back, and what the server records.
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { goldenVector as fixture } from '@strata/omaha/testing';
import { aServingCertificate } from '../testing/serving-certificate.ts';
import { openSqliteStore } from '../store/sqlite-store.ts';
import { aCatalog, anOmahaRequest } from '../testing/builders.ts';
import { postOmaha, readAsUpdateEngine } from '../testing/omaha-client.ts';
import { startTestUpdateServer, type TestUpdateServer } from '../testing/test-server.ts';

const golden = { machineId: '8c2a9b6a3f0e4d1c9b7a5e3d1c0f2a4b' };

describe('update server over HTTP', () => {
  let server: TestUpdateServer;
  before(
    async () =>
      (server = await startTestUpdateServer({ store: openSqliteStore({ path: ':memory:' }), catalog: aCatalog() })),
  );
  after(async () => {
    await server.close();
    await server.store.close();
  });

  it('answers the golden update check with a grant update_engine accepts', async () => {
    const answer = await postOmaha(server.url, fixture('update-check.request.xml'));
    assert.equal(answer.status, 200);
    assert.match(String(answer.headers['content-type']), /^text\/xml/);
    const view = readAsUpdateEngine(answer.body);
    assert.equal(view.updateCheckStatus, 'ok');
    assert.equal(view.offer?.version, '3374.2.1');
    assert.equal(view.eventAcks, 1);
  });

  it('records the events of an update, in order, to completion', async () => {
    // Granted (again, if the test before ran): a machine in progress gets the same grant without a second entry.
    assert.equal(
      readAsUpdateEngine((await postOmaha(server.url, fixture('update-check.request.xml'))).body).updateCheckStatus,
      'ok',
    );
    await postOmaha(server.url, fixture('download-started.request.xml'));
    await postOmaha(
      server.url,
      anOmahaRequest({
        machineId: golden.machineId,
        updateCheck: false,
        ping: false,
        events: [{ type: 14, result: 1 }],
      }),
    );
    await postOmaha(
      server.url,
      anOmahaRequest({
        machineId: golden.machineId,
        updateCheck: false,
        ping: false,
        events: [{ type: 3, result: 1 }],
      }),
    );
    const after = readAsUpdateEngine((await postOmaha(server.url, fixture('updated.request.xml'))).body);
    assert.equal(after.updateCheckStatus, 'noupdate', 'the machine runs the release now');
    assert.equal(after.appStatus, 'ok');
    const history = await server.store.history(golden.machineId);
    assert.deepEqual(
      history.map(({ state }) => state),
      ['granted', 'downloading', 'downloaded', 'installed', 'complete'],
    );
  });

  it('answers an unknown track with noupdate and the reason, never an error status', async () => {
    const view = readAsUpdateEngine(
      (await postOmaha(server.url, anOmahaRequest({ track: 'nobody', machineId: 'u1' }))).body,
    );
    assert.equal(view.updateCheckStatus, 'noupdate');
    assert.equal(view.appStatus, 'unknown-group');
    assert.equal((await server.store.machine('u1'))?.holdReason, 'unknown-group');
  });

  it('answers an unknown application with Omaha error-unknownApplication', async () => {
    const answer = await postOmaha(server.url, anOmahaRequest({ appId: '{00000000-0000-0000-0000-000000000000}' }));
    assert.equal(answer.status, 200);
    assert.equal(readAsUpdateEngine(answer.body).appStatus, 'error-unknownApplication');
  });

  it('serves a request whose track holds unescaped quotes', async () => {
    server.setCatalog(aCatalog({ track: 'team "blue"' }));
    try {
      const view = readAsUpdateEngine((await postOmaha(server.url, fixture('unescaped-quotes.request.xml'))).body);
      assert.equal(view.updateCheckStatus, 'ok');
    } finally {
      server.setCatalog(aCatalog());
    }
  });

  it('answers /v1/update without the slash directly: no redirect', async () => {
    const answer = await postOmaha(server.url.replace(/\/$/, ''), anOmahaRequest({ machineId: 'r1' }));
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['location'], undefined);
  });

  it('never compresses, even when asked', async () => {
    const answer = await postOmaha(server.url, anOmahaRequest({ machineId: 'z1' }), {
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-encoding'], undefined);
  });

  it('refuses other methods and paths with a 4xx and no redirect', async () => {
    const get = await postOmaha(server.url, '', { method: 'GET' });
    assert.equal(get.status, 405);
    assert.equal(get.headers['allow'], 'POST');
    assert.equal((await postOmaha(server.url.replace('/v1/update/', '/v1/other'), anOmahaRequest())).status, 404);
  });

  it('refuses a malformed body with 400 and an oversized one with 413', async () => {
    assert.equal((await postOmaha(server.url, '<request')).status, 400);
    assert.equal((await postOmaha(server.url, 'x'.repeat(64 * 1024))).status, 413);
  });

  it('answers 503, not a crash, when its store fails, and names no machine data', async () => {
    const broken = await startTestUpdateServer({ store: openSqliteStore({ path: ':memory:' }), catalog: aCatalog() });
    await broken.store.close();
    try {
      const answer = await postOmaha(broken.url, anOmahaRequest({ machineId: 's1' }));
      assert.equal(answer.status, 503);
      assert.doesNotMatch(answer.body, /s1/);
    } finally {
      await broken.close();
    }
  });
});

describe('update server over HTTPS', () => {
  let server: TestUpdateServer;
  let caPem = '';
  before(async () => {
    const serving = await aServingCertificate();
    caPem = serving.caPem;
    server = await startTestUpdateServer({
      store: openSqliteStore({ path: ':memory:' }),
      catalog: aCatalog(),
      tls: { certPem: serving.certPem, keyPem: serving.keyPem },
    });
  });
  after(async () => {
    await server.close();
    await server.store.close();
  });

  it('serves the endpoint on https with the given certificate', async () => {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+\/v1\/update\/$/);
    const body = anOmahaRequest({ machineId: 't1' });
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = httpsRequest(
        server.url,
        { method: 'POST', ca: caPem, headers: { 'content-length': Buffer.byteLength(body) } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
          );
        },
      );
      request.on('error', reject);
      request.end(body);
    });
    assert.equal(answer.status, 200);
    assert.equal(readAsUpdateEngine(answer.text).updateCheckStatus, 'ok');
  });
});
