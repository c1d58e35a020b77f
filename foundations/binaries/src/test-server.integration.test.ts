// The machine lab's workload program, built from go/test-server and run on loopback: it serves a directory and logs
// which host answers, and its client prints a page, fails on any answer but 200 (naming it), resolves a name with
// Go's own resolver, and refuses a wrong command line with exit code 2.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, ManagedProcess, runCommand, waitFor } from '@strata/host';
import { TEST_SERVER_VERSION } from './components.ts';
import { resolveBinary } from './resolve.ts';

const PAGE = 'a page from the test server\n';

describe('the test server (go/test-server), built and run', () => {
  let dir = '';
  let binary = '';
  let server: ManagedProcess | undefined;
  let base = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-test-server-'));
    binary = await resolveBinary('test-server', { progress: () => undefined });
    await writeFile(join(dir, 'index.html'), PAGE);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = ManagedProcess.start({
      name: 'test-server',
      command: binary,
      args: ['serve', '-listen', `127.0.0.1:${port}`, '-dir', dir],
      logFile: join(dir, 'serve.log'),
    });
    await waitFor('the test server to answer', async () => {
      const answer = await fetch(`${base}/`).catch(() => undefined);
      return answer?.status === 200 ? true : undefined;
    });
  });

  after(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints its version', async () => {
    const result = await runCommand(binary, ['version']);
    assert.equal(result.stdout, `strata-test-server ${TEST_SERVER_VERSION}\n`);
  });

  it('serves its directory and fetches a page through its own client', async () => {
    const result = await runCommand(binary, ['fetch', `${base}/`]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, PAGE);
  });

  it("fails a fetch that is not answered 200, with the server's answer", async () => {
    const result = await runCommand(binary, ['fetch', `${base}/missing`]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /answered 404 Not Found/);
  });

  it('fails a fetch that nothing answers, naming the refusal', async () => {
    const closed = await freePort();
    const result = await runCommand(binary, ['fetch', '-timeout', '5s', `http://127.0.0.1:${closed}/`]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /connection refused/);
  });

  it('resolves a name with its own resolver', async () => {
    const result = await runCommand(binary, ['lookup', 'localhost']);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(result.stdout.split('\n').includes('127.0.0.1'), result.stdout);
  });

  it('logs which host answers', async () => {
    await waitFor('the hello line in the log', async () =>
      (await readFile(join(dir, 'serve.log'), 'utf8')).includes(`hello from ${hostname()}\n`) ? true : undefined,
    );
  });

  it('refuses a wrong command line with exit code 2', async () => {
    for (const args of [[], ['bogus'], ['fetch'], ['fetch', '-no-such-flag', 'http://x/']]) {
      const result = await runCommand(binary, args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.notEqual(result.stderr, '', args.join(' '));
    }
  });
});
