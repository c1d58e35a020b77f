// The UpdateRelease, UpdateChannel and UpdateGroup CRDs. Their OpenAPI schemas
// are generated from the zod schemas in update-server.ts, so the API server
// refuses what the update server refuses (update-server-crds.integration.test.ts
// holds the two together).
import type { V1CustomResourceColumnDefinition } from '@kubernetes/client-node';
import type { CustomResourceDefinitionManifest } from '../crd/manifest.ts';
import { structuralSchema } from '../crd/structural-schema.ts';
import type { z } from 'zod';
import {
  UPDATE_CHANNEL,
  UPDATE_GROUP,
  UPDATE_RELEASE,
  updateChannelSpecSchema,
  updateGroupSpecSchema,
  updateReleaseSpecSchema,
} from './update-server.ts';

type Names = typeof UPDATE_RELEASE | typeof UPDATE_CHANNEL | typeof UPDATE_GROUP;

function crd(
  names: Names,
  shortName: string,
  spec: z.ZodType,
  columns: V1CustomResourceColumnDefinition[],
  description: string,
): CustomResourceDefinitionManifest {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${names.plural}.${names.group}` },
    spec: {
      group: names.group,
      scope: 'Cluster',
      names: {
        kind: names.kind,
        listKind: names.listKind,
        plural: names.plural,
        singular: names.singular,
        shortNames: [shortName],
        categories: ['strata'],
      },
      versions: [
        {
          name: names.version,
          served: true,
          storage: true,
          additionalPrinterColumns: [
            ...columns,
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description,
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: structuralSchema(spec),
              },
            },
          },
        },
      ],
    },
  };
}

export function updateReleaseCrd(): CustomResourceDefinitionManifest {
  return crd(
    UPDATE_RELEASE,
    'urel',
    updateReleaseSpecSchema,
    [
      { name: 'Version', type: 'string', jsonPath: '.spec.version' },
      { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
      { name: 'Payload', type: 'string', jsonPath: '.spec.payloadUrl', priority: 1 },
    ],
    'One Container Linux release the update server can offer.',
  );
}

export function updateChannelCrd(): CustomResourceDefinitionManifest {
  return crd(
    UPDATE_CHANNEL,
    'uch',
    updateChannelSpecSchema,
    [{ name: 'Release', type: 'string', jsonPath: '.spec.release' }],
    'A channel of releases (stable, beta, alpha or your own).',
  );
}

export function updateGroupCrd(): CustomResourceDefinitionManifest {
  return crd(
    UPDATE_GROUP,
    'ugrp',
    updateGroupSpecSchema,
    [
      { name: 'Track', type: 'string', jsonPath: '.spec.track' },
      { name: 'Channel', type: 'string', jsonPath: '.spec.channel' },
      { name: 'Enabled', type: 'boolean', jsonPath: '.spec.policy.enabled' },
      { name: 'SafeMode', type: 'boolean', jsonPath: '.spec.policy.safeMode' },
      { name: 'MaxInProgress', type: 'integer', jsonPath: '.spec.policy.maxInProgress', priority: 1 },
      { name: 'PerPeriod', type: 'integer', jsonPath: '.spec.policy.maxUpdatesPerPeriod', priority: 1 },
    ],
    'Machines that send one track, the channel they follow and their rollout policy.',
  );
}

/** All three, in the order to apply them. */
export function updateServerCrds(): CustomResourceDefinitionManifest[] {
  return [updateReleaseCrd(), updateChannelCrd(), updateGroupCrd()];
}
