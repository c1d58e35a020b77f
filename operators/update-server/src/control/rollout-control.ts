// Rollout control through the custom resources: promote a release to a
// channel, pause or resume a group, read them back. It acts with whatever
// credentials the KubeConfig carries (a user's, the server's own), so RBAC
// decides and GitOps sees each change in the resources' spec. The JSON API,
// `strata update` and the end-to-end tests share it.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { UPDATE_CHANNEL, UPDATE_GROUP, UPDATE_RELEASE } from '@strata/api';
import { isNotFound, kubernetesApiError } from '@strata/kube';
import { z } from 'zod';
import {
  parseResource,
  updateChannelResourceSchema,
  updateGroupResourceSchema,
  updateReleaseResourceSchema,
  type UpdateChannelResource,
  type UpdateGroupResource,
  type UpdateReleaseResource,
} from '../controller/resources.ts';
import { UnknownReleaseError, UpdateResourceError, UpdateResourceNotFoundError } from '../errors.ts';

type UpdateKind = typeof UPDATE_RELEASE | typeof UPDATE_CHANNEL | typeof UPDATE_GROUP;

/** Which release to promote: exactly one of its UpdateRelease name or its version. */
export type ReleaseChoice =
  { readonly release: string; readonly version?: never } | { readonly version: string; readonly release?: never };

export interface Promotion {
  readonly channel: string;
  readonly release: string;
  readonly version: string;
  /** The release the channel named before, if any. */
  readonly previousRelease: string | null;
  /** False when the channel already named this release (nothing was written). */
  readonly changed: boolean;
}

export interface PauseChange {
  readonly group: string;
  readonly paused: boolean;
  /** False when the group already was in that state (nothing was written). */
  readonly changed: boolean;
}

/** The release a choice names among `releases`, or undefined. */
export function findRelease(
  releases: readonly UpdateReleaseResource[],
  choice: ReleaseChoice,
): UpdateReleaseResource | undefined {
  return choice.release !== undefined
    ? releases.find((each) => each.metadata.name === choice.release)
    : releases.find((each) => each.spec.version === choice.version);
}

/** The error for a choice that names no release, naming the field that did. */
export function unknownReleaseError(choice: ReleaseChoice): UnknownReleaseError {
  return choice.release !== undefined
    ? new UnknownReleaseError(`release: UpdateRelease ${choice.release} does not exist`, {
        field: 'release',
        release: choice.release,
      })
    : new UnknownReleaseError(`version: no UpdateRelease has version ${choice.version}`, {
        field: 'version',
        version: choice.version,
      });
}

/**
 * Merge-patches a channel's or group's spec. A missing object is an
 * UpdateResourceNotFoundError; any other refusal (a 403 included) a
 * KubernetesApiError in the API server's words.
 */
export async function patchUpdateSpec(
  customObjects: CustomObjectsApi,
  kind: typeof UPDATE_CHANNEL | typeof UPDATE_GROUP,
  name: string,
  spec: Record<string, unknown>,
): Promise<void> {
  try {
    await customObjects.patchClusterCustomObject(
      { group: kind.group, version: kind.version, plural: kind.plural, name, body: { spec } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  } catch (error) {
    if (isNotFound(error)) throw notFound(kind, name);
    throw kubernetesApiError({ verb: 'patch', resource: `${kind.plural}.${kind.group}`, name }, error);
  }
}

const notFound = (kind: UpdateKind, name: string) =>
  new UpdateResourceNotFoundError(`${kind.kind} ${name} does not exist`, { kind: kind.kind, name });

const listSchema = z.object({ items: z.array(z.unknown()) });

async function byName<T extends { readonly metadata: { readonly name: string } }>(items: Promise<T[]>): Promise<T[]> {
  return (await items).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

/** The update server's custom resources as a KubeConfig's user sees them, and the changes rollouts are made of. */
export class UpdateResources {
  readonly #customObjects: CustomObjectsApi;

  constructor(kubeConfig: KubeConfig) {
    this.#customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  releases(): Promise<UpdateReleaseResource[]> {
    return byName(this.#list(UPDATE_RELEASE, updateReleaseResourceSchema));
  }

  channels(): Promise<UpdateChannelResource[]> {
    return byName(this.#list(UPDATE_CHANNEL, updateChannelResourceSchema));
  }

  groups(): Promise<UpdateGroupResource[]> {
    return byName(this.#list(UPDATE_GROUP, updateGroupResourceSchema));
  }

  channel(name: string): Promise<UpdateChannelResource> {
    return this.#get(UPDATE_CHANNEL, updateChannelResourceSchema, name);
  }

  group(name: string): Promise<UpdateGroupResource> {
    return this.#get(UPDATE_GROUP, updateGroupResourceSchema, name);
  }

  /** Points `channel` at the chosen release; every group following the channel then rolls it out. */
  async promote(channel: string, choice: ReleaseChoice): Promise<Promotion> {
    const current = await this.channel(channel);
    const release = findRelease(await this.releases(), choice);
    if (release === undefined) throw unknownReleaseError(choice);
    const previousRelease = current.spec.release ?? null;
    const changed = previousRelease !== release.metadata.name;
    if (changed)
      await patchUpdateSpec(this.#customObjects, UPDATE_CHANNEL, channel, { release: release.metadata.name });
    return { channel, release: release.metadata.name, version: release.spec.version, previousRelease, changed };
  }

  /**
   * Publishes a release (an UpdateRelease named `name`). One that exists already is a KubernetesApiError with
   * status 409 (releases are immutable: publish another name); the spec is checked by the API server's schema.
   */
  async createRelease(
    name: string,
    spec: z.input<typeof updateReleaseResourceSchema>['spec'],
    annotations: Readonly<Record<string, string>> = {},
  ): Promise<UpdateReleaseResource> {
    let answer: unknown;
    try {
      answer = await this.#customObjects.createClusterCustomObject({
        group: UPDATE_RELEASE.group,
        version: UPDATE_RELEASE.version,
        plural: UPDATE_RELEASE.plural,
        body: {
          apiVersion: UPDATE_RELEASE.apiVersion,
          kind: UPDATE_RELEASE.kind,
          metadata: { name, ...(Object.keys(annotations).length === 0 ? {} : { annotations: { ...annotations } }) },
          spec,
        },
      });
    } catch (error) {
      throw kubernetesApiError(
        { verb: 'create', resource: `${UPDATE_RELEASE.plural}.${UPDATE_RELEASE.group}`, name },
        error,
      );
    }
    return parseResource(updateReleaseResourceSchema, UPDATE_RELEASE.kind, answer);
  }

  /** Pauses (no new grants; machines already granted finish) or resumes a group: its `spec.policy.enabled`. */
  async setPaused(group: string, paused: boolean): Promise<PauseChange> {
    const current = await this.group(group);
    const changed = current.spec.policy.enabled === paused;
    if (changed) await patchUpdateSpec(this.#customObjects, UPDATE_GROUP, group, { policy: { enabled: !paused } });
    return { group, paused, changed };
  }

  async #list<T extends z.ZodType>(kind: UpdateKind, schema: T): Promise<z.output<T>[]> {
    let answer: unknown;
    try {
      answer = await this.#customObjects.listClusterCustomObject({
        group: kind.group,
        version: kind.version,
        plural: kind.plural,
      });
    } catch (error) {
      throw kubernetesApiError({ verb: 'list', resource: `${kind.plural}.${kind.group}` }, error);
    }
    const list = listSchema.safeParse(answer);
    if (!list.success)
      throw new UpdateResourceError(`the API server's list of ${kind.plural}.${kind.group} has no items`, {
        kind: kind.kind,
      });
    return list.data.items.map((item) => parseResource(schema, kind.kind, item));
  }

  async #get<T extends z.ZodType>(kind: UpdateKind, schema: T, name: string): Promise<z.output<T>> {
    let answer: unknown;
    try {
      answer = await this.#customObjects.getClusterCustomObject({
        group: kind.group,
        version: kind.version,
        plural: kind.plural,
        name,
      });
    } catch (error) {
      if (isNotFound(error)) throw notFound(kind, name);
      throw kubernetesApiError({ verb: 'get', resource: `${kind.plural}.${kind.group}`, name }, error);
    }
    return parseResource(schema, kind.kind, answer);
  }
}
