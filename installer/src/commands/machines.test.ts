// `strata machines start` through the real CLI, for what needs no running
// cluster: its help, its refusals (exit 2 and 3, nothing written), and a
// boot server that knows none of the machines (each fails to boot, exit 1).
// Machines booting to Ready under it: install-bare-metal.integration.test.ts.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withTestSysextPin } from '@strata/assets/testing';
import { startTestBootServer, type TestBootServer } from '@strata/boot-server/testing';
import { describeMachineState } from '../machines/simulated-machines.ts';
import { runStrata } from '../testing/run-strata.ts';
import { StrataProcess } from '../testing/strata-process.ts';

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));
const missing = (path: string) =>
  access(path).then(
    () => false,
    () => true,
  );

describe('strata machines start', () => {
  let scratch: string;
  let bareMetal: string;
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'strata-machines-cli-'));
    bareMetal = join(scratch, 'rack1.yaml');
    await writeFile(bareMetal, withTestSysextPin(await readFile(join(examples, 'bare-metal.yaml'), 'utf8')));
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('--help says what the machines do, how to stop them and the exit codes', async () => {
    const result = await runStrata(['machines', 'start', '--help']);
    assert.equal(result.code, 0, result.stderr);
    for (const needle of [
      '--boot-server <url>',
      '--ssh-port <port>',
      '(default: 2222)',
      '--wait-registered <seconds>',
      '(default: 1800)',
      '127.0.10.<i>',
      'Ctrl-C',
      '3 bad config',
    ])
      assert.ok(result.stdout.includes(needle), `the help lacks ${needle}:\n${result.stdout}`);
    const root = await runStrata(['--help']);
    assert.match(root.stdout, /machines\s+simulated bare-metal machines/);
  });

  it('without --config, or with a port that is no port, is bad usage (exit 2)', async () => {
    const noConfig = await runStrata(['machines', 'start']);
    assert.equal(noConfig.code, 2);
    assert.match(noConfig.stderr, /required option '-c, --config <file>' not specified/);
    const badPort = await runStrata(['machines', 'start', '--config', bareMetal, '--ssh-port', '0']);
    assert.equal(badPort.code, 2);
    assert.match(badPort.stderr, /a TCP port is a whole number from 1 to 65535/);
  });

  it('a config for another platform, or an invalid one, is a bad config (exit 3) and writes nothing', async () => {
    const local = join(scratch, 'local.yaml');
    await writeFile(local, withTestSysextPin(await readFile(join(examples, 'local.yaml'), 'utf8')));
    const dir = join(scratch, 'not-made');
    const wrong = await runStrata(['machines', 'start', '--config', local, '--dir', dir]);
    assert.equal(wrong.code, 3, wrong.stderr);
    assert.match(wrong.stderr, /need a config with platform: bare-metal .* this one is for "local"/);
    const invalid = join(scratch, 'invalid.yaml');
    await writeFile(invalid, (await readFile(bareMetal, 'utf8')).replace('count: 3', 'count: 2'));
    const refused = await runStrata(['machines', 'start', '--config', invalid, '--dir', dir]);
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(refused.stderr, /controllers\.count/);
    assert.ok(await missing(dir), `${dir} was created`);
  });

  describe('against a boot server that knows none of the machines', () => {
    let boot: TestBootServer;
    before(async () => {
      boot = await startTestBootServer();
    });
    after(async () => {
      await boot?.close();
    });

    it('prints the machines and their names, then gives up after --wait-registered (exit 1)', async () => {
      const dir = join(scratch, 'machines');
      const result = await runStrata([
        'machines',
        'start',
        '--config',
        bareMetal,
        '--boot-server',
        boot.url,
        '--dir',
        dir,
        '--wait-registered',
        '1',
      ]);
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, new RegExp(`7 machine\\(s\\) of cluster "rack1", booting from ${boot.url}`));
      assert.match(result.stderr, /^ {2}ctrl1 +controller +52:54:00:1a:00:01 +127\.0\.10\.1$/m);
      assert.match(result.stderr, /^ {2}gpu1 +worker +52:54:00:3c:00:01 +127\.0\.10\.7$/m);
      assert.match(
        result.stderr,
        /waiting for the boot server at .* to know ctrl1, ctrl2, ctrl3, node1, node2, node3, gpu1/,
      );
      assert.match(result.stderr, /the boot server at .* to know every machine \(strata install registers them\)/);
      assert.doesNotMatch(result.stderr, /powering 7 on/);
      // The names the installer must resolve, for /etc/hosts.
      const hosts = await readFile(join(dir, 'hosts'), 'utf8');
      assert.match(hosts, /^127\.0\.10\.1 ctrl1\.dc1\.example\.com$/m);
      assert.match(hosts, /^127\.0\.10\.1 k8s\.dc1\.example\.com$/m);
    });

    it('Ctrl-C while it waits for the boot server stops it with exit 0', async () => {
      const waiting = new StrataProcess([
        'machines',
        'start',
        '--config',
        bareMetal,
        '--boot-server',
        boot.url,
        '--dir',
        join(scratch, 'interrupted'),
      ]);
      await waiting.waitForStderr(/run strata install now/, 60_000);
      const { code } = await waiting.stop('SIGINT');
      assert.equal(code, 0, waiting.stderr);
      assert.match(waiting.stderr, /SIGINT: powering the machines off/);
    });
  });

  it('describes every state a machine goes through in words', () => {
    assert.equal(describeMachineState({ phase: 'booting' }), 'network-booting from the boot server');
    assert.equal(
      describeMachineState({ phase: 'waiting-for-secrets', missing: ['/etc/kubernetes/pki/a.key'] }),
      'waiting for its secrets over SSH (1 file(s) missing: /etc/kubernetes/pki/a.key)',
    );
    assert.equal(
      describeMachineState({ phase: 'failed', reason: 'GET /ipxe: 404', error: undefined }),
      'failed: GET /ipxe: 404',
    );
    assert.equal(describeMachineState({ phase: 'stopped' }), 'stopped');
  });
});
