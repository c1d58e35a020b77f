// A key rotation's steps through the GCP program under Pulumi's mocks: each
// step's encryption configuration lands in every controller's Cloud Storage
// object, and nothing else would change (the instances' user-data pointer,
// which carries the object's hash, is under ignoreChanges). Google Cloud
// itself cannot run here.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { clusterTopology } from '@strata/assets';
import {
  changedBeyondConfigObjects,
  checkRotationThroughProgram,
  platformRenderDirectory,
  type PlatformRenderDirectory,
  type RecordedProgramResource,
} from '@strata/assets/testing';
import { CONTROLLER_CONFIG_TYPE, gcpProgram } from './program.ts';
import { aGcpConfig } from './testing/fixtures.ts';
import { isSecret, revealed, runMocked } from './testing/mocks.ts';

/** Each resource with its inputs revealed and its ignoreChanges, as the check reads them. */
async function mockResources(input: Parameters<typeof gcpProgram>[0]) {
  const run = await runMocked(gcpProgram(input));
  return run.resources.map((resource) => ({
    type: resource.type,
    name: resource.name,
    inputs: z.record(z.string(), z.unknown()).parse(revealed(resource.inputs)),
    raw: resource.inputs,
    ignoreChanges:
      run.options.find((options) => options.type === resource.type && options.name === resource.name)?.ignoreChanges ??
      [],
  })) satisfies RecordedProgramResource[];
}

describe('a key rotation through the GCP program (mock)', () => {
  const config = aGcpConfig({ controllers: 3 });
  let dir: PlatformRenderDirectory;
  let installed: Awaited<ReturnType<typeof mockResources>>;

  before(async () => {
    dir = await platformRenderDirectory('gcp');
    installed = await mockResources(await dir.render(config));
  });
  after(() => dir?.remove());

  it("each step's encryption configuration lands in every controller's object, and nothing else changes", async () => {
    await checkRotationThroughProgram({
      dir,
      config,
      installed,
      configType: CONTROLLER_CONFIG_TYPE,
      machineType: 'gcp:compute/instance:Instance',
      pointer: 'metadata["user-data"]',
      run: mockResources,
      content: (object) => z.string().parse(object.inputs['content']),
      isSecret: (object) => isSecret(object.raw['content']),
    });
  });

  it("without the instances' ignoreChanges, the check would see them change", async () => {
    const input = await dir.renderRotationStep(config, 'add');
    const resources = (await mockResources(input)).map((resource) => ({ ...resource, ignoreChanges: [] }));
    const problems = changedBeyondConfigObjects(installed, resources, CONTROLLER_CONFIG_TYPE);
    assert.equal(
      problems.filter((problem) => problem.startsWith('changed gcp:compute/instance:Instance::')).length,
      clusterTopology(config).controllers.length,
      problems.join('\n'),
    );
  });
});
