// A pod's log, read as the signed-in user (`get pods/log`) and passed to the browser as it comes: kube-apiserver
// proxies the request to the node's kubelet, and with follow the answer stays open as the container writes. The
// upstream request lives exactly as long as the browser's: when the browser goes (stop, another container, the page
// closed) the request's signal aborts the call to the API server, which closes its own call to the kubelet.
import { request, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { ApiException } from '@kubernetes/client-node';
import { BodyTooLargeError, readBody } from '@strata/host';
import { podLogSearch, type PodLogQuery } from '../shared/pod-logs.ts';
import type { ApiServer } from './config.ts';

/** An error answer's body (a Status) is short; anything far larger is not one. */
const MAX_ERROR_BYTES = 64 * 1024;
/** How long the API server has to start answering; a followed log may then stay open for as long as it is read. */
const HEADERS_TIMEOUT_MS = 15_000;

export interface PodRef {
  readonly namespace: string;
  readonly name: string;
}

/** The API path of the pod's log with the query, as kubectl logs asks for it. */
export function podLogPath(pod: PodRef, query: PodLogQuery): string {
  return `/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods/${encodeURIComponent(pod.name)}/log?${podLogSearch(query)}`;
}

/** A refusal's body (the API server's Status), bounded: a larger one is not an API server's and is left unread. */
async function readRefusal(response: IncomingMessage): Promise<string> {
  try {
    return (await readBody(response, { maxBytes: MAX_ERROR_BYTES })).toString('utf8');
  } catch (error) {
    if (error instanceof BodyTooLargeError) return '';
    throw error;
  } finally {
    response.destroy();
  }
}

/**
 * The log as a byte stream, once the API server has answered 200. Any other answer is thrown as the client
 * library's ApiException (its status and Status body), so that the route answers it in the API server's words as
 * every other route does. `signal` is the browser's request: aborting it ends the upstream call at any point.
 */
export function openPodLog(
  apiServer: ApiServer,
  token: string,
  pod: PodRef,
  query: PodLogQuery,
  signal: AbortSignal,
): Promise<ReadableStream<Uint8Array>> {
  const url = new URL(podLogPath(pod, query), apiServer.server);
  const options: RequestOptions = {
    method: 'GET',
    headers: { authorization: `Bearer ${token}`, accept: 'text/plain, application/json' },
    ...(apiServer.caPem === undefined ? {} : { ca: apiServer.caPem }),
    signal,
  };
  return new Promise((resolve, reject) => {
    let cancelled = false;
    const call = request(url, options, (response) => {
      clearTimeout(headersTimer);
      const status = response.statusCode ?? 0;
      if (status !== 200) {
        readRefusal(response).then(
          (body) => reject(new ApiException(status, `HTTP ${status}`, body, {})),
          (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
        );
        return;
      }
      resolve(
        new ReadableStream<Uint8Array>({
          start(controller) {
            response.on('data', (chunk: Buffer) => {
              if (!cancelled) controller.enqueue(new Uint8Array(chunk));
            });
            response.on('end', () => {
              if (!cancelled) controller.close();
            });
            // A broken upstream ends the browser's stream with it (when the browser went first, the error is the
            // abort, and nobody reads it).
            response.on('error', (error) => {
              if (!cancelled) controller.error(error);
            });
          },
          // The browser stopped reading (its request was cancelled): end the upstream call too.
          cancel() {
            cancelled = true;
            call.destroy();
          },
        }),
      );
    });
    const headersTimer = setTimeout(
      () => call.destroy(new Error(`the API server did not answer ${url.pathname} within ${HEADERS_TIMEOUT_MS} ms`)),
      HEADERS_TIMEOUT_MS,
    );
    call.on('error', (error) => {
      clearTimeout(headersTimer);
      reject(error);
    });
    call.on('close', () => clearTimeout(headersTimer));
    call.end();
  });
}
