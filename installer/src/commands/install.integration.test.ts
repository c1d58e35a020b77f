// strata install, status, plan and destroy on the local platform, through the
// real CLI: the real Pulumi engine, the real control plane, simulated nodes.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveAllBinaries, resolveBinary } from '@strata/binaries';
import { installEventSchema, type InstallEvent } from '../install/events.ts';
import { processesOf } from '../install/local/processes.ts';
import { InstallSandbox, localConfigYaml } from '../testing/install-sandbox.ts';
import { secretsOf, filesUnder } from '../testing/install-secrets.ts';
import { consoleProbeSchema } from '../testing/console-sign-in.ts';

const CONTROL_PLANE_PORTS = [2379, 2380, 2381, 6443, 10257, 10259];
/** The console's port on the first controller's address (ADR 0070). */
const CONSOLE_PORT = 30443;
/** What a browser asks the console from inside the sandbox (the cluster's network namespace). */
const CONSOLE_PROBE = fileURLToPath(new URL('../testing/console-probe.ts', import.meta.url));

function events(stdout: string): InstallEvent[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => installEventSchema.parse(JSON.parse(line)));
}

async function caFingerprint(dir: string): Promise<string> {
  return new X509Certificate(await readFile(join(dir, 'assets', 'tls', 'ca.crt'))).fingerprint256;
}

describe('strata install on the local platform', () => {
  let sandbox: InstallSandbox;
  let configPath: string;
  let dir: string;
  const outputs: string[] = [];
  let summary: Extract<InstallEvent, { type: 'summary' }> | undefined;

  before(async () => {
    await resolveAllBinaries();
    await resolveBinary('pulumi');
    sandbox = await InstallSandbox.create();
    configPath = await sandbox.writeConfig('cluster.yaml', localConfigYaml({ name: 'itest', workers: 1 }));
    dir = join(sandbox.root, 'cluster');
  });

  after(async () => {
    await sandbox?.cleanup();
  });

  it('an unknown command says so and exits 2, even with --help', async () => {
    const result = await sandbox.strata(['nosuch', '--help']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown command 'nosuch'/);
  });

  it('a config error is reported with its field path before anything is created (exit 3)', async () => {
    const bad = await sandbox.writeConfig('bad.yaml', localConfigYaml({ workers: -1 }));
    const result = await sandbox.strata(['install', '--config', bad, '--dir', join(sandbox.root, 'bad')]);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /workerPools\[0\]\.count/);
    await assert.rejects(stat(join(sandbox.root, 'bad')), { code: 'ENOENT' });
  });

  it('preflight lists every failed check at once and creates nothing (exit 4)', async () => {
    const overlapping = await sandbox.writeConfig(
      'overlap.yaml',
      // A /16 around the host's network: room for every node's /24, and an overlap.
      localConfigYaml({ name: 'overlap', podCidr: `${sandbox.hostNetwork.split('.').slice(0, 2).join('.')}.0.0/16` }),
    );
    const release = await sandbox.holdPort('127.0.0.2', 2379);
    try {
      const target = join(sandbox.root, 'overlap');
      const result = await sandbox.strata(['install', '--config', overlapping, '--dir', target]);
      assert.equal(result.code, 4, result.stderr);
      assert.match(result.stderr, /2 preflight checks failed; nothing was created/);
      assert.match(result.stderr, /networking\.podCidr/);
      assert.match(result.stderr, /127\.0\.0\.2:2379 \(etcd client port/);
      await assert.rejects(stat(target), { code: 'ENOENT' });
      assert.deepEqual(await processesOf(target), []);
    } finally {
      await release();
    }
  });

  it("installs the cluster to Ready and never touches the user's config file", async () => {
    const before = await stat(configPath);
    const content = await readFile(configPath);
    const result = await sandbox.strata(['install', '--config', configPath, '--dir', dir, '--json']);
    outputs.push(result.stdout, result.stderr);
    assert.equal(result.code, 0, result.stderr + result.stdout.slice(-3000));
    const seen = events(result.stdout);
    const succeeded = seen.filter((event) => event.type === 'phase-succeeded').map((event) => event.phase);
    assert.deepEqual(succeeded, ['preflight', 'render', 'provision', 'wait-api', 'bootstrap', 'wait-nodes', 'summary']);
    const created = seen.filter((event) => event.type === 'resource-progress' && event.status === 'done');
    assert.deepEqual(
      created.map((event) => event.type === 'resource-progress' && `${event.op} ${event.name}`),
      ['create cluster'],
    );
    summary = seen.find((event) => event.type === 'summary');
    assert.equal(summary?.kubeconfig, join(dir, 'assets', 'auth', 'admin.kubeconfig'));
    const after = await stat(configPath);
    assert.equal(after.ino, before.ino);
    assert.equal(after.mtimeMs, before.mtimeMs);
    assert.deepEqual(await readFile(configPath), content);
  });

  it('serves the web console at the printed URL over TLS from the cluster CA, where the printed token signs in', async () => {
    assert.ok(summary !== undefined, 'the first install printed its summary');
    const { consoleUrl, consoleCa, consoleToken } = summary;
    assert.ok(
      consoleUrl !== undefined && consoleCa !== undefined && consoleToken !== undefined,
      JSON.stringify(summary),
    );
    // The first controller's address (the same one etcd's port is checked on above), at the console's fixed port.
    assert.equal(consoleUrl, `https://127.0.0.2:${CONSOLE_PORT}`);
    assert.equal(consoleCa, join(dir, 'assets', 'tls', 'ca.crt'));
    assert.equal((await stat(consoleToken)).mode & 0o777, 0o600);
    const token = (await readFile(consoleToken, 'utf8')).trim();
    assert.ok(token.length > 100);
    assert.ok(!outputs.join('\n').includes(token), 'the token is never printed');

    // From inside the sandbox's network namespace, where the cluster's addresses are.
    const probed = await sandbox.run(process.execPath, [
      CONSOLE_PROBE,
      consoleUrl,
      consoleCa,
      consoleToken,
      join(dir, 'assets', 'tls', 'etcd', 'ca.crt'),
    ]);
    assert.equal(probed.code, 0, probed.stderr);
    const { health, otherCa, tampered, signedIn } = consoleProbeSchema.parse(JSON.parse(probed.stdout));
    assert.equal(health.status, 200, health.body);
    assert.ok(
      'error' in otherCa && /certificate/i.test(otherCa.error),
      `another CA vouches for it: ${JSON.stringify(otherCa)}`,
    );
    assert.equal(tampered.status, 401, tampered.body);
    assert.equal(signedIn.status, 200, signedIn.body);
    assert.deepEqual(JSON.parse(signedIn.body), { user: 'system:serviceaccount:strata-console:rollout-watcher' });
  });

  it('run again, it skips what the journal shows done and keeps the one CA', async () => {
    const ca = await caFingerprint(dir);
    const result = await sandbox.strata(['install', '--config', configPath, '--dir', dir, '--json']);
    outputs.push(result.stdout, result.stderr);
    assert.equal(result.code, 0, result.stderr);
    const seen = events(result.stdout);
    assert.deepEqual(
      seen.filter((event) => event.type === 'phase-skipped').map((event) => event.phase),
      ['preflight', 'render', 'wait-api', 'bootstrap', 'wait-nodes'],
    );
    const preview = seen.find((event) => event.type === 'preview');
    assert.deepEqual(preview?.type === 'preview' && preview.changes, []);
    assert.equal(await caFingerprint(dir), ca);
  });

  it('status reports the phases, the resources, the API and the nodes', async () => {
    const result = await sandbox.strata(['status', '--dir', dir, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as {
      phasesDone: string[];
      resources: { type: string }[];
      api: { healthy: boolean };
      nodes: { ready: number; total: number };
    };
    assert.deepEqual([...report.phasesDone].sort(), [
      'bootstrap',
      'preflight',
      'provision',
      'render',
      'summary',
      'wait-api',
      'wait-nodes',
    ]);
    assert.equal(report.resources.filter((resource) => resource.type.endsWith('strata-local:Cluster')).length, 1);
    assert.equal(report.api.healthy, true);
    assert.deepEqual(report.nodes, { ...report.nodes, ready: 2, total: 2 });
  });

  it('plan after a change of the worker count shows exactly that change', async () => {
    const changed = await sandbox.writeConfig('three.yaml', localConfigYaml({ name: 'itest', workers: 3 }));
    const result = await sandbox.strata(['plan', '--config', changed, '--dir', dir, '--json']);
    outputs.push(result.stdout, result.stderr);
    assert.equal(result.code, 0, result.stderr);
    const preview = events(result.stdout).find((event) => event.type === 'preview');
    assert.deepEqual(
      preview?.type === 'preview' && preview.changes.map(({ op, name, diffs }) => ({ op, name, diffs })),
      [{ op: 'update', name: 'cluster', diffs: ['workers'] }],
    );
  });

  it('a changed config without a terminal or --yes stops with exit 2 before applying', async () => {
    const changed = await sandbox.writeConfig('two.yaml', localConfigYaml({ name: 'itest', workers: 2 }));
    const result = await sandbox.strata(['install', '--config', changed, '--dir', dir]);
    outputs.push(result.stdout, result.stderr);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /pass --yes/);
    assert.match(result.stderr, /update\s+pulumi-nodejs:dynamic\/strata-local:Cluster cluster \(changes: workers\)/);
  });

  it('refuses a directory made for another cluster (exit 3)', async () => {
    const other = await sandbox.writeConfig('other.yaml', localConfigYaml({ name: 'other' }));
    const result = await sandbox.strata(['install', '--config', other, '--dir', dir]);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /was made for the local cluster "itest", not the local cluster "other"/);
  });

  it('no key, token or passphrase appears in the journal, the output, the logs or the Pulumi state', async () => {
    const secrets = await secretsOf(dir);
    assert.ok(secrets.length >= 10, `found only ${secrets.length} secrets to look for`);
    const haystacks = new Map<string, string>();
    haystacks.set('CLI output', outputs.join('\n'));
    for (const path of [
      join(dir, 'journal.jsonl'),
      join(dir, 'install.json'),
      ...(await filesUnder(join(dir, 'logs'))),
      ...(await filesUnder(join(dir, 'state', '.pulumi'))),
    ])
      haystacks.set(path, await readFile(path, 'utf8'));
    const normalize = (text: string) => text.replace(/\\n|\s/g, '');
    for (const [where, text] of haystacks) {
      const flat = normalize(text);
      for (const secret of secrets) assert.ok(!flat.includes(secret.needle), `${secret.what} appears in ${where}`);
    }
  });

  it('destroy stops every process of the cluster and frees every port', async () => {
    const result = await sandbox.strata(['destroy', '--dir', dir, '--yes', '--json']);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.deepEqual(await processesOf(dir), []);
    assert.deepEqual(await sandbox.portsInUse('127.0.0.2', [...CONTROL_PLANE_PORTS, CONSOLE_PORT]), []);
    const status = await sandbox.strata(['status', '--dir', dir, '--json']);
    const report = JSON.parse(status.stdout) as { resources: unknown[]; api: { healthy: boolean } };
    assert.deepEqual(report.resources, []);
    assert.equal(report.api.healthy, false);
  });
});
