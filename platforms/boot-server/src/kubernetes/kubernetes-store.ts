// A WritableBootStore over MachineProfile and MachineGroup custom resources
// and template ConfigMaps in one namespace. Every replica watches the same
// objects with informers and builds the same snapshot from them, so boot
// servers can run as a Deployment and answer alike.
import {
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import { pino, type Logger } from 'pino';
import { InvalidWriteError } from '@strata/api';
import { normalizeSelector } from '../matching/selector.ts';
import type { Group, Profile, TemplateKind } from '@strata/api';
import { EMPTY_SNAPSHOT, makeSnapshot } from '../store/snapshot.ts';
import type { BootSnapshot, WritableBootStore } from '../store/store.ts';
import { describeApiError, Informer, isNotFound, isTransient, type InformerSelectors } from '@strata/kube';
import { kubernetesError } from './api-errors.ts';
import { BOOT_API_GROUP, BOOT_API_VERSION, MACHINE_GROUP, MACHINE_PROFILE, TEMPLATE_KIND_LABEL } from '@strata/api';
import { KubernetesStoreError } from './errors.ts';
import {
  assertMetadataDepth,
  assertObjectName,
  assertTemplateKey,
  fromMachineGroup,
  fromMachineProfile,
  templateConfigMapName,
  templateKindOf,
  toMachineGroup,
  toMachineProfile,
  toTemplateConfigMap,
  type Converted,
  type MachineGroupObject,
  type MachineProfileObject,
  type WritableTemplateKind,
} from './resources.ts';

export interface KubernetesBootStoreOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly logger?: Logger;
  /** The server-side apply field manager; default "strata-boot-server". */
  readonly fieldManager?: string;
  /** How long a write waits to see itself in this replica's snapshot before it returns anyway; default 10 s. */
  readonly observeTimeoutMs?: number;
  /** How long start() retries an API server that is starting or busy; default 30 s. */
  readonly startTimeoutMs?: number;
}

type Listener = (snapshot: BootSnapshot) => void;

interface Waiter {
  readonly seen: () => boolean;
  readonly done: () => void;
}

/** While the store starts, a failure that is not worth waiting out (or one after the start deadline) fails the start. */
interface Starting {
  readonly deadline: number;
  readonly fail: (error: Error) => void;
}

export class KubernetesBootStore implements WritableBootStore {
  readonly namespace: string;
  readonly #logger: Logger;
  readonly #fieldManager: string;
  readonly #observeTimeoutMs: number;
  readonly #startTimeoutMs: number;
  readonly #objects: KubernetesObjectApi;
  readonly #core: CoreV1Api;
  readonly #profiles: Informer<MachineProfileObject>;
  readonly #groups: Informer<MachineGroupObject>;
  readonly #configMaps: Informer<V1ConfigMap>;
  readonly #listeners = new Set<Listener>();
  readonly #waiters = new Set<Waiter>();
  #starting: Starting | undefined;
  /** Conversions by object: an informer keeps an unchanged object's identity, so a rebuild converts only what changed. */
  readonly #converted = new WeakMap<object, Converted<unknown>>();
  /** Which ConfigMap holds each template ("kind/name"), from the last rebuild. */
  #templateHomes = new Map<string, string>();
  readonly #reported = new Set<string>();
  #snapshot: BootSnapshot;
  #rebuildScheduled = false;
  #closed = false;

  private constructor(options: KubernetesBootStoreOptions) {
    const { kubeConfig, namespace } = options;
    this.namespace = namespace;
    this.#logger = options.logger ?? pino({ enabled: false });
    this.#fieldManager = options.fieldManager ?? 'strata-boot-server';
    this.#observeTimeoutMs = options.observeTimeoutMs ?? 10_000;
    this.#startTimeoutMs = options.startTimeoutMs ?? 30_000;
    this.#objects = KubernetesObjectApi.makeApiClient(kubeConfig);
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
    const informer = <T extends KubernetesObject>(
      what: string,
      path: string,
      list: (selectors: InformerSelectors) => Promise<KubernetesListObject<T>>,
      labelSelector?: string,
    ) =>
      new Informer<T>({
        kubeConfig,
        path,
        list,
        ...(labelSelector === undefined ? {} : { labelSelector }),
        onChange: () => this.#scheduleRebuild(),
        onError: (error, retryInMs) => this.#informerFailed(what, error, retryInMs),
        // An API server that is starting or busy is asked again soon; one that keeps failing, up to every 30 s.
        backoff: { baseDelayMs: 500, maxDelayMs: 30_000 },
      });
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
    const customInformer = <T extends KubernetesObject>(plural: string) =>
      informer<T>(
        `${plural}.${BOOT_API_GROUP}`,
        `/apis/${BOOT_API_GROUP}/${BOOT_API_VERSION}/namespaces/${namespace}/${plural}`,
        async (selectors) =>
          (await custom.listNamespacedCustomObject({
            group: BOOT_API_GROUP,
            version: BOOT_API_VERSION,
            namespace,
            plural,
            ...selectors,
          })) as KubernetesListObject<T>,
      );
    this.#profiles = customInformer<MachineProfileObject>(MACHINE_PROFILE.plural);
    this.#groups = customInformer<MachineGroupObject>(MACHINE_GROUP.plural);
    this.#configMaps = informer<V1ConfigMap>(
      'configmaps',
      `/api/v1/namespaces/${namespace}/configmaps`,
      (selectors) => this.#core.listNamespacedConfigMap({ namespace, ...selectors }),
      TEMPLATE_KIND_LABEL,
    );
    this.#snapshot = EMPTY_SNAPSHOT;
  }

  /**
   * Lists and starts watching everything in the namespace; resolves once the
   * first snapshot is built. Fails, naming the cause, when the API cannot be
   * listed (the CRDs not installed, no permission, no server).
   */
  static async start(options: KubernetesBootStoreOptions): Promise<KubernetesBootStore> {
    const store = new KubernetesBootStore(options);
    await store.#startInformers();
    store.#rebuild();
    store.#logger.info(
      { namespace: store.namespace, profiles: store.#snapshot.profiles.size, groups: store.#snapshot.groups.size },
      'Kubernetes boot store synced',
    );
    return store;
  }

  snapshot(): BootSnapshot {
    return this.#snapshot;
  }

  onChange(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const waiter of this.#waiters) waiter.done();
    this.#waiters.clear();
    this.#listeners.clear();
    await Promise.all([this.#profiles.stop(), this.#groups.stop(), this.#configMaps.stop()]);
  }

  async putProfile(profile: Profile): Promise<void> {
    assertObjectName(profile.id, 'profile');
    await this.#apply(
      `apply ${MACHINE_PROFILE.kind} ${profile.id}`,
      this.#profiles,
      toMachineProfile(profile, this.namespace),
    );
  }

  async deleteProfile(id: string): Promise<boolean> {
    assertObjectName(id, 'profile');
    return this.#delete(
      `delete ${MACHINE_PROFILE.kind} ${id}`,
      this.#profiles,
      toMachineProfile(
        { id, name: '', boot: { kernel: '', initrd: [], args: [] }, ignition_id: '', generic_id: '', cloud_id: '' },
        this.namespace,
      ),
    );
  }

  /** Stores the selector as matchbox loads it (a "mac" in lower-case colon form), as the data directory store does. */
  async putGroup(group: Group): Promise<void> {
    assertObjectName(group.id, 'group');
    assertMetadataDepth(group);
    const selector = normalizeSelector(group.selector);
    if (selector === undefined)
      throw new InvalidWriteError(`group ${group.id}: selector "mac" is not a MAC address`, {
        field: 'selector.mac',
        id: group.id,
      });
    await this.#apply(
      `apply ${MACHINE_GROUP.kind} ${group.id}`,
      this.#groups,
      toMachineGroup({ ...group, selector }, this.namespace),
    );
  }

  async deleteGroup(id: string): Promise<boolean> {
    assertObjectName(id, 'group');
    return this.#delete(
      `delete ${MACHINE_GROUP.kind} ${id}`,
      this.#groups,
      toMachineGroup({ id, name: '', profile: '', selector: {}, metadata: {} }, this.namespace),
    );
  }

  /**
   * Writes the template into the ConfigMap that already holds it (one made
   * with kubectl keeps its other keys: apply owns only this one), or else
   * into the ConfigMap the store names for it.
   */
  async putTemplate(kind: WritableTemplateKind, name: string, content: string): Promise<void> {
    assertTemplateKey(name);
    const configMapName = this.#templateHomes.get(`${kind}/${name}`) ?? templateConfigMapName(kind, name);
    await this.#apply(
      `apply ${kind} template ${name} (ConfigMap ${configMapName})`,
      this.#configMaps,
      toTemplateConfigMap(kind, name, content, this.namespace, configMapName),
    );
  }

  /** Removes the template's key; a ConfigMap left without templates is deleted. Both are conditional on the version read. */
  async deleteTemplate(kind: WritableTemplateKind, name: string): Promise<boolean> {
    assertTemplateKey(name);
    const configMapName = this.#templateHomes.get(`${kind}/${name}`) ?? templateConfigMapName(kind, name);
    const action = `delete ${kind} template ${name} (ConfigMap ${configMapName})`;
    let current: V1ConfigMap;
    try {
      current = await this.#core.readNamespacedConfigMap({ name: configMapName, namespace: this.namespace });
    } catch (error) {
      if (isNotFound(error)) return false;
      throw kubernetesError(action, error);
    }
    if (templateKindOf(current) !== kind || current.data?.[name] === undefined) return false;
    const resourceVersion = current.metadata?.resourceVersion ?? '';
    const onlyTemplate = Object.keys(current.data).length === 1 && Object.keys(current.binaryData ?? {}).length === 0;
    try {
      if (onlyTemplate) {
        await this.#core.deleteNamespacedConfigMap({
          name: configMapName,
          namespace: this.namespace,
          body: { preconditions: { resourceVersion } },
        });
        await this.#observe(
          () => this.#configMaps.get(configMapName, this.namespace)?.metadata?.uid !== current.metadata?.uid,
        );
      } else {
        const patched = await this.#core.patchNamespacedConfigMap(
          {
            name: configMapName,
            namespace: this.namespace,
            body: [
              { op: 'test', path: '/metadata/resourceVersion', value: resourceVersion },
              { op: 'remove', path: `/data/${name.replaceAll('~', '~0').replaceAll('/', '~1')}` },
            ],
          },
          setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
        );
        const patchedVersion = patched.metadata?.resourceVersion;
        await this.#observe(
          () => this.#configMaps.get(configMapName, this.namespace)?.metadata?.resourceVersion === patchedVersion,
        );
      }
    } catch (error) {
      if (isNotFound(error)) return false;
      throw kubernetesError(action, error);
    }
    return true;
  }

  async #apply<T extends KubernetesObject>(action: string, informer: Informer<T>, object: T): Promise<void> {
    let applied: T;
    try {
      applied = await this.#objects.patch(
        object,
        undefined,
        undefined,
        this.#fieldManager,
        true,
        PatchStrategy.ServerSideApply,
      );
    } catch (error) {
      throw kubernetesError(action, error);
    }
    const name = object.metadata?.name ?? '';
    const version = applied.metadata?.resourceVersion;
    await this.#observe(() => informer.get(name, this.namespace)?.metadata?.resourceVersion === version);
  }

  async #delete<T extends KubernetesObject>(action: string, informer: Informer<T>, object: T): Promise<boolean> {
    const name = object.metadata?.name ?? '';
    const uidBefore = informer.get(name, this.namespace)?.metadata?.uid;
    try {
      await this.#objects.delete(object);
    } catch (error) {
      if (isNotFound(error)) return false;
      throw kubernetesError(action, error);
    }
    await this.#observe(() => {
      const now = informer.get(name, this.namespace);
      return now === undefined || (uidBefore !== undefined && now.metadata?.uid !== uidBefore);
    });
    return true;
  }

  /**
   * Waits until this replica's snapshot shows a write, so that a write
   * followed by a read through the same replica sees it. The write itself is
   * done: if the watch is slow, the wait ends with a warning, not an error.
   */
  #observe(seen: () => boolean): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#logger.warn(
          { namespace: this.namespace, timeoutMs: this.#observeTimeoutMs },
          'a write is not yet visible through the watch; reads may briefly miss it',
        );
        waiter.done();
      }, this.#observeTimeoutMs);
      const waiter: Waiter = {
        seen,
        done: () => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve();
        },
      };
      this.#waiters.add(waiter);
      // The watch event may already be in the cache: check on the next rebuild, which reads the cache as it is now.
      this.#scheduleRebuild();
    });
  }

  /** Starts the informers; fails, closing the store, at a refusal (401, 403, 404) or when the API server is still not answering at the start deadline. */
  async #startInformers(): Promise<void> {
    const failures: Error[] = [];
    const failed = Promise.withResolvers<void>();
    this.#starting = {
      deadline: Date.now() + this.#startTimeoutMs,
      fail: (error) => {
        failures.push(error);
        failed.resolve();
      },
    };
    try {
      await Promise.race([
        Promise.all([this.#profiles.start(), this.#groups.start(), this.#configMaps.start()]),
        failed.promise,
      ]);
    } finally {
      this.#starting = undefined;
    }
    if (failures.length > 0) {
      await this.close();
      const messages = failures.map((failure) => failure.message);
      const missingDefinitions = messages.some((message) => /\bHTTP 404\b/.test(message));
      throw new KubernetesStoreError(
        `cannot watch the boot store in namespace ${this.namespace}: ${messages.join('; ')}${missingDefinitions ? ` (are the ${MACHINE_PROFILE.kind} and ${MACHINE_GROUP.kind} CRDs installed? \`strata boot-server\` needs them applied first)` : ''}`,
        { namespace: this.namespace, errors: messages },
        { cause: failures[0] },
      );
    }
  }

  /** The informers retry on their own; this decides what a failure means to the store and says so. */
  #informerFailed(what: string, error: unknown, retryInMs: number | undefined): void {
    if (this.#closed) return;
    if (retryInMs === undefined) {
      this.#logger.error(
        { what, namespace: this.namespace, error: describeApiError(error) },
        'handling a change failed',
      );
      return;
    }
    const starting = this.#starting;
    if (starting === undefined) {
      this.#logger.error(
        { what, namespace: this.namespace, error: describeApiError(error), retryInMs },
        'list or watch failed; restarting it',
      );
    } else if (!isTransient(error) || Date.now() > starting.deadline) {
      starting.fail(new Error(`${what}: ${describeApiError(error)}`, { cause: error }));
    } else {
      this.#logger.info(
        { what, error: describeApiError(error), retryInMs },
        'the API server is not ready to list yet; retrying',
      );
    }
  }

  #scheduleRebuild(): void {
    if (this.#rebuildScheduled || this.#closed) return;
    this.#rebuildScheduled = true;
    // Coalesces a burst of events (the initial list of thousands of objects, a relist) into one rebuild.
    setImmediate(() => {
      this.#rebuildScheduled = false;
      if (!this.#closed) this.#rebuild();
    });
  }

  #rebuild(): void {
    const profiles = new Map<string, Profile>();
    for (const object of this.#profiles.list(this.namespace)) {
      const converted = this.#convert(object, fromMachineProfile);
      if (converted !== undefined) profiles.set(converted.id, converted);
    }
    const groups = new Map<string, Group>();
    for (const object of this.#groups.list(this.namespace)) {
      const converted = this.#convert(object, groupFromObject);
      if (converted !== undefined) groups.set(converted.id, converted);
    }
    const templates: Record<TemplateKind, Map<string, string>> = {
      ignition: new Map(),
      generic: new Map(),
      cloud: new Map(),
    };
    const homes = new Map<string, string>();
    const configMaps = [...this.#configMaps.list(this.namespace)].sort((a, b) =>
      compare(a.metadata?.name ?? '', b.metadata?.name ?? ''),
    );
    for (const configMap of configMaps) {
      const kind = templateKindOf(configMap);
      const configMapName = configMap.metadata?.name ?? '';
      if (kind === undefined) {
        this.#reportOnce(
          `kind/${configMapName}/${configMap.metadata?.resourceVersion}`,
          { configMap: configMapName, label: configMap.metadata?.labels?.[TEMPLATE_KIND_LABEL] },
          `ignoring a ConfigMap whose ${TEMPLATE_KIND_LABEL} label is not ignition, generic or cloud`,
        );
        continue;
      }
      for (const [name, content] of Object.entries(configMap.data ?? {})) {
        const holder = homes.get(`${kind}/${name}`);
        if (holder !== undefined) {
          this.#reportOnce(
            `dup/${kind}/${name}/${configMapName}`,
            { template: name, kind, served: holder, ignored: configMapName },
            'two ConfigMaps hold the same template; serving the one whose name sorts first',
          );
          continue;
        }
        homes.set(`${kind}/${name}`, configMapName);
        templates[kind].set(name, content);
      }
    }
    this.#templateHomes = homes;
    this.#snapshot = makeSnapshot({ profiles, groups, templates });
    for (const listener of this.#listeners) listener(this.#snapshot);
    for (const waiter of [...this.#waiters]) if (waiter.seen()) waiter.done();
  }

  #convert<T extends { id: string }, O extends KubernetesObject>(
    object: O,
    convert: (object: O) => Converted<T>,
  ): T | undefined {
    let converted = this.#converted.get(object) as Converted<T> | undefined;
    if (converted === undefined) {
      converted = convert(object);
      this.#converted.set(object, converted);
      if (!converted.ok)
        this.#logger.error(
          { kind: object.kind, name: object.metadata?.name, problem: converted.problem },
          'ignoring an object that does not parse',
        );
    }
    return converted.ok ? converted.value : undefined;
  }

  #reportOnce(key: string, fields: Record<string, unknown>, message: string): void {
    if (this.#reported.has(key)) return;
    this.#reported.add(key);
    this.#logger.warn(fields, message);
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A MachineGroup as the snapshot holds it: its selector normalized; refused, as matchbox refuses to load it, when a "mac" is no MAC. */
function groupFromObject(object: MachineGroupObject): Converted<Group> {
  const converted = fromMachineGroup(object);
  if (!converted.ok) return converted;
  const selector = normalizeSelector(converted.value.selector);
  if (selector === undefined) return { ok: false, problem: 'selector.mac: not a MAC address' };
  return { ok: true, value: { ...converted.value, selector } };
}
