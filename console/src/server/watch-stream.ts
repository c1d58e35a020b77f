// The server side of a tab's one Server-Sent Events stream: for each subscribed resource an Informer from
// @strata/kube (list, watch, resume from the last resourceVersion, relist on 410, back-off) running with the
// user's own token, for exactly as long as the stream is open.
import { CoreV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import { describeApiError, Informer, statusCodeOf } from '@strata/kube';
import type { ResourceKind, WatchEvent } from '../shared/watch-protocol.ts';
import { nodeRow } from './node-row.ts';

/** A comment line now and then: proxies keep the connection, and a tab that is gone shows up as a failed write. */
const HEARTBEAT_MS = 15_000;

interface ResourceWatch {
  start(): Promise<void>;
  stop(): Promise<void>;
}

function watchNodes(kubeConfig: KubeConfig, send: (event: WatchEvent) => void): ResourceWatch {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  let synced = false;
  const informer = new Informer<V1Node>({
    kubeConfig,
    path: '/api/v1/nodes',
    list: (selectors) => core.listNode(selectors),
    onChange: (change, node) => {
      // Until the first snapshot is out, it carries every change.
      if (!synced) return;
      send(
        change === 'delete'
          ? { type: 'delete', resource: 'nodes', name: node.metadata?.name ?? '' }
          : { type: 'upsert', resource: 'nodes', row: nodeRow(node) },
      );
    },
    onError: (error) => {
      const status = statusCodeOf(error);
      send({
        type: 'error',
        resource: 'nodes',
        ...(status === undefined ? {} : { status }),
        message: `list or watch nodes: ${describeApiError(error)}`,
      });
    },
  });
  return {
    async start() {
      if (!(await informer.start())) return;
      synced = true;
      send({ type: 'snapshot', resource: 'nodes', rows: informer.list().map(nodeRow) });
    },
    stop: () => informer.stop(),
  };
}

const WATCHES: Record<ResourceKind, (kubeConfig: KubeConfig, send: (event: WatchEvent) => void) => ResourceWatch> = {
  nodes: watchNodes,
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
      watches = kinds.map((kind) => WATCHES[kind](kubeConfig, send));
      for (const watch of watches) void watch.start();
    },
    cancel: close,
  });
}
