import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runStrata } from '../testing/run-strata.ts';
import { withTestSysextPin } from '@strata/assets/testing';

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

interface RenderJson {
  readonly written: string[];
  readonly unchanged: number;
  readonly conflicts: string[];
  readonly keptHandEdits: string[];
}

describe('strata render', () => {
  let scratch: string;
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'strata-render-cli-'));
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  for (const platform of ['local', 'bare-metal', 'aws', 'gcp', 'azure']) {
    it(`renders the shipped ${platform} example into a complete asset directory`, async () => {
      const dir = join(scratch, platform);
      // As its user would: the example with the kubelet extension's hash pinned.
      const config = join(scratch, `${platform}.yaml`);
      await writeFile(config, withTestSysextPin(await readFile(join(examples, `${platform}.yaml`), 'utf8')));
      const result = await runStrata(['render', '--config', config, '--dir', dir]);
      assert.equal(result.code, 0, result.stderr);
      for (const folder of ['tls', 'auth', 'ignition', 'manifests', 'static-manifests']) {
        assert.ok((await readdir(join(dir, folder))).length > 0, `${folder}/ is empty`);
      }
      assert.match(result.stderr, /Admin kubeconfig: .*auth\/admin\.kubeconfig/);
    });
  }

  it('rewrites nothing on a second run, and says so in --json', async () => {
    const dir = join(scratch, 'again');
    const config = join(examples, 'local.yaml');
    assert.equal((await runStrata(['render', '-c', config, '-d', dir])).code, 0);
    const second = await runStrata(['render', '-c', config, '-d', dir, '--json']);
    assert.equal(second.code, 0, second.stderr);
    const report = JSON.parse(second.stdout) as RenderJson;
    assert.deepEqual(report.written, []);
    assert.ok(report.unchanged > 20);
  });

  it('refuses to overwrite a hand edit without --force, and overwrites it with --force', async () => {
    const dir = join(scratch, 'edited');
    const original = await readFile(join(examples, 'local.yaml'), 'utf8');
    const config = join(scratch, 'edited.yaml');
    await writeFile(config, original);
    assert.equal((await runStrata(['render', '-c', config, '-d', dir])).code, 0);
    await writeFile(join(dir, 'manifests/40-coredns.yaml'), '# my own coredns\n');
    // A change that regenerates the manifests.
    await writeFile(
      config,
      original.replace(/clusterDomain: .*|networking:/, (m) =>
        m === 'networking:' ? 'networking:\n  clusterDomain: edited.local' : 'clusterDomain: edited.local',
      ),
    );
    const refused = await runStrata(['render', '-c', config, '-d', dir]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /manifests\/40-coredns\.yaml/);
    assert.match(refused.stderr, /Nothing was written/);
    assert.equal(await readFile(join(dir, 'manifests/40-coredns.yaml'), 'utf8'), '# my own coredns\n');
    const forced = await runStrata(['render', '-c', config, '-d', dir, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(await readFile(join(dir, 'manifests/40-coredns.yaml'), 'utf8'), /edited\.local/);
  });

  it('reports every problem of a bad config with its line, exits 1 and writes nothing', async () => {
    const config = join(scratch, 'bad.yaml');
    await writeFile(
      config,
      [
        'apiVersion: strata.dev/v1alpha1',
        'kind: Cluster',
        'name: demo',
        'baseDomain: example.com',
        'platform: local',
        'controllers: {count: 2}',
        'networking: {podCidr: 10.2.0.0/33}',
        'sshAuthorizedKeys: ["ssh-ed25519 bm90IGEga2V5"]',
        '',
      ].join('\n'),
    );
    const dir = join(scratch, 'bad-out');
    const result = await runStrata(['render', '-c', config, '-d', dir]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /bad\.yaml:6:\d+: controllers\.count must be 1, 3 or 5/);
    assert.match(result.stderr, /bad\.yaml:7:\d+: networking\.podCidr/);
    assert.match(result.stderr, /bad\.yaml:8:\d+: sshAuthorizedKeys\[0\]/);
    assert.equal(await exists(dir), false);
  });

  it('prints a refused config without a stack trace, and the stack with --debug', async () => {
    const config = join(scratch, 'no-stack.yaml');
    await writeFile(
      config,
      [
        'apiVersion: strata.dev/v1alpha1',
        'kind: Cluster',
        'name: Demo',
        'baseDomain: example.com',
        'platform: local',
        '',
      ].join('\n'),
    );
    const stackLine = /^ {4}at /m;
    const plain = await runStrata(['render', '-c', config, '-d', join(scratch, 'no-stack-out')]);
    assert.equal(plain.code, 1);
    assert.match(plain.stderr, /no-stack\.yaml:3:7: name must consist of lower-case letters/);
    assert.doesNotMatch(plain.stderr, stackLine);
    for (const args of [
      ['--debug', 'render', '-c', config, '-d', join(scratch, 'no-stack-out')],
      ['render', '--debug', '-c', config, '-d', join(scratch, 'no-stack-out')],
    ]) {
      const debug = await runStrata(args);
      assert.equal(debug.code, 1);
      assert.match(debug.stderr, /no-stack\.yaml:3:7: name must consist/);
      assert.match(debug.stderr, stackLine, args.join(' '));
    }
  });

  it('refuses a config that is not UTF-8, at the bad byte', async () => {
    const config = join(scratch, 'latin1.yaml');
    const text = [
      'apiVersion: strata.dev/v1alpha1',
      'kind: Cluster',
      'name: demo',
      'baseDomain: example.com',
      'platform: local',
      'sshAuthorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKRNkThcvD8KWu8Mejxa29enICHJDP5j1sTxRpzjodJp Jos\u00e9"]',
      '',
    ].join('\n');
    await writeFile(config, Buffer.from(text, 'latin1'));
    const result = await runStrata(['render', '-c', config, '-d', join(scratch, 'latin1-out')]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /latin1\.yaml:6:106: is not valid UTF-8: byte 0xE9/);
    assert.doesNotMatch(result.stderr, /^ {4}at /m);
  });

  it('exits 2 on a usage error', async () => {
    const result = await runStrata(['render', '--dir', join(scratch, 'x')]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /required option '-c, --config <file>'/);
  });
});
