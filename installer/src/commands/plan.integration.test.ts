// strata plan on a directory install has not made yet, through the real CLI
// and the real Pulumi engine: the config is rendered into a scratch
// directory, every resource previews as a create, and nothing is written
// into the cluster directory, the user's config or the boot server.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAllBinaries, resolveBinary } from '@strata/binaries';
import { installEventSchema, type InstallEvent, type ResourceChange } from '../install/events.ts';
import { InstallSandbox, localConfigYaml } from '../testing/install-sandbox.ts';
import { BareMetalSandbox, bareMetalConfigInput, machineSpecs } from '../testing/bare-metal-sandbox.ts';

function previewOf(stdout: string): ResourceChange[] {
  const events: InstallEvent[] = stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => installEventSchema.parse(JSON.parse(line)));
  const previews = events.flatMap((event) => (event.type === 'preview' ? [event.changes] : []));
  assert.equal(previews.length, 1, `expected one preview in:\n${stdout}`);
  return previews[0] ?? [];
}

/** The scratch directories plan leaves in the temporary directory: none once it has exited. */
async function planScratches(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => name.startsWith('strata-plan-'));
}

describe('strata plan on a fresh cluster directory', () => {
  before(async () => {
    await resolveAllBinaries();
    await resolveBinary('pulumi');
  });

  describe('local', () => {
    let sandbox: InstallSandbox;
    before(async () => {
      sandbox = await InstallSandbox.create();
    });
    after(async () => {
      await sandbox?.cleanup();
    });

    it('previews the cluster as a create, and leaves no directory, no scratch and the config as it was', async () => {
      const text = localConfigYaml({ name: 'fresh', workers: 2 });
      const configPath = await sandbox.writeConfig('cluster.yaml', text);
      const dir = join(sandbox.root, 'fresh');
      const scratchesBefore = await planScratches();
      const result = await sandbox.strata(['plan', '--config', configPath, '--dir', dir, '--json']);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(
        previewOf(result.stdout).map(({ op, type, name }) => ({ op, type, name })),
        [{ op: 'create', type: 'pulumi-nodejs:dynamic/strata-local:Cluster', name: 'cluster' }],
      );
      await assert.rejects(stat(dir), { code: 'ENOENT' });
      assert.equal(await readFile(configPath, 'utf8'), text);
      const left = (await planScratches()).filter((name) => !scratchesBefore.includes(name));
      assert.deepEqual(left, []);
    });
  });

  describe('bare metal', () => {
    let sandbox: BareMetalSandbox;
    before(async () => {
      sandbox = await BareMetalSandbox.create();
    });
    after(async () => {
      await sandbox?.cleanup();
    });

    it("previews every machine's profiles, groups and Ignition as creates, and registers nothing", async () => {
      const specs = machineSpecs(1, 2);
      const configPath = await sandbox.writeConfig(
        'cluster.yaml',
        bareMetalConfigInput({
          name: 'rack1',
          endpoint: sandbox.boot.url,
          machines: specs,
          sshKey: sandbox.identity.publicKey,
        }),
      );
      const before = await readFile(configPath, 'utf8');
      const dir = join(sandbox.root, 'rack1');
      const result = await sandbox.strata([
        'plan',
        '--config',
        configPath,
        '--dir',
        dir,
        '--json',
        ...sandbox.bootApiArgs,
      ]);
      assert.equal(result.code, 0, result.stderr);
      const changes = previewOf(result.stdout);
      assert.deepEqual(
        changes.filter((change) => change.op !== 'create'),
        [],
      );
      const count = (type: string) => changes.filter((change) => change.type.endsWith(`strata-boot:${type}`)).length;
      // Per machine an install and an installed profile and group; Ignition for every profile to serve.
      assert.equal(count('Profile'), 2 * specs.length);
      assert.equal(count('Group'), 2 * specs.length);
      assert.ok(count('Ignition') >= specs.length, `Ignition creates: ${count('Ignition')}`);
      for (const spec of specs) {
        assert.ok(
          changes.some((change) => change.type.endsWith('strata-boot:Group') && change.name.includes(spec.name)),
          `no group for ${spec.name}`,
        );
      }
      await assert.rejects(stat(dir), { code: 'ENOENT' });
      assert.equal(await readFile(configPath, 'utf8'), before);
      assert.deepEqual(await sandbox.client.listGroups(), []);
      assert.deepEqual(await sandbox.client.listProfiles(), []);
    });
  });
});
