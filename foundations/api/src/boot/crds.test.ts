import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dumpYaml } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { bootSchema, groupSchema, profileSchema } from './model.ts';
import { bootCustomResourceDefinitions, machineGroupSpecSchema, machineProfileSpecSchema } from './crds.ts';

const keysOf = (shape: object, without: string[] = []) => Object.keys(shape).filter((key) => !without.includes(key)).sort();

describe('the MachineProfile and MachineGroup definitions', () => {
  it('mirror the matchbox schemas field for field (spec = the resource without its id)', () => {
    assert.deepEqual(Object.keys(machineProfileSpecSchema.properties ?? {}).sort(), keysOf(profileSchema.shape, ['id']));
    assert.deepEqual(Object.keys(machineProfileSpecSchema.properties?.['boot']?.properties ?? {}).sort(), keysOf(bootSchema.shape));
    assert.deepEqual(Object.keys(machineGroupSpecSchema.properties ?? {}).sort(), keysOf(groupSchema.shape, ['id']));
  });

  it('render to YAML in wire form, with the x-kubernetes- extensions spelled as the API server reads them', () => {
    const text = bootCustomResourceDefinitions.map((definition) => `---\n${dumpYaml(definition, { noRefs: true, lineWidth: -1 })}`).join('');
    assert.doesNotMatch(text, /x_kubernetes/);
    const [profile, group] = parseAllDocuments(text).map((document) => document.toJS() as { metadata: { name: string }; spec: { versions: { schema: { openAPIV3Schema: { properties: { spec: { properties: Record<string, Record<string, unknown>> } } } } }[] } });
    assert.equal(profile?.metadata.name, 'machineprofiles.boot.strata.dev');
    assert.equal(group?.metadata.name, 'machinegroups.boot.strata.dev');
    const profileSpec = profile?.spec.versions[0]?.schema.openAPIV3Schema.properties.spec.properties;
    assert.deepEqual(profileSpec?.['ignition_id']?.['x-kubernetes-validations'], [{ rule: "self != '.' && self != '..'", message: 'must not be "." or ".."' }]);
    const groupSpec = group?.spec.versions[0]?.schema.openAPIV3Schema.properties.spec.properties;
    assert.equal(groupSpec?.['metadata']?.['x-kubernetes-preserve-unknown-fields'], true);
  });
});
