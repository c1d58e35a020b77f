// A key rotation's steps through the Azure program under Pulumi's mocks: each
// step's encryption configuration lands in every controller's blob, and
// nothing else would change (the machines' custom data, a pointer with the
// blob's hash, is under ignoreChanges). Azure itself cannot run here.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { clusterTopology, type PlatformProgramInput } from '@strata/assets';
import {
  changedBeyondConfigObjects,
  checkRotationThroughProgram,
  type RecordedProgramResource,
} from '@strata/assets/testing';
import { azureProgram } from './program.ts';
import { CONTROLLER_CONFIG_TYPE } from './resources/controllers.ts';
import { anAzureConfig, renderDirectory, type RenderDirectory } from './testing/fixtures.ts';
import { isSecretInput, revealed, runMocked } from './testing/mock-run.ts';

/** A blob's source: a text asset, whose text Pulumi holds as a promise. */
async function assetText(value: unknown): Promise<string> {
  assert.ok(typeof value === 'object' && value !== null && 'text' in value, 'the source is not a text asset');
  return z.string().parse(await value.text);
}

/** Each resource with its inputs revealed and its ignoreChanges, as the check reads them. */
async function mockResources(input: PlatformProgramInput) {
  const run = await runMocked(azureProgram(input));
  return run.resources.map((resource) => ({
    type: resource.type,
    name: resource.name,
    inputs: z.record(z.string(), z.unknown()).parse(revealed(resource.inputs)),
    raw: resource.inputs,
    ignoreChanges: resource.ignoreChanges,
  })) satisfies RecordedProgramResource[];
}

describe('a key rotation through the Azure program (mock)', () => {
  const config = anAzureConfig({ controllers: 3 });
  let dir: RenderDirectory;
  let installed: Awaited<ReturnType<typeof mockResources>>;

  before(async () => {
    dir = await renderDirectory();
    installed = await mockResources(await dir.render(config));
  });
  after(() => dir?.remove());

  it("each step's encryption configuration lands in every controller's blob, and nothing else changes", async () => {
    await checkRotationThroughProgram({
      dir,
      config,
      installed,
      configType: CONTROLLER_CONFIG_TYPE,
      machineType: 'azure-native:compute:VirtualMachine',
      pointer: 'osProfile.customData',
      run: mockResources,
      content: (blob) => assetText(blob.inputs['source']),
      isSecret: (blob) => isSecretInput(blob.raw['source']),
    });
  });

  it("without the machines' ignoreChanges, the check would see them change", async () => {
    const resources = await mockResources(await dir.renderRotationStep(config, 'add'));
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
