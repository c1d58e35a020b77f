import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { httpsRequest, runCommand } from '@strata/host';
import { resolveAllBinaries } from '@strata/binaries';
import { waitFor } from '@strata/harness';
import { runStrata } from '../testing/run-strata.ts';
import { withTestSysextPin } from '@strata/assets/testing';

const STRATA = fileURLToPath(new URL('../../bin/strata.js', import.meta.url));

/** Processes whose command line mentions `dir`: what a cluster directory's components look like in ps. */
async function processesUsing(dir: string): Promise<string[]> {
  const ps = await runCommand('ps', ['-eo', 'pid=,args=']);
  return ps.stdout
    .split('\n')
    .filter((line) => line.includes(dir) && !line.includes(' ps '))
    .map((line) => line.trim());
}

describe('strata up and strata down', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  /** Starts `strata up --json` and resolves with its ready line, or rejects with its stderr if it exits first. */
  async function startUp(args: readonly string[]) {
    const up = spawn(process.execPath, [STRATA, 'up', ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    up.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => up.on('exit', resolve));
    const line = await Promise.race([
      new Promise<string>((resolve) => createInterface({ input: up.stdout }).once('line', resolve)),
      exited.then((code) => {
        throw new Error(`strata up exited with ${code} before the cluster was ready:\n${stderr}`);
      }),
    ]);
    return {
      ready: JSON.parse(line) as {
        kubeconfig: string;
        console: string;
        consoleCa: string;
        clusterConsole?: string;
        consoleToken: string;
        server: string;
        nodes: string[];
      },
      exited,
    };
  }

  it('brings up a local cluster that kubectl sees, strata down leaves no process, and a second up reuses keys and state', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-up-'));
    dirs.push(dir);
    const { ready, exited } = await startUp(['--dir', dir, '--workers', '2']);
    assert.equal(ready.nodes.length, 3);
    // The web console at its fixed address, over TLS from the cluster CA (up-console.integration.test.ts signs in).
    assert.equal(ready.console, 'https://127.0.0.1:8443');
    assert.equal(ready.consoleCa, join(dir, 'assets/tls/ca.crt'));
    const consoleTls = { ca: await readFile(ready.consoleCa, 'utf8') };
    assert.equal((await httpsRequest(`${ready.console}/healthz`, consoleTls)).status, 200);
    // And the cluster's own console, the pod on the first controller (ADR 0070), with the same CA.
    assert.equal(ready.clusterConsole, 'https://127.0.0.2:30443');
    const clusterConsole = ready.clusterConsole;
    await waitFor(
      "the cluster's console pod to answer",
      async () => {
        // Refused until the pod listens; any other failure (a TLS error, say) is the test's.
        const answer = await httpsRequest(`${clusterConsole}/healthz`, consoleTls).catch((error: unknown) => {
          if (error instanceof Error && 'code' in error && error.code === 'ECONNREFUSED') return undefined;
          throw error;
        });
        return answer?.status === 200 ? true : undefined;
      },
      120_000,
    );

    const { kubectl } = await resolveAllBinaries();
    const get = (args: readonly string[]) => runCommand(kubectl, [`--kubeconfig=${ready.kubeconfig}`, 'get', ...args]);
    const nodes = await get([
      'nodes',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name} {.status.nodeInfo.osImage} {.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
    ]);
    assert.equal(nodes.code, 0, nodes.stderr);
    const rows = nodes.stdout.trim().split('\n');
    assert.equal(rows.length, 3);
    for (const row of rows) assert.match(row, /Flatcar Container Linux by Kinvolk .* True$/);
    assert.ok((await processesUsing(dir)).length >= 4, 'etcd, the API server, controller-manager and scheduler run');
    // The console's first user: a private token file, whose token may pause an UpdatePolicy and not cordon a node.
    assert.equal((await stat(ready.consoleToken)).mode & 0o777, 0o600);
    const canI = async (verb: string, resource: string) => {
      const answer = await runCommand(kubectl, [
        '--kubeconfig=/dev/null',
        `--server=${ready.server}`,
        `--certificate-authority=${join(dir, 'assets/tls/ca.crt')}`,
        `--token=${(await readFile(ready.consoleToken, 'utf8')).trim()}`,
        'auth',
        'can-i',
        verb,
        resource,
      ]);
      return answer.stdout.trim();
    };
    assert.equal(await canI('patch', 'updatepolicies.update.strata.dev'), 'yes');
    assert.equal(await canI('watch', 'nodes'), 'yes');
    assert.equal(await canI('patch', 'nodes'), 'no');
    assert.equal(await canI('get', 'secrets'), 'no');
    const identity = async () => ({
      ca: await readFile(join(dir, 'assets/tls/ca.crt'), 'utf8'),
      csrs: (await get(['csr', '-o', 'name'])).stdout.trim().split('\n').sort(),
      nodes: (await get(['nodes', '-o', 'jsonpath={.items[*].metadata.uid}'])).stdout,
    });
    const first = await identity();

    const again = await runStrata(['up', '--dir', dir]);
    assert.equal(again.code, 1, 'a second strata up on the same directory is refused');
    assert.match(again.stderr, /already runs the cluster/);

    const down = await runStrata(['down', '--dir', dir]);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(await exited, 0);
    await assert.rejects(httpsRequest(`${ready.console}/healthz`, consoleTls), /ECONNREFUSED/);
    await waitFor(
      'every component to exit',
      async () => ((await processesUsing(dir)).length === 0 ? true : undefined),
      20_000,
    );

    // Up again: same CA, same Node objects (etcd kept its data), and no new CSR (nodes kept their certificates).
    const second = await startUp(['--dir', dir, '--workers', '2']);
    assert.deepEqual(await identity(), first);
    assert.equal((await runStrata(['down', '--dir', dir])).code, 0);
    assert.equal(await second.exited, 0);
    await waitFor(
      'every component to exit',
      async () => ((await processesUsing(dir)).length === 0 ? true : undefined),
      20_000,
    );
  });

  it('of two strata up started at once on one directory, one runs the cluster and the other is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-up-'));
    dirs.push(dir);
    // Both pass their checks at about the same time; the start lock lets only one through to the pid file.
    const outcomes = await Promise.allSettled([
      startUp(['--dir', dir, '--workers', '1']),
      startUp(['--dir', dir, '--workers', '1']),
    ]);
    const running = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [String(outcome.reason)] : []));
    assert.equal(running.length, 1, `one runs the cluster; refused: ${refused.join('\n')}`);
    assert.equal(refused.length, 1);
    assert.match(refused[0] ?? '', /strata up exited with 1 [^]*already runs the cluster/);
    assert.equal((await runStrata(['down', '--dir', dir])).code, 0);
    assert.equal(await running[0]?.exited, 0);
    await waitFor(
      'every component to exit',
      async () => ((await processesUsing(dir)).length === 0 ? true : undefined),
      20_000,
    );
  });

  it('refuses a cluster.yaml for another platform before starting anything', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-up-'));
    dirs.push(dir);
    const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));
    // A valid AWS config: the example with the kubelet extension pinned, as its user would have it.
    const config = join(dir, 'aws.yaml');
    await writeFile(config, withTestSysextPin(await readFile(join(examples, 'aws.yaml'), 'utf8')));
    const result = await runStrata(['up', '--config', config, '--dir', join(dir, 'cluster')]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /for platform "aws"; strata up runs only platform: local/);
    assert.deepEqual(await processesUsing(dir), []);
  });

  it('refuses a cluster directory that belongs to another cluster', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-up-'));
    dirs.push(dir);
    await writeFile(
      join(dir, 'cluster.json'),
      JSON.stringify({ name: 'other', platform: 'local', createdAt: new Date().toISOString() }),
    );
    const result = await runStrata(['up', '--dir', dir]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /holds the local cluster "other", not "local"/);
  });

  it('refuses to start when a port it needs is taken, naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-up-'));
    dirs.push(dir);
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(6443, '127.0.0.2', resolve));
    try {
      const result = await runStrata(['up', '--dir', dir]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /127\.0\.0\.2:6443 \(kube-apiserver of local-controller-0\) is already in use/);
      assert.deepEqual(await processesUsing(dir), []);
    } finally {
      squatter.close();
    }
  });
});
