// A key rotation's steps through the AWS program under Pulumi's mocks: each
// step's encryption configuration lands in every controller's S3 object, and
// nothing else would change (the instances' user data, a pointer with the
// object's hash, is under ignoreChanges). AWS itself cannot run here.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { ASSET_PATHS, parseEncryptionKeys } from '@strata/assets';
import { changedBeyondConfigObjects, checkRotationThroughProgram } from '@strata/assets/testing';
import { awsProgram } from './program.ts';
import { CONTROLLER_CONFIG_TYPE } from './resources/controllers.ts';
import { anAwsConfig, renderDir, runWithMocks, type RegisteredResource, type RenderDir } from './testing/index.ts';

describe('a key rotation through the AWS program (mock)', () => {
  const config = anAwsConfig({ controllers: 3 });
  let dir: RenderDir;
  let installed: readonly RegisteredResource[];

  before(async () => {
    dir = await renderDir();
    installed = (await runWithMocks(awsProgram(await dir.render(config)))).resources;
  });
  after(() => dir?.remove());

  it("each step's encryption configuration lands in every controller's object, and nothing else changes", async () => {
    await checkRotationThroughProgram({
      dir,
      config,
      installed,
      configType: CONTROLLER_CONFIG_TYPE,
      machineType: 'aws:ec2/instance:Instance',
      pointer: 'userData',
      run: async (input) => (await runWithMocks(awsProgram(input))).resources,
      content: (object) => z.string().parse(object.inputs['content']),
      isSecret: (object) => object.secretInputs.has('content'),
    });
    // The steps did rotate: one new key writes, the old one is gone.
    const keys = parseEncryptionKeys(await readFile(join(dir.dir, ASSET_PATHS.encryptionConfig), 'utf8'));
    assert.deepEqual(
      keys.map((key) => key.name),
      ['strata-2'],
    );
  });

  it('the check itself sees a change beyond the objects: a render with another worker count', async () => {
    const { resources } = await runWithMocks(
      awsProgram(await dir.render(anAwsConfig({ controllers: 3, workerPools: [{ name: 'worker', count: 5 }] }))),
    );
    const problems = changedBeyondConfigObjects(installed, resources, CONTROLLER_CONFIG_TYPE);
    assert.ok(
      problems.some((problem) => problem.startsWith('changed aws:autoscaling/group:Group')),
      problems.join('\n'),
    );
  });
});
