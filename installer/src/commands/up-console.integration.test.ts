// `strata up` serves the web console (issue 16, ADR 0061): on 127.0.0.1 over TLS from the cluster CA, the URL printed
// beside the kubeconfig and the token file named but never printed; a visitor without a session is sent to sign in,
// the console-token signs in through the console's real HTTP API (CSRF double submit and all), and `strata down`
// stops the console with the cluster.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, httpsRequest } from '@strata/host';
import { CONSOLE_ANSWER_MS, cookieHeader, cookiesOf, openConsoleSignIn } from '../testing/console-sign-in.ts';
import { runStrata } from '../testing/run-strata.ts';
import { StrataProcess } from '../testing/strata-process.ts';

function plainHttpStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { timeout: CONSOLE_ANSWER_MS }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('no answer')));
    req.on('error', reject);
    req.end();
  });
}

describe('strata up serves the web console', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('on 127.0.0.1 over TLS from the cluster CA, where the console-token signs in, until strata down', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-up-console-'));
    dirs.push(dir);
    const port = await freePort();
    const up = new StrataProcess(['up', '--dir', dir, '--workers', '1', '--console-port', String(port)]);
    // A failed assertion must not leave the cluster running on the fixed addresses (nor under a removed directory).
    let stopped = false;
    try {
      await up.waitForStderr(/Press Ctrl-C/, 540_000);
      const url = `https://127.0.0.1:${port}`;
      const caFile = join(dir, 'assets', 'tls', 'ca.crt');
      const tokenFile = join(dir, 'console-token');
      // What the user reads: the URL beside the kubeconfig, the CA, and the token's file, never the token.
      assert.match(up.stderr, new RegExp(`console: +${url.replaceAll('.', '\\.')} `));
      assert.ok(up.stderr.includes(caFile), 'the CA that signs its certificate is named');
      assert.ok(up.stderr.includes(`with the token in ${tokenFile}`));
      assert.match(up.stderr, /the console build is current|the console is built/, 'the build is reported');
      const token = (await readFile(tokenFile, 'utf8')).trim();
      assert.ok(token.length > 100);
      assert.ok(!up.stderr.includes(token) && !up.stdout.includes(token), 'the token is never printed');

      const tls = { ca: await readFile(caFile, 'utf8') };
      const home = await httpsRequest(`${url}/`, tls, { timeoutMs: CONSOLE_ANSWER_MS });
      assert.ok(home.status >= 300 && home.status < 400, `a redirect, not ${home.status}`);
      assert.equal(new URL(home.headers.location ?? '', url).pathname, '/login');
      assert.equal(await plainHttpStatus(`http://127.0.0.1:${port}/`), 400, 'plain HTTP is refused');

      // Sign in as the browser does: the sign-in page sets the CSRF cookie, the POST echoes it in a header.
      const { cookies, signIn } = await openConsoleSignIn(url, tls);
      const refused = await signIn(`${token.slice(0, -4)}AAAA`);
      assert.equal(refused.status, 401, refused.body);
      const signedIn = await signIn(token);
      assert.equal(signedIn.status, 200, signedIn.body);
      assert.deepEqual(JSON.parse(signedIn.body), { user: 'system:serviceaccount:strata-console:rollout-watcher' });
      const session = new Map([...cookies, ...cookiesOf(signedIn)]);
      assert.ok(session.size > cookies.size, 'a session cookie is set');
      const updates = await httpsRequest(`${url}/updates`, tls, {
        headers: { cookie: cookieHeader(session) },
        timeoutMs: CONSOLE_ANSWER_MS,
      });
      assert.equal(updates.status, 200, 'the OS updates page opens for the signed-in user');
      const withoutSession = await httpsRequest(`${url}/updates`, tls, { timeoutMs: CONSOLE_ANSWER_MS });
      assert.ok(withoutSession.status >= 300 && withoutSession.status < 400);

      const down = await runStrata(['down', '--dir', dir]);
      assert.equal(down.code, 0, down.stderr);
      assert.equal((await up.exited()).code, 0);
      stopped = true;
      await assert.rejects(httpsRequest(`${url}/healthz`, tls), /ECONNREFUSED/, 'the console stopped with the cluster');
    } finally {
      if (!stopped) await up.stop();
    }
  });
});
