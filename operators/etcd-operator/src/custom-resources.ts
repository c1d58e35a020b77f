// What the operator's controllers of one custom resource kind share: an informer on the kind (in one namespace or
// all), the run loop of one worker over a work queue, status patches and Events regarding an object.
import {
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { ETCD_CLUSTER, parseEtcdCluster, type EtcdCluster } from '@strata/api';
import {
  describeApiError,
  EventRecorder,
  Informer,
  isNotFound,
  kubernetesApiError,
  runWorkers,
  type WorkQueue,
} from '@strata/kube';
import type { Logger } from 'pino';

export interface CustomResourceNames {
  readonly group: string;
  readonly version: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
}

/** The Events recorder of the operator's controllers, reporting as `identity` (the pod). */
export const operatorEventRecorder = (kubeConfig: KubeConfig, identity: string): EventRecorder =>
  new EventRecorder(kubeConfig, { reportingController: 'strata.dev/etcd-operator', reportingInstance: identity });

/** The work queue key of an object: `namespace/name`. */
export const objectKey = (namespace: string, name: string): string => `${namespace}/${name}`;

/** An informer on `names` (in `namespace`, or every namespace), queueing each changed object's key. */
export function customResourceInformer(options: {
  readonly kubeConfig: KubeConfig;
  readonly names: CustomResourceNames;
  readonly namespace: string | undefined;
  readonly queue: WorkQueue;
  readonly logger: Logger;
}): Informer<KubernetesObject> {
  const { kubeConfig, names, namespace, queue, logger } = options;
  const customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
  const base = `/apis/${names.group}/${names.version}`;
  return new Informer<KubernetesObject>({
    kubeConfig,
    path: namespace === undefined ? `${base}/${names.plural}` : `${base}/namespaces/${namespace}/${names.plural}`,
    list: async (selectors) => {
      const common = { group: names.group, version: names.version, plural: names.plural, ...selectors };
      const listed: unknown =
        namespace === undefined
          ? await customObjects.listClusterCustomObject(common)
          : await customObjects.listNamespacedCustomObject({ ...common, namespace });
      // The API server answers a list of this kind with a KubernetesList of its objects.
      return listed as KubernetesListObject<KubernetesObject>;
    },
    onChange: (_change, object) => queue.add(objectKey(object.metadata?.namespace ?? '', object.metadata?.name ?? '')),
    onError: (error, retryInMs) => logger.warn({ err: error, retryInMs }, `watching ${names.plural} failed`),
  });
}

/**
 * Runs `pass` for each queued key with one worker until `signal` aborts; nothing is decided before the informer's
 * cache holds a full list. One worker: the passes stream whole snapshots, and two at once would only compete for the
 * same disk and link.
 */
export async function runQueuedPasses(options: {
  readonly informer: Informer<KubernetesObject>;
  readonly queue: WorkQueue;
  readonly signal: AbortSignal;
  readonly pass: (key: string) => Promise<void>;
  readonly onError: (error: unknown, key: string) => void;
}): Promise<void> {
  const { informer, queue, signal } = options;
  const stopped = signal.aborted
    ? Promise.resolve()
    : new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  await Promise.race([informer.start(), stopped]);
  const workers = signal.aborted ? Promise.resolve() : runWorkers(queue, 1, options.pass, { onError: options.onError });
  await stopped;
  await queue.shutDown();
  await Promise.all([informer.stop(), workers]);
}

/** Merge-patches the status subresource of `names` object `namespace/name`. */
export async function patchStatus(
  customObjects: CustomObjectsApi,
  names: CustomResourceNames,
  namespace: string,
  name: string,
  status: object,
): Promise<void> {
  try {
    await customObjects.patchNamespacedCustomObjectStatus(
      { group: names.group, version: names.version, plural: names.plural, namespace, name, body: { status } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  } catch (error) {
    throw kubernetesApiError({ verb: 'patch', resource: `${names.plural}/status`, namespace, name }, error);
  }
}

/** Records an Event regarding an object and logs it; a failed Event is logged, since the decision it records stands. */
export async function recordEvent(
  events: EventRecorder,
  logger: Logger,
  regarding: {
    readonly names: CustomResourceNames;
    readonly metadata: {
      readonly name: string;
      readonly namespace?: string | undefined;
      readonly uid?: string | undefined;
    };
  },
  event: { type: 'Normal' | 'Warning'; reason: string; action: string; note: string },
): Promise<void> {
  const { name } = regarding.metadata;
  logger.info({ [regarding.names.kind]: name, reason: event.reason }, event.note);
  try {
    await events.record({
      regarding: {
        apiVersion: regarding.names.apiVersion,
        kind: regarding.names.kind,
        name,
        namespace: regarding.metadata.namespace ?? '',
        uid: regarding.metadata.uid ?? '',
      },
      ...event,
    });
  } catch (error) {
    logger.warn({ err: error, reason: event.reason, detail: describeApiError(error) }, 'could not record an Event');
  }
}

/** EtcdCluster namespace/name as the API server has it now (not a cache), or undefined when there is none (404). */
export async function readEtcdCluster(
  customObjects: CustomObjectsApi,
  namespace: string,
  name: string,
): Promise<EtcdCluster | undefined> {
  let raw: unknown;
  try {
    raw = await customObjects.getNamespacedCustomObject({
      group: ETCD_CLUSTER.group,
      version: ETCD_CLUSTER.version,
      plural: ETCD_CLUSTER.plural,
      namespace,
      name,
    });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw kubernetesApiError({ verb: 'get', resource: ETCD_CLUSTER.plural, namespace, name }, error);
  }
  return parseEtcdCluster(raw);
}
