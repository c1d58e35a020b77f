// The server side of a tab's one Server-Sent Events stream: for each subscribed resource an Informer from
// @strata/kube (list, watch, resume from the last resourceVersion, relist on 410, back-off) running with the
// user's own token, for exactly as long as the stream is open.
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesObject,
  type V1Node,
} from '@kubernetes/client-node';
import { UPDATE_POLICY } from '@strata/api';
import { describeApiError, Informer, statusCodeOf, type InformerOptions } from '@strata/kube';
import { z } from 'zod';
import type { ResourceKind, RowOf, WatchEventOf } from '../shared/watch-protocol.ts';
import { nodeRow } from './node-row.ts';
import { rolloutRow } from './rollout-row.ts';
import { updatePolicyRow } from './update-policy-row.ts';

const NODES_PATH = '/api/v1/nodes';

type Send = <K extends ResourceKind>(event: WatchEventOf<K>) => void;

/** A comment line now and then: proxies keep the connection, and a tab that is gone shows up as a failed write. */
const HEARTBEAT_MS = 15_000;

interface ResourceWatch {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** How one resource is listed and projected: the Informer's list and path, and the row each object becomes. */
interface ResourceSource<K extends ResourceKind, T extends KubernetesObject> {
  readonly resource: K;
  /** In the error message: what failed, e.g. "nodes". */
  readonly noun: string;
  readonly path: string;
  readonly list: (kubeConfig: KubeConfig) => InformerOptions<T>['list'];
  readonly row: (object: T) => RowOf<K>;
}

function watchResource<K extends ResourceKind, T extends KubernetesObject>(
  source: ResourceSource<K, T>,
  kubeConfig: KubeConfig,
  send: Send,
): ResourceWatch {
  const { resource } = source;
  let synced = false;
  const informer = new Informer<T>({
    kubeConfig,
    path: source.path,
    list: source.list(kubeConfig),
    onChange: (change, object) => {
      // Until the first snapshot is out, it carries every change.
      if (!synced) return;
      send(
        change === 'delete'
          ? { type: 'delete', resource, name: object.metadata?.name ?? '' }
          : { type: 'upsert', resource, row: source.row(object) },
      );
    },
    onError: (error) => {
      const status = statusCodeOf(error);
      send({
        type: 'error',
        resource,
        ...(status === undefined ? {} : { status }),
        message: `list or watch ${source.noun}: ${describeApiError(error)}`,
      });
    },
  });
  return {
    async start() {
      if (!(await informer.start())) return;
      synced = true;
      send({ type: 'snapshot', resource, rows: informer.list().map(source.row) });
    },
    stop: () => informer.stop(),
  };
}

const objectListSchema = z.looseObject({
  metadata: z.looseObject({ resourceVersion: z.string().optional() }).optional(),
  items: z.array(z.looseObject({ metadata: z.looseObject({ name: z.string().optional() }).optional() })),
});

const listNodes = (kubeConfig: KubeConfig): InformerOptions<V1Node>['list'] => {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return (selectors) => core.listNode(selectors);
};

const WATCHES: {
  [K in ResourceKind]: (kubeConfig: KubeConfig, send: Send) => ResourceWatch;
} = {
  nodes: (kubeConfig, send) =>
    watchResource(
      { resource: 'nodes', noun: 'nodes', path: NODES_PATH, list: listNodes, row: nodeRow },
      kubeConfig,
      send,
    ),
  rollout: (kubeConfig, send) =>
    watchResource(
      { resource: 'rollout', noun: 'nodes', path: NODES_PATH, list: listNodes, row: rolloutRow },
      kubeConfig,
      send,
    ),
  updatepolicies: (kubeConfig, send) =>
    watchResource<'updatepolicies', KubernetesObject>(
      {
        resource: 'updatepolicies',
        noun: 'UpdatePolicies',
        path: `/apis/${UPDATE_POLICY.group}/${UPDATE_POLICY.version}/${UPDATE_POLICY.plural}`,
        list: (config) => {
          const custom = config.makeApiClient(CustomObjectsApi);
          return async (selectors) => {
            const answer: unknown = await custom.listClusterCustomObject({
              group: UPDATE_POLICY.group,
              version: UPDATE_POLICY.version,
              plural: UPDATE_POLICY.plural,
              ...selectors,
            });
            return objectListSchema.parse(answer);
          };
        },
        row: updatePolicyRow,
      },
      kubeConfig,
      send,
    ),
};

/**
 * The event stream for `kinds`, as `kubeConfig`'s user. It ends, and its informers stop, when the browser goes
 * (`signal`), when the stream is cancelled, or when the API server no longer accepts the token (401): the browser
 * then signs in again rather than reconnecting with a token that cannot work. It also ends at `endsAt` (ms since
 * the epoch): an OpenID session's ID token is then due for renewal, and the informers would otherwise go on
 * re-listing and re-watching with it past its expiry. The browser reconnects, and the reconnect renews the token.
 */
export function watchStream(
  kubeConfig: KubeConfig,
  kinds: readonly ResourceKind[],
  signal: AbortSignal,
  endsAt?: number,
): ReadableStream<Uint8Array> {
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
  const send: Send = (event) => {
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
      watches = kinds.map((kind) => WATCHES[kind](kubeConfig, send));
      for (const watch of watches) void watch.start();
    },
    cancel: close,
  });
}
