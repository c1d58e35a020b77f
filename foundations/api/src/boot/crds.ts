// MachineProfile and MachineGroup: matchbox's profiles and groups as
// namespaced custom resources. metadata.name is the id and spec holds the
// other fields under matchbox's own names (ignition_id, not ignitionId), so a
// profile's JSON and a MachineProfile's spec are the same document.
//
// The specs' OpenAPI schemas are generated from model.ts's zod schemas, so the
// API server refuses what Strata's own parser refuses
// (boot-crds.integration.test.ts holds the two together). The definitions are
// in wire form (x-kubernetes-..., default): apply them with @strata/kube's
// applyManifestObject, which maps them onto client-node's models.
import type { CustomResourceDefinitionManifest } from '../crd/manifest.ts';
import { structuralSchema, type JsonSchema } from '../crd/structural-schema.ts';
import { groupSchema, profileSchema } from './model.ts';

export const BOOT_API_GROUP = 'boot.strata.dev';
export const BOOT_API_VERSION = 'v1alpha1';
export const BOOT_API_GROUP_VERSION = `${BOOT_API_GROUP}/${BOOT_API_VERSION}`;

export const MACHINE_PROFILE = {
  kind: 'MachineProfile',
  plural: 'machineprofiles',
  singular: 'machineprofile',
  shortNames: ['mprofile'],
} as const;
export const MACHINE_GROUP = {
  kind: 'MachineGroup',
  plural: 'machinegroups',
  singular: 'machinegroup',
  shortNames: ['mgroup'],
} as const;

/** The label that marks a ConfigMap as holding templates, with the kind as its value. */
export const TEMPLATE_KIND_LABEL = `${BOOT_API_GROUP}/template-kind`;

/** A MachineProfile's spec: a profile without its id, which is the resource's name. */
export const machineProfileSpecSchema = profileSchema
  .omit({ id: true })
  .describe("A matchbox profile: what a machine boots. The resource's name is the profile id.");

/** A MachineGroup's spec: a group without its id, which is the resource's name. */
export const machineGroupSpecSchema = groupSchema
  .omit({ id: true })
  .describe(
    "A matchbox group: which machines (by selector) get which profile, with metadata for the templates. The resource's name is the group id.",
  );

interface PrinterColumn {
  readonly name: string;
  readonly jsonPath: string;
  readonly description: string;
}

function definition(
  names: typeof MACHINE_PROFILE | typeof MACHINE_GROUP,
  spec: JsonSchema,
  columns: readonly PrinterColumn[],
): CustomResourceDefinitionManifest {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${names.plural}.${BOOT_API_GROUP}` },
    spec: {
      group: BOOT_API_GROUP,
      scope: 'Namespaced',
      names: {
        kind: names.kind,
        plural: names.plural,
        singular: names.singular,
        shortNames: [...names.shortNames],
        categories: ['strata', 'boot'],
      },
      versions: [
        {
          name: BOOT_API_VERSION,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', required: ['spec'], properties: { spec } } },
          additionalPrinterColumns: [
            ...columns.map((column) => ({ ...column, type: 'string' })),
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
        },
      ],
    },
  };
}

export const machineProfileDefinition: CustomResourceDefinitionManifest = definition(
  MACHINE_PROFILE,
  structuralSchema(machineProfileSpecSchema),
  [
    { name: 'Kernel', jsonPath: '.spec.boot.kernel', description: 'The kernel the machines boot.' },
    { name: 'Ignition', jsonPath: '.spec.ignition_id', description: 'The Ignition template.' },
  ],
);

export const machineGroupDefinition: CustomResourceDefinitionManifest = definition(
  MACHINE_GROUP,
  structuralSchema(machineGroupSpecSchema),
  [
    { name: 'Profile', jsonPath: '.spec.profile', description: 'The profile matching machines boot.' },
    { name: 'Selector', jsonPath: '.spec.selector', description: 'The labels a machine must carry.' },
  ],
);

/** Both definitions, in the order to apply them. */
export const bootCustomResourceDefinitions: readonly CustomResourceDefinitionManifest[] = [
  machineProfileDefinition,
  machineGroupDefinition,
];
