// One builder for Strata's CRDs: one served and stored version whose OpenAPI
// schema is generated from the zod schemas, so that the API server refuses what
// the component's own parser refuses, naming the same field.
import type { V1CustomResourceColumnDefinition } from '@kubernetes/client-node';
import type { CustomResourceDefinitionManifest } from './manifest.ts';
import type { JsonSchema } from './structural-schema.ts';

export interface CrdNames {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
}

export interface CrdDefinition {
  readonly names: CrdNames;
  readonly scope: 'Namespaced' | 'Cluster';
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly description: string;
  readonly spec: JsonSchema;
  /** With a status schema the CRD gets the status subresource; without one it has no status. */
  readonly status?: JsonSchema;
  /** Printer columns, in order; Age is appended. */
  readonly columns: readonly V1CustomResourceColumnDefinition[];
}

const AGE: V1CustomResourceColumnDefinition = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

export function customResourceDefinition(definition: CrdDefinition): CustomResourceDefinitionManifest {
  const { names, status } = definition;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${names.plural}.${names.group}` },
    spec: {
      group: names.group,
      scope: definition.scope,
      names: {
        kind: names.kind,
        listKind: names.listKind,
        plural: names.plural,
        singular: names.singular,
        shortNames: [...definition.shortNames],
        categories: [...definition.categories],
      },
      versions: [
        {
          name: names.version,
          served: true,
          storage: true,
          ...(status === undefined ? {} : { subresources: { status: {} } }),
          additionalPrinterColumns: [...definition.columns, AGE],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: definition.description,
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: definition.spec,
                ...(status === undefined ? {} : { status }),
              },
            },
          },
        },
      ],
    },
  };
}
