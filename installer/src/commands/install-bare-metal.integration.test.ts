// strata install and destroy on bare metal, through the real CLI: a real boot
// server and write API, the real Pulumi engine, simulated machines that
// network-boot from the boot server, real sshd on each controller, and the
// control plane they run from the delivered secrets: 3 controllers and 3
// workers, powered on with `strata machines start` as a user does: started
// first, they boot once the installer has registered them.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { resolveAllBinaries, resolveBinary } from '@strata/binaries';
import { waitFor } from '@strata/host';
import { aGroup } from '@strata/boot-server/testing';
import { placeKubeConfig } from '@strata/platform-local/testing';
import { processesOf } from '../install/local/processes.ts';
import { InstallDirectory } from '../install/cluster-dir.ts';
import { installEventSchema, type InstallEvent } from '../install/events.ts';
import { filesUnder } from '../testing/install-secrets.ts';
import { BareMetalSandbox, bareMetalConfigInput, machineSpecs, parsedConfig } from '../testing/bare-metal-sandbox.ts';
import type { StrataProcess } from '../testing/strata-process.ts';

interface Run {
  readonly events: InstallEvent[];
  readonly stderr: string[];
  readonly exit: Promise<number | null>;
}

/** Follows a running CLI's --json events as they come. */
function follow(child: ChildProcess): Run {
  const events: InstallEvent[] = [];
  const stderr: string[] = [];
  assert.ok(child.stdout && child.stderr);
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.trim() === '') return;
    const parsed = installEventSchema.safeParse(JSON.parse(line));
    if (!parsed.success) return;
    events.push(parsed.data);
  });
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { events, stderr, exit };
}

const progressOf = (events: readonly InstallEvent[]): string[] =>
  events.flatMap((event) => (event.type === 'phase-progress' ? [event.message] : []));

describe('strata install on bare metal (simulated machines)', () => {
  let sandbox: BareMetalSandbox;
  let machines: StrataProcess | undefined;
  const specs = machineSpecs(3, 3);

  before(async () => {
    await resolveAllBinaries();
    await resolveBinary('pulumi');
    sandbox = await BareMetalSandbox.create();
  });

  after(async () => {
    if (machines !== undefined && machines.child.exitCode === null) await machines.stop('SIGTERM');
    await sandbox?.cleanup();
  });

  it('preflight lists an unreachable boot server and a MAC another cluster holds together, and creates nothing (exit 4)', async () => {
    const taken = specs[1];
    assert.ok(taken);
    await sandbox.client.putGroup(aGroup({ id: 'rack9-old-node', profile: 'old', selector: { mac: taken.mac } }));
    try {
      // Port 1 on loopback: nothing listens there.
      const unreachable = 'http://127.0.0.1:1';
      const config = await sandbox.writeConfig(
        'preflight.yaml',
        bareMetalConfigInput({
          name: 'pre',
          endpoint: unreachable,
          machines: specs,
          sshKey: sandbox.identity.publicKey,
        }),
      );
      const dir = join(sandbox.root, 'pre');
      const result = await sandbox.strata(['install', '--config', config, '--dir', dir, ...sandbox.bootApiArgs]);
      assert.equal(result.code, 4, result.stderr);
      assert.match(result.stderr, /2 preflight checks failed; nothing was created/);
      assert.match(
        result.stderr,
        /boot server at http:\/\/127\.0\.0\.1:1 .*not reachable: GET http:\/\/127\.0\.0\.1:1\/boot\.ipxe failed/,
      );
      assert.match(
        result.stderr,
        new RegExp(`MAC ${taken.mac} of ${taken.name} is already selected .*"rack9-old-node"`),
      );
      await assert.rejects(stat(dir), { code: 'ENOENT' });
      assert.deepEqual(
        (await sandbox.client.listProfiles()).map((profile) => profile.id).filter((id) => id.startsWith('pre-')),
        [],
      );
    } finally {
      await sandbox.client.deleteGroup('rack9-old-node');
    }
  });

  it('a key that is not in sshAuthorizedKeys is a preflight failure naming the file', async () => {
    const config = await sandbox.writeConfig(
      'stranger.yaml',
      bareMetalConfigInput({
        name: 'stranger',
        endpoint: sandbox.boot.url,
        machines: specs,
        // Another key than the sandbox's identity.
        sshKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKRNkThcvD8KWu8Mejxa29enICHJDP5j1sTxRpzjodJp alice@example.com',
      }),
    );
    const result = await sandbox.strata([
      'install',
      '--config',
      config,
      '--dir',
      join(sandbox.root, 'stranger'),
      ...sandbox.bootApiArgs,
    ]);
    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stderr, /1 preflight check failed/);
    assert.ok(
      result.stderr.includes(`the SSH identity ${sandbox.identity.privateKey} is not one of sshAuthorizedKeys`),
    );
  });

  const input = () =>
    bareMetalConfigInput({
      name: 'sim',
      endpoint: sandbox.boot.url,
      machines: specs,
      sshKey: sandbox.identity.publicKey,
    });
  const dir = () => join(sandbox.root, 'sim');
  const machinesDir = () => join(sandbox.root, 'machines', 'sim');
  let installOutput = '';

  it('installs 3 controllers and 3 workers to Ready: registered, secrets delivered over SSH, every node Ready', async (t) => {
    const configPath = await sandbox.writeConfig('sim.yaml', input());
    const config = parsedConfig(input());
    const hosts = await sandbox.hostsFor(config);
    // As a user does: the machines first (they wait until the boot server knows them, as firmware retries PXE).
    machines = sandbox.startMachinesCommand(configPath, machinesDir());
    await machines.waitForStderr(/run strata install now/, 60_000);
    const child = sandbox.spawnStrata(hosts, [
      'install',
      '--config',
      configPath,
      '--dir',
      dir(),
      '--json',
      ...sandbox.bootApiArgs,
    ]);
    const run = follow(child);
    const code = await run.exit;
    installOutput = `${run.stderr.join('')}\n${JSON.stringify(run.events)}`;
    assert.equal(code, 0, `${run.stderr.join('')}\n${progressOf(run.events).join('\n')}`);
    assert.match(machines.stderr, /every machine is known: powering 6 on/);
    const progress = progressOf(run.events);
    for (const controller of ['ctrl1', 'ctrl2', 'ctrl3']) {
      assert.ok(
        progress.includes(`${controller}: sshd reachable at ${controller}.dc1.example.com:2222`),
        progress.join('\n'),
      );
      assert.ok(
        progress.some((line) => new RegExp(`^${controller}: \\d+ withheld file\\(s\\) delivered over SSH$`).test(line)),
      );
    }
    const succeeded = run.events.flatMap((event) => (event.type === 'phase-succeeded' ? [event.phase] : []));
    assert.deepEqual(succeeded, ['preflight', 'render', 'provision', 'wait-api', 'bootstrap', 'wait-nodes', 'summary']);

    // Seen from outside the installer: every machine a Ready node.
    const admin = new KubeConfig();
    admin.loadFromFile(new InstallDirectory(dir()).kubeconfigPath);
    const core = placeKubeConfig(admin, sandbox.namesFor(config)).makeApiClient(CoreV1Api);
    const ready = await waitFor(
      'the nodes listed Ready',
      async () => {
        const nodes = await core.listNode();
        const names = nodes.items
          .filter((node) => node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
          .map((node) => node.metadata?.name ?? '')
          .sort();
        return names.length === specs.length ? names : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 500, retryErrors: true },
    );
    assert.deepEqual(ready, ['ctrl1', 'ctrl2', 'ctrl3', 'node1', 'node2', 'node3']);
    // What the user saw in the machines' terminal: each booted, a controller waited for its secrets, all run.
    for (const spec of specs) await machines.waitForStderr(new RegExp(`^${spec.name} +running`, 'm'), 10_000);
    for (const controller of ['ctrl1', 'ctrl2', 'ctrl3'])
      assert.match(machines.stderr, new RegExp(`^${controller} +waiting for its secrets over SSH`, 'm'));
    // The boot server recorded each machine's boot script and Ignition config (GET /v1/served), the record the wait
    // for the nodes reads for a machine without a Node; each machine's reported state ended Ready.
    const served = await sandbox.client.listServed();
    for (const spec of specs) {
      const record = served.find((candidate) => candidate.mac === spec.mac.toLowerCase().replaceAll('-', ':'));
      assert.ok(record?.bootScriptAt !== undefined && record.ignitionAt !== undefined, JSON.stringify(served));
    }
    t.diagnostic(
      `machine states: ${run.events.flatMap((event) => (event.type === 'machine-state' ? [`${event.machine}=${event.state}`] : [])).join(', ')}`,
    );
    const lastStates = new Map<string, string>();
    for (const event of run.events) if (event.type === 'machine-state') lastStates.set(event.machine, event.state);
    assert.deepEqual(Object.fromEntries(lastStates), Object.fromEntries(specs.map((spec) => [spec.name, 'ready'])));
    for (const event of run.events)
      if (event.type === 'machine-state' && (event.state === 'booting' || event.state === 'ignition-fetched'))
        assert.match(event.source, /^boot server served /);
    // The controller's host key was pinned in the cluster directory on first contact.
    assert.ok((await stat(join(dir(), 'known_hosts'))).size > 0);
  });

  it("no private key (the cluster's, the write API client's, the SSH identity) appears in the output, journal or state", async () => {
    const pemBody = (pem: string) => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    const keyFiles = [
      ...(await filesUnder(join(dir(), 'assets', 'tls'))).filter((path) => path.endsWith('.key')),
      join(sandbox.root, 'boot-api', 'client.key'),
      sandbox.identity.privateKey,
    ];
    const secrets = await Promise.all(
      keyFiles.map(async (path) => ({ what: path, needle: pemBody(await readFile(path, 'utf8')) })),
    );
    assert.ok(secrets.length >= 5, `found only ${secrets.length} keys to look for`);
    const haystacks = new Map<string, string>([['CLI output', installOutput]]);
    for (const path of [
      join(dir(), 'journal.jsonl'),
      join(dir(), 'install.json'),
      join(dir(), 'known_hosts'),
      ...(await filesUnder(join(dir(), 'state', '.pulumi'))),
    ])
      haystacks.set(path, await readFile(path, 'utf8'));
    const normalize = (text: string) => text.replace(/\\n|\s/g, '');
    for (const [where, text] of haystacks) {
      const flat = normalize(text);
      for (const secret of secrets) assert.ok(!flat.includes(secret.needle), `${secret.what} appears in ${where}`);
    }
  });

  it('destroy removes every profile, group and Ignition config of the cluster from the boot server', async () => {
    const before = (await sandbox.client.listProfiles()).filter((profile) => profile.id.startsWith('sim-'));
    assert.equal(before.length, specs.length * 2, 'install registered two profiles per machine');
    const result = await sandbox.strata(['destroy', '--dir', dir(), '--yes']);
    assert.equal(result.code, 0, result.stderr);
    const ofCluster = (ids: readonly string[]) => ids.filter((id) => id.startsWith('sim-'));
    assert.deepEqual(ofCluster((await sandbox.client.listProfiles()).map((profile) => profile.id)), []);
    assert.deepEqual(ofCluster((await sandbox.client.listGroups()).map((group) => group.id)), []);
    assert.deepEqual(ofCluster(await sandbox.client.listTemplates('ignition')), []);
  });

  it("Ctrl-C in the machines' terminal powers every machine off: exit 0, none of their processes left", async () => {
    assert.ok(machines, 'the install test started the machines');
    assert.ok((await processesOf(machinesDir())).length > 0, 'the machines run processes under their disks');
    const { code } = await machines.stop('SIGINT');
    assert.equal(code, 0, machines.stderr);
    assert.match(machines.stderr, /stopped; nothing of the machines is left running/);
    assert.deepEqual(await processesOf(machinesDir()), []);
  });
});
