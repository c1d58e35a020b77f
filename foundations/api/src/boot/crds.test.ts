import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dumpYaml, loadYaml, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { bootSchema, groupSchema, profileSchema } from './model.ts';
import { bootCustomResourceDefinitions, machineGroupDefinition, machineProfileDefinition } from './crds.ts';
import { INVALID_BOOT_SPECS, VALID_BOOT_SPECS, bootSpecSchema } from './boot-crds-corpus.ts';
import { zodPath } from '../update-policy/update-policy-corpus.ts';
import type { CustomResourceDefinitionManifest } from '../crd/manifest.ts';
import type { JsonSchema } from '../crd/structural-schema.ts';

const keysOf = (shape: object, without: string[] = []) =>
  Object.keys(shape)
    .filter((key) => !without.includes(key))
    .sort();

function specSchema(definition: CustomResourceDefinitionManifest): JsonSchema {
  const spec = definition.spec.versions[0]?.schema.openAPIV3Schema['properties'];
  assert.ok(typeof spec === 'object' && spec !== null && !Array.isArray(spec) && typeof spec['spec'] === 'object');
  return spec['spec'] as JsonSchema;
}

const property = (schema: JsonSchema, ...path: string[]): JsonSchema =>
  path.reduce<JsonSchema>(
    (node, name) => (node['properties'] as Record<string, JsonSchema>)[name] ?? assert.fail(`no property ${name}`),
    schema,
  );

describe('the MachineProfile and MachineGroup specs on the shared corpus (zod)', () => {
  for (const valid of VALID_BOOT_SPECS) {
    it(`${valid.kind}: accepts ${valid.name}`, () => {
      const result = bootSpecSchema(valid.kind).safeParse(valid.spec);
      assert.ok(result.success, result.error?.message);
    });
  }
  for (const invalid of INVALID_BOOT_SPECS) {
    it(`${invalid.kind}: refuses ${invalid.name}, naming ${zodPath(invalid.field)}`, () => {
      const result = bootSpecSchema(invalid.kind).safeParse(invalid.spec);
      assert.ok(!result.success, 'zod accepted it');
      const fields = result.error.issues.map((issue) =>
        zodPath(['spec', ...issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment))]),
      );
      assert.ok(
        fields.includes(zodPath(invalid.field)),
        `expected an issue at ${zodPath(invalid.field)}, got ${fields.join(', ')}`,
      );
    });
  }
});

describe('the MachineProfile and MachineGroup definitions', () => {
  it('mirror the matchbox schemas field for field (spec = the resource without its id)', () => {
    assert.deepEqual(
      keysOf(property(specSchema(machineProfileDefinition))['properties'] as object),
      keysOf(profileSchema.shape, ['id']),
    );
    assert.deepEqual(
      keysOf(property(specSchema(machineProfileDefinition), 'boot')['properties'] as object),
      keysOf(bootSchema.shape),
    );
    assert.deepEqual(
      keysOf(property(specSchema(machineGroupDefinition))['properties'] as object),
      keysOf(groupSchema.shape, ['id']),
    );
  });

  it('keep every validation of the hand-written schemas they replace', () => {
    const referenceRules = {
      type: 'string',
      maxLength: 253,
      pattern: String.raw`^[^/\\\x00]*$`,
      'x-kubernetes-validations': [{ rule: "self != '.' && self != '..'", message: 'must not be "." or ".."' }],
    };
    const profile = specSchema(machineProfileDefinition);
    for (const reference of ['ignition_id', 'generic_id', 'cloud_id'])
      assert.partialDeepStrictEqual(property(profile, reference), referenceRules, reference);
    assert.partialDeepStrictEqual(property(profile, 'name'), { type: 'string', maxLength: 1024 });
    assert.partialDeepStrictEqual(property(profile, 'boot', 'kernel'), { type: 'string', maxLength: 4096 });
    for (const list of ['initrd', 'args'])
      assert.partialDeepStrictEqual(
        property(profile, 'boot', list),
        { type: 'array', maxItems: 256, items: { type: 'string', maxLength: 4096 } },
        list,
      );
    const group = specSchema(machineGroupDefinition);
    assert.partialDeepStrictEqual(property(group, 'profile'), referenceRules);
    assert.partialDeepStrictEqual(property(group, 'selector'), {
      type: 'object',
      maxProperties: 64,
      additionalProperties: { type: 'string', maxLength: 1024 },
    });
    assert.deepEqual(property(group, 'metadata'), {
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
      default: {},
      description: 'Values the templates can use (any JSON object).',
    });
  });

  it('carry their names, short names, categories and printer columns', () => {
    const [profile, group] = bootCustomResourceDefinitions;
    assert.equal(profile?.metadata?.name, 'machineprofiles.boot.strata.dev');
    assert.deepEqual(profile?.spec.names, {
      kind: 'MachineProfile',
      plural: 'machineprofiles',
      singular: 'machineprofile',
      shortNames: ['mprofile'],
      categories: ['strata', 'boot'],
    });
    assert.deepEqual(
      profile?.spec.versions[0]?.additionalPrinterColumns?.map((column) => [column.name, column.jsonPath]),
      [
        ['Kernel', '.spec.boot.kernel'],
        ['Ignition', '.spec.ignition_id'],
        ['Age', '.metadata.creationTimestamp'],
      ],
    );
    assert.equal(group?.metadata?.name, 'machinegroups.boot.strata.dev');
    assert.deepEqual(group?.spec.names.shortNames, ['mgroup']);
    assert.deepEqual(
      group?.spec.versions[0]?.additionalPrinterColumns?.map((column) => [column.name, column.jsonPath]),
      [
        ['Profile', '.spec.profile'],
        ['Selector', '.spec.selector'],
        ['Age', '.metadata.creationTimestamp'],
      ],
    );
  });

  it("survive client-node's model on the way to the API server, x-kubernetes- extensions and defaults included", () => {
    // install.ts loads each definition into client-node's model before applying it, which drops keys it does not know.
    const models = bootCustomResourceDefinitions.map((definition) =>
      loadYaml<V1CustomResourceDefinition>(JSON.stringify(definition)),
    );
    const text = models.map((model) => `---\n${dumpYaml(model, { noRefs: true, lineWidth: -1 })}`).join('');
    assert.doesNotMatch(text, /x_kubernetes|xKubernetes|_default/);
    assert.deepEqual(
      parseAllDocuments(text).map((document) => document.toJS() as unknown),
      bootCustomResourceDefinitions.map((definition) => JSON.parse(JSON.stringify(definition)) as unknown),
    );
  });
});
