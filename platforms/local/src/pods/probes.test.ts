import { describe, it, before, after, mock } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttp2Server, type Http2Server } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import type { V1Probe } from '@kubernetes/client-node';
import { CertificateAuthority, toPemPair } from '@strata/assets';
import type { CommandLine } from './container-command.ts';
import { resolvePort, runCheck, type CheckResult, type ProbeTarget } from './probe-checks.ts';
import { probeTiming, ProbeWorker, type Check } from './probes.ts';
import { SHELL } from './test-fixtures.ts';

function target(overrides: Partial<ProbeTarget> = {}): ProbeTarget {
  return {
    podIP: '127.0.0.1',
    ports: [{ name: 'http', containerPort: 1 }],
    execCommand: (argv): CommandLine => ({ command: argv[0] === 'sh' ? SHELL : (argv[0] ?? ''), args: argv.slice(1) }),
    env: { PATH: process.env['PATH'] ?? '', GREETING: 'hello' },
    cwd: process.cwd(),
    ...overrides,
  };
}

const listen = async (server: Server | Http2Server): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};

const close = (server: Server | Http2Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

/** Answers /status/<code>, /slow (never) and echoes the User-Agent and a header on /headers. */
function handler(request: IncomingMessage, response: ServerResponse): void {
  const url = request.url ?? '/';
  if (url === '/slow') return;
  if (url === '/headers') {
    const ok = request.headers['user-agent'] === 'kube-probe/1.36' && request.headers['x-probe'] === 'yes';
    response.writeHead(ok ? 200 : 400).end();
    return;
  }
  const code = Number(/^\/status\/(\d+)$/.exec(url)?.[1] ?? 404);
  response.writeHead(code, code >= 300 && code < 400 ? { location: '/elsewhere' } : {}).end('body');
}

describe('probe checks', () => {
  const http = createHttpServer(handler);
  let httpsServer: Server;
  let httpPort = 0;
  let httpsPort = 0;

  before(async () => {
    httpPort = await listen(http);
    // A certificate nobody trusts: the kubelet does not verify a probe's certificate.
    const ca = await CertificateAuthority.create({ commonName: 'untrusted', validityDays: 1 });
    const pem = await toPemPair(
      await ca.issue({ commonName: 'pod', ipAddresses: ['127.0.0.1'], profile: 'server', validityDays: 1 }),
    );
    httpsServer = createHttpsServer({ cert: pem.certificatePem, key: pem.privateKeyPem }, handler);
    httpsPort = await listen(httpsServer);
  });

  after(async () => {
    await close(http);
    await close(httpsServer);
  });

  const httpGet = (path: string, overrides: Partial<NonNullable<V1Probe['httpGet']>> = {}): V1Probe => ({
    httpGet: { path, port: httpPort, ...overrides },
  });

  it('counts HTTP 200 to 399 as success and the rest as failure', async () => {
    for (const code of [200, 204, 302, 399])
      assert.equal((await runCheck(httpGet(`/status/${code}`), target(), 1000)).success, true, `${code}`);
    for (const code of [400, 404, 500, 503]) {
      const result = await runCheck(httpGet(`/status/${code}`), target(), 1000);
      assert.deepEqual(result, { success: false, message: `HTTP probe failed with status ${code}` });
    }
  });

  it('sends the kubelet’s User-Agent and the probe’s headers, to the pod IP by default', async () => {
    const probe = httpGet('/headers', { httpHeaders: [{ name: 'X-Probe', value: 'yes' }] });
    assert.equal((await runCheck(probe, target(), 1000)).success, true);
    const elsewhere = await runCheck(probe, target({ podIP: '127.0.0.2' }), 1000);
    assert.equal(elsewhere.success, false, 'nothing listens on 127.0.0.2');
  });

  it('resolves a named port from the container’s ports', async () => {
    assert.equal(resolvePort('http', [{ name: 'http', containerPort: 8080 }]), 8080);
    assert.equal(resolvePort('9090', []), 9090);
    assert.equal(resolvePort('metrics', []), undefined);
    const result = await runCheck(
      httpGet('/status/200', { port: 'http' }),
      target({ ports: [{ name: 'http', containerPort: httpPort }] }),
      1000,
    );
    assert.equal(result.success, true);
  });

  it('fails a request that outlives timeoutSeconds', async () => {
    const started = Date.now();
    const result = await runCheck(httpGet('/slow'), target(), 300);
    assert.equal(result.success, false);
    assert.match(result.message, /timed out after 300 ms/);
    assert.ok(Date.now() - started < 2000);
  });

  it('probes HTTPS without verifying the certificate', async () => {
    const result = await runCheck(httpGet('/status/200', { port: httpsPort, scheme: 'HTTPS' }), target(), 2000);
    assert.deepEqual(result, { success: true, message: 'HTTP 200' });
  });

  it('runs exec probes with the container env: exit 0 is success', async () => {
    assert.equal((await runCheck({ exec: { command: ['sh', '-c', 'exit 0'] } }, target(), 2000)).success, true);
    const failed = await runCheck({ exec: { command: ['sh', '-c', 'echo no >&2; exit 1'] } }, target(), 2000);
    assert.deepEqual(failed, { success: false, message: 'command exited with 1: no' });
    const env = await runCheck({ exec: { command: ['sh', '-c', 'test "$GREETING" = hello'] } }, target(), 2000);
    assert.equal(env.success, true);
  });

  it('kills an exec probe that outlives its timeout, with what it started', async () => {
    const result = await runCheck({ exec: { command: ['sh', '-c', 'sleep 30 & sleep 30'] } }, target(), 300);
    assert.deepEqual(result, { success: false, message: 'command timed out after 300 ms' });
  });

  it('fails an exec probe whose program the image does not have', async () => {
    const result = await runCheck(
      { exec: { command: ['bash'] } },
      target({
        execCommand: () => {
          throw new Error('"bash" is not an executable of the image');
        },
      }),
      1000,
    );
    assert.deepEqual(result, { success: false, message: '"bash" is not an executable of the image' });
  });

  it('checks that a TCP port accepts connections', async () => {
    assert.equal((await runCheck({ tcpSocket: { port: httpPort } }, target(), 1000)).success, true);
    assert.equal((await runCheck({ tcpSocket: { port: 1 } }, target(), 1000)).success, false);
  });

  it('asks the gRPC health service', async () => {
    const statuses = new Map([
      ['', 1],
      ['etcd', 2],
    ]);
    const grpc = createHttp2Server();
    grpc.on('stream', (stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const request = Buffer.concat(chunks).subarray(5);
        const service = request.length === 0 ? '' : request.subarray(2).toString();
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(Buffer.from([0, 0, 0, 0, 2, 0x08, statuses.get(service) ?? 3]));
      });
    });
    const port = await listen(grpc);
    try {
      assert.deepEqual(await runCheck({ grpc: { port } }, target(), 2000), { success: true, message: 'SERVING' });
      assert.deepEqual(await runCheck({ grpc: { port, service: 'etcd' } }, target(), 2000), {
        success: false,
        message: 'gRPC health status is 2, not SERVING',
      });
    } finally {
      await close(grpc);
    }
  });
});

describe('ProbeWorker', () => {
  it('fills in the API server’s defaults', () => {
    assert.deepEqual(probeTiming({}, 'readiness'), {
      initialDelayMs: 0,
      periodMs: 10_000,
      timeoutMs: 1000,
      successThreshold: 1,
      failureThreshold: 3,
    });
    assert.equal(probeTiming({ successThreshold: 3 }, 'liveness').successThreshold, 1);
  });

  /** A check whose answers the test scripts, counting its runs. */
  function scripted(answers: boolean[]): { check: Check; runs: () => number } {
    let runs = 0;
    const check: Check = () => {
      const success = answers[Math.min(runs, answers.length - 1)] ?? false;
      runs++;
      return Promise.resolve<CheckResult>({ success, message: success ? 'ok' : 'bad' });
    };
    return { check, runs: () => runs };
  }

  async function advance(ms: number): Promise<void> {
    mock.timers.tick(ms);
    // Let the check's promise and the worker's bookkeeping run.
    for (let index = 0; index < 5; index++) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  it('waits initialDelaySeconds, then probes every periodSeconds, flipping only at the thresholds', async () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    try {
      const { check, runs } = scripted([true, true, false, false, false, true]);
      const verdicts: boolean[] = [];
      const worker = new ProbeWorker({
        kind: 'readiness',
        probe: { initialDelaySeconds: 5, periodSeconds: 2, successThreshold: 2, failureThreshold: 3 },
        target: target(),
        check,
        onChange: (healthy) => verdicts.push(healthy),
      });
      worker.start();
      await advance(4999);
      assert.equal(runs(), 0, 'nothing before the initial delay');
      await advance(1);
      assert.equal(runs(), 1);
      assert.equal(worker.healthy, undefined, 'one success is below successThreshold 2');
      await advance(2000);
      assert.deepEqual(verdicts, [true]);
      await advance(2000);
      await advance(2000);
      assert.deepEqual(verdicts, [true], 'two failures are below failureThreshold 3');
      await advance(2000);
      assert.deepEqual(verdicts, [true, false]);
      assert.equal(worker.message, 'bad');
      worker.stop();
      await advance(10_000);
      assert.equal(runs(), 5, 'a stopped worker probes no more');
    } finally {
      mock.timers.reset();
    }
  });
});
