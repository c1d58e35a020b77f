// strata rotate encryption-key on a bare-metal cluster that strata install
// made: simulated machines (3 controllers, so the read-only stage matters),
// each step's configuration over SSH to both, then etcd read directly.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';
import { ASSET_PATHS, CERT, clusterTopology, KEY, parseEncryptionKeys } from '@strata/assets';
import { resolveAllBinaries, resolveBinary } from '@strata/binaries';
import { runCommand } from '@strata/host';
import { onItsOwnHosts, placeKubeConfig, simulatedMachineAddress } from '@strata/platform-local/testing';
import { InstallDirectory } from '../install/cluster-dir.ts';
import { BareMetalSandbox, bareMetalConfigInput, machineSpecs, parsedConfig } from '../testing/bare-metal-sandbox.ts';
import { completedRotation, rotationLineSchema, type RotationLine } from '../testing/rotation-output.ts';

const etcdGetSchema = z.object({
  kvs: z.array(z.object({ key: z.string(), value: z.string() })).optional(),
});

describe('strata rotate encryption-key on bare metal (simulated machines)', () => {
  let sandbox: BareMetalSandbox;
  let hosts: string;
  // 3: etcd takes an odd number of members, and the read-only stage needs more than one server.
  const specs = machineSpecs(3, 0);
  const input = () =>
    bareMetalConfigInput({
      name: 'rot',
      endpoint: sandbox.boot.url,
      machines: specs,
      sshKey: sandbox.identity.publicKey,
    });
  const config = () => parsedConfig(input());
  const dir = () => join(sandbox.root, 'rot');
  const namespace = 'rotation-test';
  const values = new Map([0, 1, 2].map((index) => [`held-${index}`, `plain-text-${index}-${Date.now()}`]));
  /** install's --ssh-* flags, for the rotation (the write API flags are install's alone). */
  const sshArgs = () => {
    const at = sandbox.bootApiArgs.indexOf('--ssh-identity');
    return sandbox.bootApiArgs.slice(at);
  };
  const keysInAssets = async () =>
    parseEncryptionKeys(await readFile(join(dir(), 'assets', ASSET_PATHS.encryptionConfig), 'utf8')).map(
      (key) => key.name,
    );

  /** Every Secret's stored bytes, straight from etcd on the controllers (etcdctl resolving the machines' names). */
  async function storedSecrets(): Promise<Map<string, string>> {
    const asset = (path: string) => join(dir(), 'assets', path);
    const etcdctl = await resolveBinary('etcdctl');
    const endpoints = specs.map((spec) => `https://${spec.name}.dc1.example.com:2379`).join(',');
    const { command, args } = onItsOwnHosts(hosts, etcdctl, [
      `--endpoints=${endpoints}`,
      `--cacert=${asset(CERT(ASSET_PATHS.etcdCa))}`,
      `--cert=${asset(CERT(ASSET_PATHS.apiserverEtcdClient))}`,
      `--key=${asset(KEY(ASSET_PATHS.apiserverEtcdClient))}`,
      'get',
      '/registry/secrets/',
      '--prefix',
      '--write-out=json',
    ]);
    const result = await runCommand(command, args);
    assert.equal(result.code, 0, result.stderr);
    const decode = (text: string) => Buffer.from(text, 'base64').toString('latin1');
    return new Map(
      (etcdGetSchema.parse(JSON.parse(result.stdout)).kvs ?? []).map((kv) => [decode(kv.key), decode(kv.value)]),
    );
  }

  /** A client of one controller's own API server (its address; its certificate names the machine). */
  function controllerClient(index: number): CoreV1Api {
    const admin = new KubeConfig();
    admin.loadFromFile(new InstallDirectory(dir()).kubeconfigPath);
    // The API's name at this controller's address alone.
    const names = new Map([[clusterTopology(config()).apiDnsName, [simulatedMachineAddress(index)]]]);
    return placeKubeConfig(admin, names).makeApiClient(CoreV1Api);
  }

  before(async () => {
    await resolveAllBinaries();
    await resolveBinary('pulumi');
    sandbox = await BareMetalSandbox.create();
    hosts = await sandbox.hostsFor(config());
    const configPath = await sandbox.writeConfig('rot.yaml', input());
    const installed = await sandbox.install(hosts, config(), ['--config', configPath, '--dir', dir()]);
    assert.equal(installed.code, 0, installed.stderr);
    const core = controllerClient(0);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    for (const [name, value] of values) {
      await core.createNamespacedSecret({ namespace, body: { metadata: { name }, stringData: { value } } });
    }
  });

  after(async () => {
    await sandbox?.cleanup();
  });

  it("a controller that SSH cannot reach stops the rotation before any key is added, naming it and ssh's error", async () => {
    const before = await keysInAssets();
    // Port 1: nothing listens there on any controller's address.
    const args = sshArgs().map((arg, index, all) => (all[index - 1] === '--ssh-port' ? '1' : arg));
    const result = await sandbox.strataOnNames(hosts, ['rotate', 'encryption-key', '--dir', dir(), ...args]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /reaching the controllers over SSH failed on 3 controller\(s\)/);
    for (const spec of specs) {
      assert.match(
        result.stderr,
        new RegExp(
          `^${spec.name}: connecting to \\S+@${spec.name}\\.dc1\\.example\\.com:1 failed: ssh: connect to host ${spec.name}\\.dc1\\.example\\.com port 1: Connection refused$`,
          'm',
        ),
      );
    }
    assert.deepEqual(await keysInAssets(), before);
  });

  it('a rotation killed after its first stage resumes with the same key, and ends with every Secret under it', async () => {
    assert.deepEqual(await keysInAssets(), ['strata-1']);
    const args = ['rotate', 'encryption-key', '--dir', dir(), '--json', ...sshArgs()];
    // Killed as it starts promoting: every server has loaded the new key as one that only reads.
    const first = sandbox.spawnStrata(hosts, args);
    assert.ok(first.stdout);
    const firstEvents: RotationLine[] = [];
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      first.once('exit', (_code, signal) => resolve(signal)),
    );
    createInterface({ input: first.stdout }).on('line', (line) => {
      if (line.trim() === '') return;
      const event = rotationLineSchema.parse(JSON.parse(line));
      firstEvents.push(event);
      if (event.kind === 'step' && event['step'] === 'promote') first.kill('SIGKILL');
    });
    assert.equal(await exited, 'SIGKILL', `the first run ended by itself: ${JSON.stringify(firstEvents)}`);
    assert.equal(firstEvents.filter((event) => event.kind === 'loaded').length, specs.length);
    assert.deepEqual((await keysInAssets()).sort(), ['strata-1', 'strata-2']);

    const result = await sandbox.strataOnNames(hosts, args);
    assert.equal(result.code, 0, result.stderr);
    // Three servers, three distributions: each server seen to load each one.
    const done = completedRotation(result.stdout, specs.length);
    // The key the killed run added, not a third one.
    assert.equal(done.key, 'strata-2');
    assert.ok(done.secretsRewritten >= values.size, `rewrote ${done.secretsRewritten}`);
    assert.deepEqual(await keysInAssets(), ['strata-2']);

    const stored = await storedSecrets();
    for (const name of values.keys()) assert.ok(stored.has(`/registry/secrets/${namespace}/${name}`), name);
    for (const [key, value] of stored) {
      assert.ok(value.startsWith('k8s:enc:secretbox:v1:strata-2:'), `${key} is not under strata-2`);
      for (const plain of values.values()) assert.ok(!value.includes(plain), `${key} holds a value in plain text`);
    }
    for (const index of specs.keys()) {
      const core = controllerClient(index);
      for (const [name, value] of values) {
        const read = await core.readNamespacedSecret({ name, namespace });
        assert.equal(
          Buffer.from(read.data?.['value'] ?? '', 'base64').toString(),
          value,
          `${specs[index]?.name}: ${name}`,
        );
      }
    }
  });
});
