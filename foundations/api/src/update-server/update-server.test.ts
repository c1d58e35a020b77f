import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { structuralSchema } from '../crd/structural-schema.ts';
import { updateServerCrds } from './crds.ts';
import { INVALID_SPECS, SPEC_SCHEMAS, VALID_SPECS } from './update-server-corpus.ts';
import { UPDATE_GROUP_POLICY_DEFAULTS, updateGroupSpecSchema, updateReleaseSpecSchema } from './update-server.ts';

const schemaOf = (kind: Parameters<typeof SPEC_SCHEMAS.get>[0]) => {
  const schema = SPEC_SCHEMAS.get(kind);
  assert.ok(schema);
  return schema;
};

describe('the update server resources, as zod sees them', () => {
  for (const valid of VALID_SPECS) {
    it(`accepts ${valid.name}`, () => {
      const result = schemaOf(valid.kind).safeParse(valid.spec);
      assert.ok(result.success, JSON.stringify(result.error?.issues));
    });
  }

  for (const invalid of INVALID_SPECS) {
    it(`refuses ${invalid.name}, naming ${invalid.field.join('.')}`, () => {
      const result = schemaOf(invalid.kind).safeParse(invalid.spec);
      assert.equal(result.success, false);
      assert.deepEqual(result.error?.issues[0]?.path, [...invalid.field]);
    });
  }

  it('fills in the policy defaults', () => {
    assert.deepEqual(updateGroupSpecSchema.parse({ track: 't', channel: 'c' }).policy, UPDATE_GROUP_POLICY_DEFAULTS);
  });
});

describe('the update server CRDs', () => {
  it('generate structural schemas with the CEL rules', () => {
    const [release, channel, group] = updateServerCrds();
    assert.equal(release?.metadata?.name, 'updatereleases.update.strata.dev');
    assert.equal(channel?.metadata?.name, 'updatechannels.update.strata.dev');
    assert.equal(group?.spec.names.kind, 'UpdateGroup');
    const releaseSpec = structuralSchema(updateReleaseSpecSchema);
    assert.deepEqual(releaseSpec['x-kubernetes-validations'], [
      { rule: 'self == oldSelf', message: 'is immutable: publish a new UpdateRelease instead' },
    ]);
    assert.ok(
      group?.spec.versions[0]?.additionalPrinterColumns?.some((column) => column.jsonPath === '.spec.track'),
      'the track is a printer column',
    );
  });
});
