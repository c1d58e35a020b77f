// Keeps the Omaha endpoint's catalog in step with the UpdateRelease,
// UpdateChannel and UpdateGroup resources. Every replica runs it (each one
// answers machines); only the leader writes status (status-writer.ts).
import {
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { UPDATE_CHANNEL, UPDATE_GROUP, UPDATE_RELEASE } from '@strata/api';
import { Informer, kubernetesApiError } from '@strata/kube';
import type { z } from 'zod';
import type { Catalog } from '../policy/model.ts';
import { resolveCatalog, type CatalogResolution } from './resolve-catalog.ts';
import {
  parseResource,
  updateChannelResourceSchema,
  updateGroupResourceSchema,
  updateReleaseResourceSchema,
  type UpdateChannelResource,
  type UpdateGroupResource,
  type UpdateReleaseResource,
} from './resources.ts';

type Kind = typeof UPDATE_RELEASE | typeof UPDATE_CHANNEL | typeof UPDATE_GROUP;

export interface CatalogControllerOptions {
  readonly kubeConfig: KubeConfig;
  /** Told of failed lists and watches (the informers retry) and of objects that do not parse (left out). */
  readonly onError: (error: unknown) => void;
}

export class CatalogController {
  readonly #options: CatalogControllerOptions;
  readonly #informers: Record<'releases' | 'channels' | 'groups', Informer<KubernetesObject>>;
  readonly #listeners = new Set<() => void>();
  #resolution: CatalogResolution = resolveCatalog({ releases: [], channels: [], groups: [] });
  #releases: readonly UpdateReleaseResource[] = [];
  #channels: readonly UpdateChannelResource[] = [];
  #groups: readonly UpdateGroupResource[] = [];

  constructor(options: CatalogControllerOptions) {
    this.#options = options;
    const customObjects = options.kubeConfig.makeApiClient(CustomObjectsApi);
    const informer = (kind: Kind): Informer<KubernetesObject> =>
      new Informer<KubernetesObject>({
        kubeConfig: options.kubeConfig,
        path: `/apis/${kind.apiVersion}/${kind.plural}`,
        list: async (selectors) => {
          try {
            const listed: unknown = await customObjects.listClusterCustomObject({
              group: kind.group,
              version: kind.version,
              plural: kind.plural,
              ...selectors,
            });
            // The informer reads items and metadata.resourceVersion; the items are parsed in #resolve.
            return listed as KubernetesListObject<KubernetesObject>;
          } catch (error) {
            throw kubernetesApiError({ verb: 'list', resource: `${kind.plural}.${kind.group}` }, error);
          }
        },
        onChange: () => this.#resolve(),
        onError: (error) => options.onError(error),
      });
    this.#informers = {
      releases: informer(UPDATE_RELEASE),
      channels: informer(UPDATE_CHANNEL),
      groups: informer(UPDATE_GROUP),
    };
  }

  /** Starts the informers; resolves once all three have listed (false if stopped first). */
  async start(): Promise<boolean> {
    const synced = await Promise.all(Object.values(this.#informers).map((informer) => informer.start()));
    this.#resolve();
    return synced.every(Boolean);
  }

  async stop(): Promise<void> {
    await Promise.all(Object.values(this.#informers).map((informer) => informer.stop()));
  }

  /** The catalog in force; the Omaha endpoint reads it on every request. */
  catalog(): Catalog {
    return this.#resolution.catalog;
  }

  resolution(): CatalogResolution {
    return this.#resolution;
  }

  channel(name: string): UpdateChannelResource | undefined {
    return this.#channels.find((channel) => channel.metadata.name === name);
  }

  group(name: string): UpdateGroupResource | undefined {
    return this.#groups.find((group) => group.metadata.name === name);
  }

  releases(): readonly UpdateReleaseResource[] {
    return this.#releases;
  }

  channels(): readonly UpdateChannelResource[] {
    return this.#channels;
  }

  groups(): readonly UpdateGroupResource[] {
    return this.#groups;
  }

  /** Called after every change of the catalog's resources; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #parseAll<T extends z.ZodType>(informer: Informer<KubernetesObject>, schema: T, kind: string): z.output<T>[] {
    const parsed: z.output<T>[] = [];
    for (const object of informer.list()) {
      try {
        parsed.push(parseResource(schema, kind, object));
      } catch (error) {
        this.#options.onError(error);
      }
    }
    return parsed;
  }

  #resolve(): void {
    // Until every informer has listed, a partial view would hold machines as unknown-group for no reason.
    if (!Object.values(this.#informers).every((informer) => informer.hasSynced)) return;
    const releases = this.#parseAll(this.#informers.releases, updateReleaseResourceSchema, UPDATE_RELEASE.kind);
    this.#releases = releases;
    this.#channels = this.#parseAll(this.#informers.channels, updateChannelResourceSchema, UPDATE_CHANNEL.kind);
    this.#groups = this.#parseAll(this.#informers.groups, updateGroupResourceSchema, UPDATE_GROUP.kind);
    this.#resolution = resolveCatalog({ releases, channels: this.#channels, groups: this.#groups });
    for (const listener of this.#listeners) listener();
  }
}
