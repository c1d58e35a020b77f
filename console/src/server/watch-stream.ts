// The server side of a tab's one Server-Sent Events stream: for each subscribed resource an Informer from
// @strata/kube (list, watch, resume from the last resourceVersion, relist on 410, back-off) running with the
// user's own token, for exactly as long as the stream is open.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type CoreV1Event,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node';
import { ETCD_BACKUP, ETCD_CLUSTER, UPDATE_POLICY } from '@strata/api';
import { Backoff, describeApiError, Informer, statusCodeOf, type InformerSelectors } from '@strata/kube';
import { UpdateApiClient, UpdateFeedRefusedError } from '@strata/update-server/client';
import type { CrdInfo } from '../shared/custom-resources.ts';
import type { UpdateServer } from './config.ts';
import { namespacedKey } from '../shared/etcd-rows.ts';
import type { ResourceKind, SubscriptionQuery, WatchEvent } from '../shared/watch-protocol.ts';
import { customRowOf } from './custom-resources.ts';
import { etcdBackupRow, etcdClusterRow, eventRow } from './etcd-rows.ts';
import { nodeDetailRow, podRow } from './node-detail.ts';
import { nodeRow } from './node-row.ts';
import { rolloutRow } from './rollout-row.ts';
import { updatePolicyRow } from './update-policy-row.ts';
import type { WorkloadKind, WorkloadRow } from '../shared/workloads.ts';
import {
  daemonSetRow,
  deploymentRow,
  namespaceRow,
  serviceRow,
  statefulSetRow,
  workloadEventRow,
  workloadPodRow,
} from './workload-rows.ts';

/** A comment line now and then: proxies keep the connection, and a tab that is gone shows up as a failed write. */
const HEARTBEAT_MS = 15_000;

interface ResourceWatch {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * One resource's part of the stream: its informer's first list as a snapshot, then each change. `row` projects an
 * object to what the browser shows; `deleted` names a deleted object as the protocol's delete event does.
 */
function watchCollection<T extends KubernetesObject>(options: {
  readonly kubeConfig: KubeConfig;
  readonly resource: ResourceKind;
  readonly path: string;
  readonly fieldSelector?: string;
  readonly list: (selectors: InformerSelectors) => Promise<KubernetesListObject<T>>;
  readonly snapshot: (objects: readonly T[]) => WatchEvent;
  readonly upsert: (object: T) => WatchEvent;
  readonly deleted: (object: T) => WatchEvent;
  readonly send: (event: WatchEvent) => void;
}): ResourceWatch {
  const { resource, send } = options;
  let synced = false;
  const informer = new Informer<T>({
    kubeConfig: options.kubeConfig,
    path: options.path,
    ...(options.fieldSelector === undefined ? {} : { fieldSelector: options.fieldSelector }),
    list: options.list,
    onChange: (change, object) => {
      // Until the first snapshot is out, it carries every change.
      if (!synced) return;
      send(change === 'delete' ? options.deleted(object) : options.upsert(object));
    },
    onError: (error) => {
      const status = statusCodeOf(error);
      send({
        type: 'error',
        resource,
        ...(status === undefined ? {} : { status }),
        message: `list or watch ${resource}: ${describeApiError(error)}`,
      });
    },
  });
  return {
    async start() {
      if (!(await informer.start())) return;
      synced = true;
      send(options.snapshot(informer.list()));
    },
    stop: () => informer.stop(),
  };
}

function watchNodes(kubeConfig: KubeConfig, send: (event: WatchEvent) => void): ResourceWatch {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return watchCollection<V1Node>({
    kubeConfig,
    resource: 'nodes',
    path: '/api/v1/nodes',
    list: (selectors) => core.listNode(selectors),
    snapshot: (nodes) => ({ type: 'snapshot', resource: 'nodes', rows: nodes.map(nodeRow) }),
    upsert: (node) => ({ type: 'upsert', resource: 'nodes', row: nodeRow(node) }),
    deleted: (node) => ({ type: 'delete', resource: 'nodes', name: node.metadata?.name ?? '' }),
    send,
  });
}

/** The nodes again, projected for the OS updates page. */
function watchRollout(kubeConfig: KubeConfig, send: (event: WatchEvent) => void): ResourceWatch {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return watchCollection<V1Node>({
    kubeConfig,
    resource: 'rollout',
    path: '/api/v1/nodes',
    list: (selectors) => core.listNode(selectors),
    snapshot: (nodes) => ({ type: 'snapshot', resource: 'rollout', rows: nodes.map(rolloutRow) }),
    upsert: (node) => ({ type: 'upsert', resource: 'rollout', row: rolloutRow(node) }),
    deleted: (node) => ({ type: 'delete', resource: 'rollout', name: node.metadata?.name ?? '' }),
    send,
  });
}

const keyOf = (object: KubernetesObject): string =>
  namespacedKey({ namespace: object.metadata?.namespace ?? '', name: object.metadata?.name ?? '' });

/** A custom resource's objects in every namespace the user may list. */
function customObjects(
  kubeConfig: KubeConfig,
  names: { readonly group: string; readonly version: string; readonly plural: string },
): Pick<Parameters<typeof watchCollection<KubernetesObject>>[0], 'path' | 'list'> {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  return {
    path: `/apis/${names.group}/${names.version}/${names.plural}`,
    list: async (selectors) => {
      const listed: unknown = await api.listClusterCustomObject({ ...names, ...selectors });
      // The API server answers a list of custom objects with a KubernetesList of them; the rows parse each one.
      return listed as KubernetesListObject<KubernetesObject>;
    },
  };
}

function watchEtcdClusters(kubeConfig: KubeConfig, send: (event: WatchEvent) => void): ResourceWatch {
  return watchCollection<KubernetesObject>({
    kubeConfig,
    resource: 'etcdclusters',
    ...customObjects(kubeConfig, ETCD_CLUSTER),
    snapshot: (objects) => ({ type: 'snapshot', resource: 'etcdclusters', rows: objects.map(etcdClusterRow) }),
    upsert: (object) => ({ type: 'upsert', resource: 'etcdclusters', row: etcdClusterRow(object) }),
    deleted: (object) => ({ type: 'delete', resource: 'etcdclusters', key: keyOf(object) }),
    send,
  });
}

function watchEtcdBackups(kubeConfig: KubeConfig, send: (event: WatchEvent) => void): ResourceWatch {
  return watchCollection<KubernetesObject>({
    kubeConfig,
    resource: 'etcdbackups',
    ...customObjects(kubeConfig, ETCD_BACKUP),
    snapshot: (objects) => ({ type: 'snapshot', resource: 'etcdbackups', rows: objects.map(etcdBackupRow) }),
    upsert: (object) => ({ type: 'upsert', resource: 'etcdbackups', row: etcdBackupRow(object) }),
    deleted: (object) => ({ type: 'delete', resource: 'etcdbackups', key: keyOf(object) }),
    send,
  });
}

/** Warning Events in every namespace the user may list: the API server filters them (type=Warning). */
function watchWarningEvents(kubeConfig: KubeConfig, send: (event: WatchEvent) => void): ResourceWatch {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return watchCollection<CoreV1Event>({
    kubeConfig,
    resource: 'warningevents',
    path: '/api/v1/events',
    fieldSelector: 'type=Warning',
    list: (selectors) => core.listEventForAllNamespaces(selectors),
    snapshot: (events) => ({ type: 'snapshot', resource: 'warningevents', rows: events.map(eventRow) }),
    upsert: (event) => ({ type: 'upsert', resource: 'warningevents', row: eventRow(event) }),
    deleted: (event) => ({ type: 'delete', resource: 'warningevents', key: keyOf(event) }),
    send,
  });
}

/** The UpdatePolicies (cluster-scoped). */
function watchUpdatePolicies(kubeConfig: KubeConfig, send: (event: WatchEvent) => void): ResourceWatch {
  return watchCollection<KubernetesObject>({
    kubeConfig,
    resource: 'updatepolicies',
    ...customObjects(kubeConfig, UPDATE_POLICY),
    snapshot: (objects) => ({ type: 'snapshot', resource: 'updatepolicies', rows: objects.map(updatePolicyRow) }),
    upsert: (object) => ({ type: 'upsert', resource: 'updatepolicies', row: updatePolicyRow(object) }),
    deleted: (object) => ({ type: 'delete', resource: 'updatepolicies', name: object.metadata?.name ?? '' }),
    send,
  });
}

/** The one node of the node page, with its conditions. */
function watchNodeDetail(kubeConfig: KubeConfig, send: (event: WatchEvent) => void, node: string): ResourceWatch {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return watchCollection<V1Node>({
    kubeConfig,
    resource: 'nodedetail',
    path: '/api/v1/nodes',
    fieldSelector: `metadata.name=${node}`,
    list: (selectors) => core.listNode(selectors),
    snapshot: (nodes) => ({ type: 'snapshot', resource: 'nodedetail', rows: nodes.map(nodeDetailRow) }),
    upsert: (object) => ({ type: 'upsert', resource: 'nodedetail', row: nodeDetailRow(object) }),
    deleted: (object) => ({ type: 'delete', resource: 'nodedetail', name: object.metadata?.name ?? '' }),
    send,
  });
}

/** The pods bound to the node, in every namespace the user may list. */
function watchNodePods(kubeConfig: KubeConfig, send: (event: WatchEvent) => void, node: string): ResourceWatch {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return watchCollection<V1Pod>({
    kubeConfig,
    resource: 'nodepods',
    path: '/api/v1/pods',
    fieldSelector: `spec.nodeName=${node}`,
    list: (selectors) => core.listPodForAllNamespaces(selectors),
    snapshot: (pods) => ({ type: 'snapshot', resource: 'nodepods', rows: pods.map(podRow) }),
    upsert: (pod) => ({ type: 'upsert', resource: 'nodepods', row: podRow(pod) }),
    deleted: (pod) => ({ type: 'delete', resource: 'nodepods', key: keyOf(pod) }),
    send,
  });
}

/** The Events about the node (the kubelet's, the update operator's), wherever they were posted. */
function watchNodeEvents(kubeConfig: KubeConfig, send: (event: WatchEvent) => void, node: string): ResourceWatch {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return watchCollection<CoreV1Event>({
    kubeConfig,
    resource: 'nodeevents',
    path: '/api/v1/events',
    fieldSelector: `involvedObject.kind=Node,involvedObject.name=${node}`,
    list: (selectors) => core.listEventForAllNamespaces(selectors),
    snapshot: (events) => ({ type: 'snapshot', resource: 'nodeevents', rows: events.map(eventRow) }),
    upsert: (event) => ({ type: 'upsert', resource: 'nodeevents', row: eventRow(event) }),
    deleted: (event) => ({ type: 'delete', resource: 'nodeevents', key: keyOf(event) }),
    send,
  });
}

/**
 * The objects of one served CRD (its storage version) in every namespace the user may list, as rows of its printer
 * columns. The stream's route has looked the CRD up as the user (findCrd) before anything is watched.
 */
function watchCustomResources(kubeConfig: KubeConfig, send: (event: WatchEvent) => void, crd: CrdInfo): ResourceWatch {
  const row = (object: KubernetesObject) => customRowOf(crd, object);
  return watchCollection<KubernetesObject>({
    kubeConfig,
    resource: 'customresources',
    ...customObjects(kubeConfig, { group: crd.group, version: crd.version, plural: crd.plural }),
    snapshot: (objects) => ({ type: 'snapshot', resource: 'customresources', rows: objects.map(row) }),
    upsert: (object) => ({ type: 'upsert', resource: 'customresources', row: row(object) }),
    deleted: (object) => ({ type: 'delete', resource: 'customresources', key: keyOf(object) }),
    send,
  });
}

/** A Workloads kind, in every namespace the user may list, as the one row shape of the Workloads table. */
function watchWorkloads<T extends KubernetesObject>(
  kind: WorkloadKind,
  path: string,
  list: (kubeConfig: KubeConfig, selectors: InformerSelectors) => Promise<KubernetesListObject<T>>,
  row: (object: T) => WorkloadRow,
): WatchOf {
  return (kubeConfig, send) =>
    watchCollection<T>({
      kubeConfig,
      resource: kind,
      path,
      list: (selectors) => list(kubeConfig, selectors),
      snapshot: (objects) => ({ type: 'snapshot', resource: kind, rows: objects.map(row) }),
      upsert: (object) => ({ type: 'upsert', resource: kind, row: row(object) }),
      deleted: (object) => ({ type: 'delete', resource: kind, key: keyOf(object) }),
      send,
    });
}

const core = (kubeConfig: KubeConfig) => kubeConfig.makeApiClient(CoreV1Api);
const apps = (kubeConfig: KubeConfig) => kubeConfig.makeApiClient(AppsV1Api);

const WORKLOAD_WATCHES: Record<WorkloadKind, WatchOf> = {
  namespaces: watchWorkloads('namespaces', '/api/v1/namespaces', (k, s) => core(k).listNamespace(s), namespaceRow),
  pods: watchWorkloads('pods', '/api/v1/pods', (k, s) => core(k).listPodForAllNamespaces(s), workloadPodRow),
  deployments: watchWorkloads(
    'deployments',
    '/apis/apps/v1/deployments',
    (k, s) => apps(k).listDeploymentForAllNamespaces(s),
    deploymentRow,
  ),
  daemonsets: watchWorkloads(
    'daemonsets',
    '/apis/apps/v1/daemonsets',
    (k, s) => apps(k).listDaemonSetForAllNamespaces(s),
    daemonSetRow,
  ),
  statefulsets: watchWorkloads(
    'statefulsets',
    '/apis/apps/v1/statefulsets',
    (k, s) => apps(k).listStatefulSetForAllNamespaces(s),
    statefulSetRow,
  ),
  services: watchWorkloads(
    'services',
    '/api/v1/services',
    (k, s) => core(k).listServiceForAllNamespaces(s),
    serviceRow,
  ),
  events: watchWorkloads('events', '/api/v1/events', (k, s) => core(k).listEventForAllNamespaces(s), workloadEventRow),
};

/** The update server and the user's token, for `updateserver`. */
export interface UpdateServerScope {
  readonly server: UpdateServer;
  readonly token: string;
}

/**
 * The update server's change feed (ADR 0073), followed with the user's own token: each change passed on as it comes;
 * a broken stream reconnected with back-off from its last event ID, so nothing is missed, or a `resync` passed on
 * when the update server cannot resume (it restarted). `ready` says the feed is open again. Its refusal (401, 403)
 * ends the watch: it said no, and saying it again will not change that; the pages show the error. Its 401 is not passed on as a status: that tells the
 * browser the API server no longer takes the session, which the update server cannot know.
 */
function watchUpdateServer(send: (event: WatchEvent) => void, scope: UpdateServerScope): ResourceWatch {
  const client = new UpdateApiClient({
    baseUrl: scope.server.url,
    token: scope.token,
    ...(scope.server.caPem === undefined ? {} : { caPem: scope.server.caPem }),
  });
  const stop = new AbortController();
  const backoff = new Backoff({ baseDelayMs: 1000, maxDelayMs: 30_000, resetAfterMs: 60_000 });
  let running: Promise<void> = Promise.resolve();
  const follow = async () => {
    let lastEventId: string | undefined;
    while (!stop.signal.aborted) {
      const started = Date.now();
      let retryAfterSeconds: number | undefined;
      try {
        await client.follow({
          lastEventId,
          signal: stop.signal,
          onEvent: (event) => {
            // Kept as each event comes: a stream that breaks resumes from the last one it delivered.
            if (event.id !== '') lastEventId = event.id;
            // A reconnect resumes from lastEventId: the missed changes, then ready; or resync when it cannot.
            if (event.type === 'resync' || event.type === 'ready') send({ type: event.type, resource: 'updateserver' });
            else
              send({
                type: 'change',
                resource: 'updateserver',
                groups: event.change.groups,
                channels: event.change.channels,
                machines: event.change.machines,
              });
            backoff.reset();
          },
        });
      } catch (error) {
        if (error instanceof UpdateFeedRefusedError && (error.status === 401 || error.status === 403)) {
          send({
            type: 'error',
            resource: 'updateserver',
            message: `the update server's change feed: ${error.message}`,
          });
          return;
        }
        if (error instanceof UpdateFeedRefusedError) retryAfterSeconds = error.retryAfterSeconds;
        send({
          type: 'error',
          resource: 'updateserver',
          message: `the update server's change feed: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
      if (stop.signal.aborted) return;
      const delay = Math.max(backoff.next(Date.now() - started), (retryAfterSeconds ?? 0) * 1000);
      try {
        await sleep(delay, undefined, { signal: stop.signal });
      } catch (error) {
        // Stopped while waiting: the loop ends; anything else is not ours to hide.
        if (!stop.signal.aborted) throw error;
      }
    }
  };
  return {
    start() {
      running = follow();
      return running;
    },
    async stop() {
      stop.abort();
      await running;
    },
  };
}

/** What some kinds are about: the node of the node-scoped kinds, the CRD of `customresources`. */
export interface WatchScope {
  /** The query's node ('' when it names none; the query's schema requires it with the node-scoped kinds). */
  readonly node: string;
  /** The CRD the query's group and plural name, looked up as the user; required with `customresources`. */
  readonly crd?: CrdInfo | undefined;
  /** The update server and the user's token; required with `updateserver`. */
  readonly updateServer?: UpdateServerScope | undefined;
}

/** A resource's watch, for the stream's scope. */
type WatchOf = (kubeConfig: KubeConfig, send: (event: WatchEvent) => void, scope: WatchScope) => ResourceWatch;

const WATCHES: Record<ResourceKind, WatchOf> = {
  nodes: watchNodes,
  rollout: watchRollout,
  updatepolicies: watchUpdatePolicies,
  etcdclusters: watchEtcdClusters,
  etcdbackups: watchEtcdBackups,
  warningevents: watchWarningEvents,
  nodedetail: (kubeConfig, send, scope) => watchNodeDetail(kubeConfig, send, scope.node),
  nodepods: (kubeConfig, send, scope) => watchNodePods(kubeConfig, send, scope.node),
  nodeevents: (kubeConfig, send, scope) => watchNodeEvents(kubeConfig, send, scope.node),
  customresources: (kubeConfig, send, scope) => {
    // The route refuses a customresources query without a served CRD; reaching here without one is a bug.
    if (scope.crd === undefined) throw new Error('customresources is watched only for a CRD the route looked up');
    return watchCustomResources(kubeConfig, send, scope.crd);
  },
  updateserver: (_kubeConfig, send, scope) => {
    // The route refuses an updateserver query when none is configured; reaching here without one is a bug.
    if (scope.updateServer === undefined)
      throw new Error('updateserver is watched only when the route gave its server');
    return watchUpdateServer(send, scope.updateServer);
  },
  ...WORKLOAD_WATCHES,
};

/**
 * The event stream for the query's kinds (and node, and CRD), as `kubeConfig`'s user. It ends, and its informers stop, when the browser goes
 * (`signal`), when the stream is cancelled, or when the API server no longer accepts the token (401): the browser
 * then signs in again rather than reconnecting with a token that cannot work. It also ends at `endsAt` (ms since
 * the epoch): an OpenID session's ID token is then due for renewal, and the informers would otherwise go on
 * re-listing and re-watching with it past its expiry. The browser reconnects, and the reconnect renews the token.
 */
export function watchStream(
  kubeConfig: KubeConfig,
  query: SubscriptionQuery,
  signal: AbortSignal,
  options: {
    readonly endsAt?: number | undefined;
    readonly crd?: CrdInfo | undefined;
    readonly updateServer?: UpdateServerScope | undefined;
  } = {},
): ReadableStream<Uint8Array> {
  const { endsAt, crd, updateServer } = options;
  const encoder = new TextEncoder();
  let open = true;
  let watches: ResourceWatch[] = [];
  let heartbeat: NodeJS.Timeout | undefined;
  let expiry: NodeJS.Timeout | undefined;
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;

  const close = () => {
    if (!open) return;
    open = false;
    clearInterval(heartbeat);
    clearTimeout(expiry);
    signal.removeEventListener('abort', close);
    const stopping = watches;
    watches = [];
    // Informer.stop() aborts its requests at once; nothing waits for the rest.
    void Promise.all(stopping.map((watch) => watch.stop()));
    controller?.close();
  };
  const write = (text: string) => {
    if (open) controller?.enqueue(encoder.encode(text));
  };
  const send = (event: WatchEvent) => {
    write(`data: ${JSON.stringify(event)}\n\n`);
    if (event.type === 'error' && event.status === 401) close();
  };

  return new ReadableStream<Uint8Array>({
    start(streamController) {
      controller = streamController;
      if (signal.aborted) {
        close();
        return;
      }
      signal.addEventListener('abort', close);
      heartbeat = setInterval(() => write(': heartbeat\n\n'), HEARTBEAT_MS);
      if (endsAt !== undefined) expiry = setTimeout(close, Math.max(0, endsAt - Date.now()));
      // The retry field: how long the browser waits before reconnecting a broken stream.
      write('retry: 2000\n\n');
      watches = query.resources.map((kind) =>
        WATCHES[kind](kubeConfig, send, { node: query.node ?? '', crd, updateServer }),
      );
      for (const watch of watches) void watch.start();
    },
    cancel: close,
  });
}
