// Typed builders of the custom resources as the API server returns them (and
// as a test creates them: drop metadata's server-set fields).
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { UPDATE_CHANNEL, UPDATE_GROUP, UPDATE_RELEASE, type UpdateGroupPolicyInput } from '@strata/api';
import type { UpdateChannelResource, UpdateGroupResource, UpdateReleaseResource } from '../controller/resources.ts';
import { updateGroupSpecSchema } from '@strata/api';
import type { Release } from '../policy/model.ts';
import { aRelease } from './builders.ts';

let serial = 0;
const metadata = (name: string, creationTimestamp = '2026-12-04T10:00:00Z') => ({
  name,
  uid: `uid-${name}`,
  generation: 1,
  resourceVersion: String(++serial),
  creationTimestamp,
});

export function aReleaseResource(name: string, overrides: Partial<Release> = {}): UpdateReleaseResource {
  return {
    apiVersion: UPDATE_RELEASE.apiVersion,
    kind: UPDATE_RELEASE.kind,
    metadata: metadata(name),
    spec: aRelease(overrides),
  };
}

export function aChannelResource(name: string, release: string | undefined): UpdateChannelResource {
  return {
    apiVersion: UPDATE_CHANNEL.apiVersion,
    kind: UPDATE_CHANNEL.kind,
    metadata: metadata(name),
    spec: release === undefined ? {} : { release },
  };
}

export interface GroupResourceOptions {
  readonly track?: string;
  readonly channel?: string;
  readonly policy?: UpdateGroupPolicyInput;
  readonly creationTimestamp?: string;
}

export function aGroupResource(name: string, options: GroupResourceOptions = {}): UpdateGroupResource {
  return {
    apiVersion: UPDATE_GROUP.apiVersion,
    kind: UPDATE_GROUP.kind,
    metadata: metadata(name, options.creationTimestamp),
    spec: updateGroupSpecSchema.parse({
      track: options.track ?? name,
      channel: options.channel ?? 'stable',
      policy: options.policy ?? {},
    }),
  };
}

/** The object to create through the API server: kind, name and spec only. */
export function forCreation(resource: { apiVersion: string; kind: string; metadata: { name: string }; spec: unknown }) {
  return {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    metadata: { name: resource.metadata.name },
    spec: resource.spec,
  };
}

/** Creates a resource (as `forCreation` gives it) through the API server; answers the function that deletes it. */
export async function createUpdateResource(
  kubeConfig: KubeConfig,
  kind: typeof UPDATE_RELEASE | typeof UPDATE_CHANNEL | typeof UPDATE_GROUP,
  object: ReturnType<typeof forCreation>,
): Promise<() => Promise<unknown>> {
  const customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
  const where = { group: kind.group, version: kind.version, plural: kind.plural };
  await customObjects.createClusterCustomObject({ ...where, body: object });
  return () => customObjects.deleteClusterCustomObject({ ...where, name: object.metadata.name });
}
