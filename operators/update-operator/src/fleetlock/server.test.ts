import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { uniformDraws } from '../operator/test-fixtures.ts';
import { FLEETLOCK_ERROR_KINDS, FLEETLOCK_MAX_BODY_BYTES, type FleetLockClientParams } from './protocol.ts';
import {
  refuse,
  startFleetLockServer,
  type FleetLockAnswer,
  type FleetLockCaller,
  type FleetLockHandler,
  type RunningFleetLockServer,
} from './server.ts';

/** A handler that grants one id and refuses others, recording what reached it. */
class RecordingHandler implements FleetLockHandler {
  readonly calls: { endpoint: string; client: FleetLockClientParams }[] = [];
  readonly sources: string[] = [];
  failWith: Error | undefined;

  preReboot(client: FleetLockClientParams, caller: FleetLockCaller): Promise<FleetLockAnswer> {
    return this.#answer('pre-reboot', client, caller);
  }

  steadyState(client: FleetLockClientParams, caller: FleetLockCaller): Promise<FleetLockAnswer> {
    return this.#answer('steady-state', client, caller);
  }

  #answer(endpoint: string, client: FleetLockClientParams, caller: FleetLockCaller): Promise<FleetLockAnswer> {
    this.calls.push({ endpoint, client });
    this.sources.push(caller.source);
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    return Promise.resolve(
      client.id === 'known'
        ? { ok: true, message: `${endpoint} ok` }
        : refuse(422, 'unknown_client', `no node has FleetLock id ${client.id}`),
    );
  }
}

const HEADERS = { 'fleet-lock-protocol': 'true' };
const body = (id: string, group = 'default'): string => JSON.stringify({ client_params: { id, group } });

interface Reply {
  readonly status: number;
  readonly text: string;
}

async function post(
  server: RunningFleetLockServer,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {},
): Promise<Reply> {
  const response = await fetch(`${server.url}${path}`, {
    method: init.method ?? 'POST',
    headers: init.headers ?? HEADERS,
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  return { status: response.status, text: await response.text() };
}

function assertErrorBody(reply: Reply, status: number, kind: string): { kind: string; value: string } {
  assert.equal(reply.status, status, reply.text);
  const parsed = JSON.parse(reply.text) as { kind: string; value: string };
  assert.equal(parsed.kind, kind);
  assert.ok(typeof parsed.value === 'string' && parsed.value.length > 0, 'value is a non-empty description');
  assert.deepEqual(Object.keys(parsed).sort(), ['kind', 'value']);
  return parsed;
}

describe('FleetLock server', () => {
  const handler = new RecordingHandler();
  const answers: string[] = [];
  let server: RunningFleetLockServer;

  before(async () => {
    server = await startFleetLockServer({
      host: '127.0.0.1',
      port: 0,
      handler,
      onAnswer: (endpoint, outcome) => answers.push(`${endpoint}:${outcome}`),
    });
  });
  after(() => server.close());

  it('passes a well-formed pre-reboot and steady-state to the handler and answers 200', async () => {
    handler.calls.length = 0;
    const lock = await post(server, '/v1/pre-reboot', { body: body('known', 'workers') });
    assert.equal(lock.status, 200);
    const unlock = await post(server, '/v1/steady-state', { body: body('known') });
    assert.equal(unlock.status, 200);
    assert.deepEqual(handler.calls, [
      { endpoint: 'pre-reboot', client: { id: 'known', group: 'workers' } },
      { endpoint: 'steady-state', client: { id: 'known', group: 'default' } },
    ]);
    assert.ok(answers.includes('pre-reboot:ok'));
  });

  it("tells the handler the connection's source address, whatever forwarding headers claim", async () => {
    handler.sources.length = 0;
    const fromSeven = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(
        `${server.url}/v1/pre-reboot`,
        {
          method: 'POST',
          localAddress: '127.0.0.7',
          headers: { ...HEADERS, 'x-forwarded-for': '10.9.9.9', forwarded: 'for=10.9.9.9', 'x-real-ip': '10.9.9.9' },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      request.on('error', reject);
      request.end(body('known'));
    });
    assert.equal(fromSeven, 200);
    await post(server, '/v1/steady-state', { body: body('known') });
    assert.deepEqual(handler.sources, ['127.0.0.7', '127.0.0.1']);
  });

  it('accepts the pretty-printed body Zincati sends, without a content type', async () => {
    const pretty = JSON.stringify({ client_params: { id: 'known', group: 'default' } }, null, 2);
    assert.equal(
      (await post(server, '/v1/pre-reboot', { body: pretty, headers: { ...HEADERS, 'content-type': '' } })).status,
      200,
    );
  });

  it("passes the handler's refusals through in the protocol's shape", async () => {
    assertErrorBody(await post(server, '/v1/pre-reboot', { body: body('stranger') }), 422, 'unknown_client');
  });

  it('refuses a request without the fleet-lock-protocol header, or with another value', async () => {
    assertErrorBody(
      await post(server, '/v1/pre-reboot', { headers: {}, body: body('known') }),
      400,
      'missing_protocol_header',
    );
    assertErrorBody(
      await post(server, '/v1/pre-reboot', { headers: { 'fleet-lock-protocol': 'yes' }, body: body('known') }),
      400,
      'missing_protocol_header',
    );
  });

  it('refuses other methods with 405 and other paths with 404', async () => {
    const reply = await fetch(`${server.url}/v1/pre-reboot`, { headers: HEADERS });
    assertErrorBody({ status: reply.status, text: await reply.text() }, 405, 'method_not_allowed');
    assert.equal(reply.headers.get('allow'), 'POST');
    assertErrorBody(
      await post(server, '/v1/pre-reboot', { method: 'PUT', body: body('known') }),
      405,
      'method_not_allowed',
    );
    assertErrorBody(await post(server, '/v2/pre-reboot', { body: body('known') }), 404, 'not_found');
    assertErrorBody(await post(server, '/', { body: body('known') }), 404, 'not_found');
  });

  it('refuses bodies that are not JSON, not UTF-8, or not the schema, naming the field', async () => {
    assertErrorBody(await post(server, '/v1/pre-reboot', { body: '{"client_params":' }), 400, 'bad_request');
    assertErrorBody(
      await post(server, '/v1/pre-reboot', { body: new Uint8Array([0xff, 0xfe, 0x7b]) }),
      400,
      'bad_request',
    );
    assertErrorBody(await post(server, '/v1/pre-reboot'), 400, 'bad_request');
    const noId = assertErrorBody(
      await post(server, '/v1/pre-reboot', { body: JSON.stringify({ client_params: { group: 'default' } }) }),
      400,
      'bad_request',
    );
    assert.match(noId.value, /client_params\.id/);
    const badGroup = assertErrorBody(
      await post(server, '/v1/pre-reboot', { body: body('known', 'no spaces allowed') }),
      400,
      'bad_request',
    );
    assert.match(badGroup.value, /client_params\.group/);
    assertErrorBody(await post(server, '/v1/pre-reboot', { body: body('', 'default') }), 400, 'bad_request');
    assertErrorBody(await post(server, '/v1/pre-reboot', { body: '[]' }), 400, 'bad_request');
  });

  it('refuses a body over the limit, declared or streamed', async () => {
    const big = `{"client_params":{"id":"${'x'.repeat(FLEETLOCK_MAX_BODY_BYTES)}","group":"default"}}`;
    assertErrorBody(await post(server, '/v1/pre-reboot', { body: big }), 413, 'body_too_large');
    const streamed = await new Promise<Reply>((resolve, reject) => {
      const request = httpRequest(
        `${server.url}/v1/pre-reboot`,
        { method: 'POST', headers: { ...HEADERS, 'transfer-encoding': 'chunked' } },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        },
      );
      request.on('error', reject);
      for (let i = 0; i < 8; i += 1) request.write('x'.repeat(FLEETLOCK_MAX_BODY_BYTES / 4));
      request.end();
    });
    assertErrorBody(streamed, 413, 'body_too_large');
  });

  it('answers 500 only when the handler itself fails', async () => {
    handler.failWith = new Error('the API server is down');
    try {
      assertErrorBody(await post(server, '/v1/pre-reboot', { body: body('known') }), 500, 'internal_error');
    } finally {
      handler.failWith = undefined;
    }
  });

  it("answers every malformed request of 400 random ones with a 4xx and the protocol's error body", async () => {
    const handled = handler.calls.length;
    let valid = 0;
    // One request per run, drawn by fast-check: a failure prints the seed and path that replay it.
    await fc.assert(
      fc.asyncProperty(fc.gen(), async (g) => {
        const random = uniformDraws(g);
        const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
        const randomString = (max: number): string =>
          Array.from({ length: Math.floor(random() * max) }, () =>
            String.fromCharCode(Math.floor(random() * 0x7f)),
          ).join('');
        const randomJson = (depth: number): unknown => {
          const roll = random();
          if (depth > 3 || roll < 0.3) return pick([null, true, 42, -1.5, '', randomString(12), 'default']);
          if (roll < 0.5) return Array.from({ length: Math.floor(random() * 4) }, () => randomJson(depth + 1));
          return Object.fromEntries(
            Array.from({ length: Math.floor(random() * 4) }, () => [
              pick(['client_params', 'id', 'group', randomString(6)]),
              randomJson(depth + 1),
            ]),
          );
        };
        const bodies: (() => string | Uint8Array | undefined)[] = [
          () => undefined,
          () => randomString(200),
          () => new Uint8Array(Array.from({ length: Math.floor(random() * 300) }, () => Math.floor(random() * 256))),
          () => JSON.stringify(randomJson(0)),
          () => JSON.stringify({ client_params: randomJson(1) }),
          () => JSON.stringify({ client_params: { id: randomJson(2), group: randomJson(2) } }),
          () =>
            JSON.stringify({ client_params: { id: randomString(40), group: randomString(10) } }).slice(
              0,
              Math.floor(random() * 60),
            ),
        ];
        const headers: Record<string, string> =
          random() < 0.8
            ? { ...HEADERS }
            : random() < 0.5
              ? {}
              : { 'fleet-lock-protocol': randomString(6).replace(/[^ -~]/g, '') };
        const method = random() < 0.9 ? 'POST' : pick(['GET', 'PUT', 'DELETE', 'PATCH']);
        const path =
          random() < 0.9
            ? pick(['/v1/pre-reboot', '/v1/steady-state'])
            : pick(['/', '/v1', '/v1/pre-reboot/', `/${randomString(10).replace(/[^a-z]/g, '')}`]);
        const payload = pick(bodies)();
        const reply = await post(server, path, {
          method,
          headers,
          ...(payload === undefined || method === 'GET' ? {} : { body: payload }),
        });
        if (reply.status === 200) {
          valid += 1;
          return;
        }
        assert.ok(
          reply.status >= 400 && reply.status < 500,
          `${method} ${path} ${String(payload)} got ${reply.status} ${reply.text}`,
        );
        const parsed = JSON.parse(reply.text) as { kind: string; value: string };
        assert.ok(
          (FLEETLOCK_ERROR_KINDS as readonly string[]).includes(parsed.kind),
          `kind ${parsed.kind} is one of the bounded set`,
        );
        assert.ok(parsed.value.length > 0);
      }),
      { numRuns: 400 },
    );
    // Only schema-valid requests reach the handler (which grants only "known", absent from the random bodies).
    assert.equal(valid, 0);
    for (const call of handler.calls.slice(handled)) assert.match(call.client.group, /^[a-zA-Z0-9.-]+$/);
  });
});
