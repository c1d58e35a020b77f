import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { KeepAliveTransport } from './keep-alive-transport.ts';
import { ApiRequestMetrics } from './api-metrics.ts';
import { statusCodeOf } from '@strata/kube';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly userAgent: string | undefined;
  readonly body: string;
}

let server: Server;
let connections = 0;
const seen: Seen[] = [];

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => resolve(body));
  });

before(async () => {
  server = createServer((request, response) => {
    void readBody(request).then((body) => {
      seen.push({
        method: request.method ?? '',
        url: request.url ?? '',
        authorization: request.headers.authorization,
        userAgent: request.headers['user-agent'],
        body,
      });
      const missing = request.url?.includes('missing') === true;
      response.writeHead(missing ? 404 : 200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify(
          missing
            ? { kind: 'Status', code: 404, message: 'not found' }
            : { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } },
        ),
      );
    });
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

after(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function transport(metrics?: ApiRequestMetrics): Promise<KeepAliveTransport> {
  const config = new KubeConfig();
  const { port } = server.address() as AddressInfo;
  config.loadFromOptions({
    // Plain HTTP needs skipTLSVerify in the client's eyes; the test server is loopback only.
    clusters: [{ name: 'local', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'bootstrapper', token: 'abcdef.0123456789abcdef' }],
    contexts: [{ name: 'default', cluster: 'local', user: 'bootstrapper' }],
    currentContext: 'default',
  });
  return KeepAliveTransport.create(config, {
    userAgent: 'kubelet/v1.36.3 (linux/amd64) strata-simulated',
    ...(metrics === undefined ? {} : { metrics }),
  });
}

describe('the keep-alive transport', () => {
  it('sends every request of one identity over one kept-alive connection, with its token', async () => {
    const http = await transport();
    const core = http.api(CoreV1Api);
    connections = 0;
    seen.length = 0;
    for (let index = 0; index < 5; index += 1) assert.equal((await core.readNode({ name: 'n1' })).metadata?.name, 'n1');
    assert.equal(connections, 1);
    assert.ok(seen.every((request) => request.authorization === 'Bearer abcdef.0123456789abcdef'));
    assert.ok(seen.every((request) => request.userAgent === 'kubelet/v1.36.3 (linux/amd64) strata-simulated'));
    http.close();
  });

  it('frames a DELETE body so the next request on the connection is read whole', async () => {
    const http = await transport();
    const core = http.api(CoreV1Api);
    connections = 0;
    seen.length = 0;
    await core.deleteNamespacedPod({
      name: 'p',
      namespace: 'ns',
      body: { gracePeriodSeconds: 0, preconditions: { uid: 'u' } },
    });
    await core.readNode({ name: 'n1' });
    assert.equal(connections, 1);
    assert.deepEqual(JSON.parse(seen[0]?.body ?? '') as unknown, {
      gracePeriodSeconds: 0,
      preconditions: { uid: 'u' },
    });
    assert.equal(seen[1]?.url, '/api/v1/nodes/n1');
    http.close();
  });

  it('counts requests by verb and resource, failures by status', async () => {
    const metrics = new ApiRequestMetrics();
    const http = await transport(metrics);
    const core = http.api(CoreV1Api);
    await core.readNode({ name: 'n1' });
    await assert.rejects(core.readNode({ name: 'missing' }), (error: unknown) => statusCodeOf(error) === 404);
    const counts = metrics.snapshot();
    assert.deepEqual(counts.requests, { 'get nodes': 2 });
    assert.deepEqual(counts.failures, { 'get nodes 404': 1 });
    http.close();
  });
});
