// The UpdateRelease, UpdateChannel and UpdateGroup CRDs. Their OpenAPI schemas
// are generated from the zod schemas in update-server.ts, so the API server
// refuses what the update server refuses (update-server-crds.integration.test.ts
// holds the two together).
import type { V1CustomResourceColumnDefinition } from '@kubernetes/client-node';
import { customResourceDefinition, type CrdNames } from '../crd/definition.ts';
import type { CustomResourceDefinitionManifest } from '../crd/manifest.ts';
import { structuralSchema } from '../crd/structural-schema.ts';
import type { z } from 'zod';
import {
  UPDATE_CHANNEL,
  UPDATE_GROUP,
  UPDATE_RELEASE,
  updateChannelSpecSchema,
  updateChannelStatusSchema,
  updateGroupSpecSchema,
  updateGroupStatusSchema,
  updateReleaseSpecSchema,
} from './update-server.ts';

const RESOLVED = '.status.conditions[?(@.type=="Resolved")].status';

const updateServerCrd = (
  names: CrdNames,
  shortName: string,
  spec: z.ZodType,
  columns: V1CustomResourceColumnDefinition[],
  description: string,
  status?: z.ZodType,
): CustomResourceDefinitionManifest =>
  customResourceDefinition({
    names,
    scope: 'Cluster',
    shortNames: [shortName],
    categories: ['strata'],
    description,
    spec: structuralSchema(spec),
    ...(status === undefined ? {} : { status: structuralSchema(status) }),
    columns,
  });

export function updateReleaseCrd(): CustomResourceDefinitionManifest {
  return updateServerCrd(
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
  return updateServerCrd(
    UPDATE_CHANNEL,
    'uch',
    updateChannelSpecSchema,
    [
      { name: 'Release', type: 'string', jsonPath: '.spec.release' },
      { name: 'Version', type: 'string', jsonPath: '.status.version' },
      { name: 'Resolved', type: 'string', jsonPath: RESOLVED },
    ],
    'A channel of releases (stable, beta, alpha or your own).',
    updateChannelStatusSchema,
  );
}

export function updateGroupCrd(): CustomResourceDefinitionManifest {
  return updateServerCrd(
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
      { name: 'Machines', type: 'integer', jsonPath: '.status.machines' },
      { name: 'Rollout', type: 'string', jsonPath: '.status.rollout.version' },
      { name: 'Completed', type: 'integer', jsonPath: '.status.rollout.completed' },
      { name: 'Resolved', type: 'string', jsonPath: RESOLVED, priority: 1 },
    ],
    'Machines that send one track, the channel they follow and their rollout policy.',
    updateGroupStatusSchema,
  );
}

/** All three, in the order to apply them. */
export function updateServerCrds(): CustomResourceDefinitionManifest[] {
  return [updateReleaseCrd(), updateChannelCrd(), updateGroupCrd()];
}
