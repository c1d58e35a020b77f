// The cloud rotation's SSH part end to end, against a cluster that strata
// install made on simulated machines (real sshd, real API server and etcd):
// the controller at the private address the stack outputs give, reached only
// through a jump host (a bastion's sshd that forwards to it alone), its API
// server checked against the API's name. Each step's config objects are the
// cloud's (the programs' mock tests); everything after them runs here.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { PlatformStackOutputs } from '@strata/api';
import { ASSET_PATHS, clusterTopology, parseEncryptionKeys } from '@strata/assets';
import { resolveAllBinaries, resolveBinary } from '@strata/binaries';
import { freePort, PUBLIC_FILE_MODE, runCommand, writeFileAtomic } from '@strata/host';
import {
  authorizedKeysPath,
  onItsOwnHosts,
  placeKubeConfig,
  simulatedMachineAddress,
  startMachineSshd,
  type MachineSshd,
} from '@strata/platform-local/testing';
import { InstallDirectory } from '../install/cluster-dir.ts';
import {
  BareMetalSandbox,
  bareMetalConfigInput,
  machineSpecs,
  parsedConfig,
  SIMULATED_SSH_PORT,
} from '../testing/bare-metal-sandbox.ts';
import { CLOUD_ROTATION_SCRIPT, type CloudRotationInput } from '../testing/cloud-rotation.ts';
import { completedRotation } from '../testing/rotation-output.ts';

describe("the cloud rotation's SSH part, through a jump host (simulated machines)", () => {
  let sandbox: BareMetalSandbox;
  let hosts: string;
  let bastionRoot: string;
  let bastion: MachineSshd;
  // 3, as the bare-metal rotation's test: etcd takes an odd number of members, and the read-only stage needs more than one server.
  const specs = machineSpecs(3, 0);
  const input = () =>
    bareMetalConfigInput({
      name: 'rotcloud',
      endpoint: sandbox.boot.url,
      machines: specs,
      sshKey: sandbox.identity.publicKey,
    });
  const config = () => parsedConfig(input());
  const dir = () => join(sandbox.root, 'rotcloud');
  const namespace = 'cloud-rotation-test';
  const value = `plain-text-${Date.now()}`;
  const bastionLog = () => readFile(join(bastionRoot, 'state', 'logs', 'sshd.log'), 'utf8');

  /** The stack outputs a cloud program would give: the controller at its private address. */
  const outputs = (): PlatformStackOutputs => ({
    apiEndpoint: clusterTopology(config()).apiServerUrl,
    nodes: specs.map((spec, index) => ({
      name: spec.name,
      role: 'controller',
      address: simulatedMachineAddress(index),
    })),
  });

  /** The admin's client of the controller's API server at its address (its certificate names the API). */
  function adminClient(): CoreV1Api {
    const admin = new KubeConfig();
    admin.loadFromFile(new InstallDirectory(dir()).kubeconfigPath);
    const names = new Map([[clusterTopology(config()).apiDnsName, [simulatedMachineAddress(0)]]]);
    return placeKubeConfig(admin, names).makeApiClient(CoreV1Api);
  }

  function rotate(jump: string) {
    const args: CloudRotationInput = {
      config: new InstallDirectory(dir()).configPath,
      dir: dir(),
      outputs: outputs(),
      identityFile: sandbox.identity.privateKey,
      port: SIMULATED_SSH_PORT,
      user: userInfo().username,
      jump,
    };
    const { command, args: wrapped } = onItsOwnHosts(hosts, process.execPath, [
      CLOUD_ROTATION_SCRIPT,
      JSON.stringify(args),
    ]);
    return runCommand(command, wrapped);
  }

  before(async () => {
    await resolveAllBinaries();
    await resolveBinary('pulumi');
    sandbox = await BareMetalSandbox.create();
    hosts = await sandbox.hostsFor(config());
    const configPath = await sandbox.writeConfig('rotcloud.yaml', input());
    const installed = await sandbox.install(hosts, config(), ['--config', configPath, '--dir', dir()]);
    assert.equal(installed.code, 0, installed.stderr);
    const core = adminClient();
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'held' }, stringData: { value } } });
    // The bastion: the user's key, forwarding to the controller's SSH port and nothing else.
    bastionRoot = await mkdtemp(join(tmpdir(), 'strata-bastion-'));
    await writeFileAtomic(
      join(bastionRoot, 'root', authorizedKeysPath('core')),
      `${sandbox.identity.publicKey}\n`,
      PUBLIC_FILE_MODE,
    );
    bastion = await startMachineSshd({
      machine: 'bastion',
      root: join(bastionRoot, 'root'),
      stateDir: join(bastionRoot, 'state'),
      address: '127.0.0.1',
      port: await freePort(),
      forwardTo: specs.map((_, index) => `${simulatedMachineAddress(index)}:${SIMULATED_SSH_PORT}`),
    });
  });

  after(async () => {
    await bastion?.stop();
    await sandbox?.cleanup();
    if (bastionRoot !== undefined) await rm(bastionRoot, { recursive: true, force: true });
  });

  it('a jump host that refuses the user stops the rotation before any key is added, naming the controller', async () => {
    const before = await readFile(join(dir(), 'assets', ASSET_PATHS.encryptionConfig), 'utf8');
    // Nobody of that name may log in on the bastion.
    const result = await rotate(`nobody@127.0.0.1:${bastion.port}`);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /reaching the controllers over SSH failed on 3 controller\(s\)/);
    for (const [index, spec] of specs.entries()) {
      const address = simulatedMachineAddress(index).replaceAll('.', '\\.');
      assert.match(
        result.stderr,
        new RegExp(`^${spec.name}: connecting to \\S+@${address}:${SIMULATED_SSH_PORT} failed: `, 'm'),
      );
    }
    assert.equal(await readFile(join(dir(), 'assets', ASSET_PATHS.encryptionConfig), 'utf8'), before);
  });

  it('rotates through the jump host: every step delivered over the hop, every Secret under the new key', async () => {
    const accepted = (log: string) => log.split('\n').filter((line) => line.includes('Accepted publickey')).length;
    const hopsBefore = accepted(await bastionLog());
    const result = await rotate(`${bastion.loginUser}@127.0.0.1:${bastion.port}`);
    assert.equal(result.code, 0, result.stderr);
    // Three servers, three distributions: each server seen to load each one.
    const done = completedRotation(result.stdout, specs.length);
    assert.equal(done.key, 'strata-2');
    const keys = parseEncryptionKeys(await readFile(join(dir(), 'assets', ASSET_PATHS.encryptionConfig), 'utf8'));
    assert.deepEqual(
      keys.map((key) => key.name),
      ['strata-2'],
    );
    // Reaching, then add, promote and retire, to each controller: each an authenticated hop through the bastion.
    assert.ok(accepted(await bastionLog()) - hopsBefore >= 4 * specs.length, await bastionLog());
    // The key reached the controller's disk over the hop: its API server reads the Secret that was rewritten under it.
    const read = await adminClient().readNamespacedSecret({ name: 'held', namespace });
    assert.equal(Buffer.from(read.data?.['value'] ?? '', 'base64').toString(), value);
  });
});
