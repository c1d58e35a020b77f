// A key rotation's steps through the Azure program under Pulumi's mocks: each
// step's encryption configuration lands in every controller's blob, and
// nothing else would change (the machines' custom data, a pointer with the
// blob's hash, is under ignoreChanges). Azure itself cannot run here.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import {
  ASSET_PATHS,
  clusterTopology,
  type EncryptionKeyRotationStep,
  type PlatformProgramInput,
} from '@strata/assets';
import { changedBeyondConfigObjects, encryptionConfigOf, type RecordedProgramResource } from '@strata/assets/testing';
import { azureProgram } from './program.ts';
import { CONTROLLER_CONFIG_TYPE } from './resources/controllers.ts';
import { anAzureConfig, renderDirectory, type RenderDirectory } from './testing/fixtures.ts';
import { isSecretInput, revealed, runMocked } from './testing/mock-run.ts';

const STEPS: readonly EncryptionKeyRotationStep[] = ['add', 'promote', 'retire'];
/** A blob's source: a text asset, whose text Pulumi holds as a promise. */
async function assetText(value: unknown): Promise<string> {
  assert.ok(typeof value === 'object' && value !== null && 'text' in value, 'the source is not a text asset');
  return z.string().parse(await value.text);
}

/** Each resource with its inputs revealed, and each blob's text, as the check reads them. */
async function mockResources(input: PlatformProgramInput) {
  const run = await runMocked(azureProgram(input));
  const resources = run.resources.map((resource) => ({
    type: resource.type,
    name: resource.name,
    inputs: z.record(z.string(), z.unknown()).parse(revealed(resource.inputs)),
    raw: resource.inputs,
    ignoreChanges: resource.ignoreChanges,
  })) satisfies RecordedProgramResource[];
  const blobs = await Promise.all(
    resources
      .filter((resource) => resource.type === CONTROLLER_CONFIG_TYPE)
      .map(async (blob) => ({ blob, text: await assetText(blob.inputs['source']) })),
  );
  return { resources, blobs };
}

describe('a key rotation through the Azure program (mock)', () => {
  const config = anAzureConfig({ controllers: 3 });
  let dir: RenderDirectory;
  let installed: RecordedProgramResource[];

  before(async () => {
    dir = await renderDirectory();
    installed = (await mockResources(await dir.render(config))).resources;
  });
  after(() => dir?.remove());

  it("each step's encryption configuration lands in every controller's blob, and nothing else changes", async () => {
    let previous = installed;
    for (const step of STEPS) {
      const input = await dir.renderRotationStep(config, step);
      const expected = await readFile(join(dir.dir, ASSET_PATHS.encryptionConfig), 'utf8');
      const { resources, blobs } = await mockResources(input);
      assert.deepEqual(changedBeyondConfigObjects(previous, resources, CONTROLLER_CONFIG_TYPE), [], step);
      assert.equal(blobs.length, clusterTopology(config).controllers.length);
      for (const { blob, text } of blobs) {
        assert.equal(encryptionConfigOf(text), expected, `${step}: ${blob.name}`);
        assert.ok(isSecretInput(blob.raw['source']), `${blob.name}: source kept secret`);
      }
      for (const machine of resources.filter((resource) => resource.type === 'azure-native:compute:VirtualMachine')) {
        assert.deepEqual(machine.ignoreChanges, ['osProfile.customData'], machine.name);
      }
      previous = resources;
    }
  });

  it("without the machines' ignoreChanges, the check would see them change", async () => {
    const { resources } = await mockResources(await dir.renderRotationStep(config, 'add'));
    const problems = changedBeyondConfigObjects(
      installed,
      resources.map((resource) => ({ ...resource, ignoreChanges: [] })),
      CONTROLLER_CONFIG_TYPE,
    );
    assert.equal(
      problems.filter((problem) => problem.startsWith('changed azure-native:compute:VirtualMachine::')).length,
      clusterTopology(config).controllers.length,
      problems.join('\n'),
    );
  });
});
