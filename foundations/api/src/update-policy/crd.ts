import type { CustomResourceDefinitionManifest } from '../crd/manifest.ts';
import { structuralSchema } from '../crd/structural-schema.ts';
import { UPDATE_POLICY, updatePolicySpecSchema, updatePolicyStatusSchema } from './update-policy.ts';

const conditionStatus = (type: string) => `.status.conditions[?(@.type=="${type}")].status`;

/**
 * The UpdatePolicy CRD. Its OpenAPI schema is generated from the zod schema, so the API server refuses exactly what
 * Strata's own parser refuses, naming the same field (update-policy-crd.integration.test.ts holds the two together).
 */
export function updatePolicyCrd(): CustomResourceDefinitionManifest {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${UPDATE_POLICY.plural}.${UPDATE_POLICY.group}` },
    spec: {
      group: UPDATE_POLICY.group,
      scope: 'Cluster',
      names: {
        kind: UPDATE_POLICY.kind,
        listKind: UPDATE_POLICY.listKind,
        plural: UPDATE_POLICY.plural,
        singular: UPDATE_POLICY.singular,
        shortNames: ['upol'],
        categories: ['strata'],
      },
      versions: [
        {
          name: UPDATE_POLICY.version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'MaxUnavailable', type: 'string', jsonPath: '.spec.maxUnavailable' },
            { name: 'Paused', type: 'boolean', jsonPath: '.spec.paused' },
            {
              name: 'InProgress',
              type: 'integer',
              jsonPath: '.status.inProgressCount',
              description: 'Nodes holding a slot of maxUnavailable',
            },
            { name: 'Blocked', type: 'string', jsonPath: conditionStatus('Blocked') },
            { name: 'Degraded', type: 'string', jsonPath: conditionStatus('Degraded') },
            { name: 'Nodes', type: 'integer', jsonPath: '.status.nodes.total', priority: 1 },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: 'Coordinated OS updates and reboots for the nodes it selects.',
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                // Every field of spec has a default, so `spec: {}` (or none) is a complete policy.
                spec: { ...structuralSchema(updatePolicySpecSchema), default: {} },
                status: structuralSchema(updatePolicyStatusSchema),
              },
            },
          },
        },
      ],
    },
  };
}
