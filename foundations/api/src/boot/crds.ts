// MachineProfile and MachineGroup: matchbox's profiles and groups as
// namespaced custom resources. metadata.name is the id and spec holds the
// other fields under matchbox's own names (ignition_id, not ignitionId), so a
// profile's JSON and a MachineProfile's spec are the same document.
//
// The definitions are typed objects of @kubernetes/client-node, whose field
// names differ from the wire's where the wire has dashes (x_kubernetes_... in
// code, x-kubernetes-... on the wire): the client's API calls and its dumpYaml
// translate them.
import type { V1CustomResourceDefinition, V1JSONSchemaProps } from '@kubernetes/client-node';

export const BOOT_API_GROUP = 'boot.strata.dev';
export const BOOT_API_VERSION = 'v1alpha1';
export const BOOT_API_GROUP_VERSION = `${BOOT_API_GROUP}/${BOOT_API_VERSION}`;

export const MACHINE_PROFILE = { kind: 'MachineProfile', plural: 'machineprofiles', singular: 'machineprofile', shortNames: ['mprofile'] } as const;
export const MACHINE_GROUP = { kind: 'MachineGroup', plural: 'machinegroups', singular: 'machinegroup', shortNames: ['mgroup'] } as const;

/** The label that marks a ConfigMap as holding templates, with the kind as its value. */
export const TEMPLATE_KIND_LABEL = `${BOOT_API_GROUP}/template-kind`;

/** A name that a profile refers to (a template, a profile): the same rules as resourceIdSchema, empty allowed. */
const reference = (description: string): V1JSONSchemaProps => ({
  type: 'string',
  description,
  maxLength: 253,
  pattern: String.raw`^[^/\\\x00]*$`,
  x_kubernetes_validations: [{ rule: "self != '.' && self != '..'", message: 'must not be "." or ".."' }],
});

const stringList = (description: string): V1JSONSchemaProps => ({ type: 'array', description, maxItems: 256, items: { type: 'string', maxLength: 4096 } });

export const machineProfileSpecSchema: V1JSONSchemaProps = {
  type: 'object',
  description: "A matchbox profile: what a machine boots. The resource's name is the profile id.",
  properties: {
    name: { type: 'string', maxLength: 1024, description: 'A human-readable name.' },
    boot: {
      type: 'object',
      description: 'The kernel, initrds and kernel arguments served by /ipxe and /grub.',
      properties: {
        kernel: { type: 'string', maxLength: 4096, description: 'Kernel URL or path, e.g. /assets/flatcar/vmlinuz.' },
        initrd: stringList('Initrd URLs or paths.'),
        args: stringList('Kernel arguments.'),
      },
    },
    ignition_id: reference('The Ignition template (a key of a ConfigMap labelled boot.strata.dev/template-kind=ignition) served by /ignition.'),
    generic_id: reference('The generic template served by /generic.'),
    cloud_id: reference('Deprecated in matchbox: the cloud-config template served by /cloud.'),
  },
};

export const machineGroupSpecSchema: V1JSONSchemaProps = {
  type: 'object',
  description: "A matchbox group: which machines (by selector) get which profile, with metadata for the templates. The resource's name is the group id.",
  properties: {
    name: { type: 'string', maxLength: 1024, description: 'A human-readable name.' },
    profile: reference('The MachineProfile (by name) that matching machines boot.'),
    selector: {
      type: 'object',
      description: 'Labels a request must carry, e.g. mac: 52:54:00:12:34:56. Empty: the default group.',
      maxProperties: 64,
      additionalProperties: { type: 'string', maxLength: 1024 },
    },
    metadata: {
      type: 'object',
      description: 'Values the templates can use (any JSON object).',
      x_kubernetes_preserve_unknown_fields: true,
    },
  },
};

function definition(names: typeof MACHINE_PROFILE | typeof MACHINE_GROUP, spec: V1JSONSchemaProps, columns: { name: string; jsonPath: string; description: string }[]): V1CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${names.plural}.${BOOT_API_GROUP}` },
    spec: {
      group: BOOT_API_GROUP,
      scope: 'Namespaced',
      names: { kind: names.kind, plural: names.plural, singular: names.singular, shortNames: [...names.shortNames], categories: ['strata', 'boot'] },
      versions: [
        {
          name: BOOT_API_VERSION,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', required: ['spec'], properties: { spec } } },
          additionalPrinterColumns: [...columns.map((column) => ({ ...column, type: 'string' })), { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }],
        },
      ],
    },
  };
}

export const machineProfileDefinition: V1CustomResourceDefinition = definition(MACHINE_PROFILE, machineProfileSpecSchema, [
  { name: 'Kernel', jsonPath: '.spec.boot.kernel', description: 'The kernel the machines boot.' },
  { name: 'Ignition', jsonPath: '.spec.ignition_id', description: 'The Ignition template.' },
]);

export const machineGroupDefinition: V1CustomResourceDefinition = definition(MACHINE_GROUP, machineGroupSpecSchema, [
  { name: 'Profile', jsonPath: '.spec.profile', description: 'The profile matching machines boot.' },
  { name: 'Selector', jsonPath: '.spec.selector', description: 'The labels a machine must carry.' },
]);

/** Both definitions, in the order to apply them. */
export const bootCustomResourceDefinitions: readonly V1CustomResourceDefinition[] = [machineProfileDefinition, machineGroupDefinition];
