// The console's own HTTPS front (`console serve`, server/https-server.ts) as `strata up` and the in-cluster image
// run it: the built console behind TLS with a certificate from a test CA, its health route answered before the
// session gate, plain HTTP on the same port refused, and the whole process gone on SIGTERM.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CONSOLE_HEALTH_PATH, CertificateAuthority, toPemPair } from '@strata/assets';
import { freePort, httpsRequest, ManagedProcess, SECRET_FILE_MODE, waitFor, writeFileAtomic } from '@strata/host';
import { CONSOLE_DIR, ensureConsoleBuilt } from '../server/build.ts';
import { createTestTls, type TestTls } from './test-tls.ts';

const CONSOLE_BIN = join(CONSOLE_DIR, 'bin', 'console.ts');
// A first request loads the route's server code; on a shared, loaded machine that takes seconds, not the default 2.
const ANSWER_WITHIN = { timeoutMs: 30_000 };

/** A plain-HTTP GET: what a user typing http:// gets. */
function plainGet(url: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { timeout: ANSWER_WITHIN.timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer')));
    req.on('error', reject);
    req.end();
  });
}

describe('the console over HTTPS (console serve)', () => {
  let dir: string;
  let tls: TestTls;
  let server: ManagedProcess;
  let url: string;

  /** `console serve` on `port` with the test's certificate; its log is `<dir>/<name>.log`. */
  const startServe = (name: string, port: number): ManagedProcess =>
    ManagedProcess.start({
      name,
      command: process.execPath,
      args: [
        CONSOLE_BIN,
        'serve',
        '--host=127.0.0.1',
        `--port=${port}`,
        `--tls-cert-file=${join(dir, 'tls.crt')}`,
        `--tls-key-file=${join(dir, 'tls.key')}`,
      ],
      env: {
        PATH: process.env['PATH'] ?? '',
        // No API server answers here: nothing in this test signs in.
        STRATA_CONSOLE_API_SERVER: 'https://127.0.0.1:9',
        STRATA_CONSOLE_API_CA_FILE: tls.caPath,
        STRATA_CONSOLE_SESSION_SECRET: 'a-session-secret-of-at-least-32-characters',
      },
      logFile: join(dir, `${name}.log`),
    });

  before(async () => {
    await ensureConsoleBuilt();
    dir = await mkdtemp(join(tmpdir(), 'console-https-'));
    tls = await createTestTls(dir);
    await writeFileAtomic(join(dir, 'tls.crt'), tls.server.certificatePem);
    await writeFileAtomic(join(dir, 'tls.key'), tls.server.privateKeyPem, SECRET_FILE_MODE);
    const port = await freePort();
    url = `https://127.0.0.1:${port}`;
    server = startServe('console', port);
    await waitFor(
      'the console to answer its health route',
      async () => {
        if (!server.running) throw await server.failure('console serve exited');
        const answer = await httpsRequest(`${url}${CONSOLE_HEALTH_PATH}`, { ca: tls.caPem }, ANSWER_WITHIN).catch(
          () => undefined,
        );
        return answer?.status === 200 ? answer : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  });

  after(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers its health route without a session, and never caches it', async () => {
    const answer = await httpsRequest(`${url}${CONSOLE_HEALTH_PATH}`, { ca: tls.caPem }, ANSWER_WITHIN);
    assert.equal(answer.status, 200);
    assert.equal(answer.body, 'ok\n');
    assert.equal(answer.headers['cache-control'], 'no-store');
  });

  it('hands every other request to the console, whose gate sends a visitor without a session to sign in', async () => {
    const home = await httpsRequest(`${url}/`, { ca: tls.caPem }, ANSWER_WITHIN);
    assert.ok(home.status >= 300 && home.status < 400, `a redirect, not ${home.status}`);
    assert.equal(new URL(home.headers.location ?? '', url).pathname, '/login');
    const login = await httpsRequest(`${url}/login`, { ca: tls.caPem }, ANSWER_WITHIN);
    assert.equal(login.status, 200);
    assert.match(login.body, /<html/);
    const api = await httpsRequest(`${url}/api/watch`, { ca: tls.caPem }, ANSWER_WITHIN);
    assert.equal(api.status, 401);
  });

  it('serves a certificate that chains to the given CA only', async () => {
    const stranger = await CertificateAuthority.create({ commonName: 'another-ca', validityDays: 1 });
    await assert.rejects(
      httpsRequest(`${url}${CONSOLE_HEALTH_PATH}`, { ca: (await toPemPair(stranger)).certificatePem }, ANSWER_WITHIN),
      (error: unknown) => error instanceof Error && /self-signed|unable to verify|certificate/i.test(error.message),
    );
  });

  it('refuses plain HTTP on its port with a 400 that names the https:// address', async () => {
    const plain = await plainGet(`${url.replace('https:', 'http:')}/login`);
    assert.equal(plain.status, 400);
    assert.equal(plain.body, `The Strata console is served over HTTPS only: ${url}/\n`);
    assert.equal(plain.headers['set-cookie'], undefined, 'the application never saw the request');
  });

  it('refuses to start on a port that is taken, naming it', async () => {
    const port = Number(new URL(url).port);
    const second = startServe('second-console', port);
    assert.equal((await second.exited).code, 1);
    const log = await readFile(join(dir, 'second-console.log'), 'utf8');
    assert.ok(log.includes(`the console cannot listen on 127.0.0.1:${port}: the port is taken`), log);
  });

  it('stops on SIGTERM, closing its port', async () => {
    const status = await server.stop();
    assert.equal(status.code, 0);
    await assert.rejects(
      httpsRequest(`${url}${CONSOLE_HEALTH_PATH}`, { ca: tls.caPem }, ANSWER_WITHIN),
      /ECONNREFUSED/,
    );
  });
});
