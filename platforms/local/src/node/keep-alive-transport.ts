import http from 'node:http';
import https from 'node:https';
import {
  createConfiguration,
  ResponseContext,
  SelfDecodingBody,
  ServerConfiguration,
  wrapHttpLibrary,
  type ApiConstructor,
  type ApiType,
  type KubeConfig,
  type PromiseHttpLibrary,
  type RequestContext,
} from '@kubernetes/client-node';
import { requestKey, type ApiRequestMetrics } from './api-metrics.ts';
import { NodeStartError } from './errors.ts';

export interface KeepAliveTransportOptions {
  readonly metrics?: ApiRequestMetrics;
  readonly userAgent?: string;
  /** Concurrent connections per identity; a kubelet multiplexes everything over one HTTP/2 connection. */
  readonly maxSockets?: number;
  readonly requestTimeoutMs?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * HTTP for the generated API clients over one keep-alive connection pool per
 * identity. The client's own fetch transport builds a new connection pool for
 * every request, so each lease renewal would pay a TLS handshake with client
 * certificate verification; a thousand nodes cannot afford that on two cores.
 *
 * Credentials are read once: client certificates and static tokens, which is
 * what kubelets use. Exec and OIDC plugins that refresh tokens are not for this.
 */
export class KeepAliveTransport implements PromiseHttpLibrary {
  readonly server: string;
  readonly #agent: http.Agent;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #options: KeepAliveTransportOptions;
  readonly #request: typeof https.request;

  private constructor(
    server: string,
    agent: http.Agent,
    headers: Record<string, string>,
    options: KeepAliveTransportOptions,
  ) {
    this.server = server;
    this.#agent = agent;
    this.#headers = headers;
    this.#options = options;
    this.#request = server.startsWith('https:') ? https.request : http.request;
  }

  static async create(kubeConfig: KubeConfig, options: KeepAliveTransportOptions = {}): Promise<KeepAliveTransport> {
    const cluster = kubeConfig.getCurrentCluster();
    if (cluster === null) throw new NodeStartError('the kubeconfig has no current cluster', {});
    const tls: https.RequestOptions = {};
    await kubeConfig.applyToHTTPSOptions(tls);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(tls.headers ?? {})) {
      if (typeof value === 'string') headers[name] = value;
    }
    if (typeof tls.auth === 'string') headers['Authorization'] = `Basic ${Buffer.from(tls.auth).toString('base64')}`;
    if (options.userAgent !== undefined) headers['User-Agent'] = options.userAgent;
    const common = { keepAlive: true, maxSockets: options.maxSockets ?? 4, scheduling: 'lifo' as const };
    const agent = cluster.server.startsWith('https:')
      ? new https.Agent({
          ...common,
          ...(tls.ca === undefined ? {} : { ca: tls.ca }),
          ...(tls.cert === undefined ? {} : { cert: tls.cert }),
          ...(tls.key === undefined ? {} : { key: tls.key }),
          ...(tls.servername === undefined ? {} : { servername: tls.servername }),
          ...(cluster.skipTLSVerify ? { rejectUnauthorized: false } : {}),
        })
      : new http.Agent(common);
    return new KeepAliveTransport(cluster.server.replace(/\/+$/, ''), agent, headers, options);
  }

  /** A generated API client (CoreV1Api, CoordinationV1Api, …) that sends through this transport. */
  api<T extends ApiType>(apiClass: ApiConstructor<T>): T {
    return new apiClass(
      createConfiguration({
        baseServer: new ServerConfiguration(this.server, {}),
        httpApi: wrapHttpLibrary(this),
        authMethods: {},
      }),
    );
  }

  async send(request: RequestContext): Promise<ResponseContext> {
    const url = new URL(request.getUrl());
    const key = requestKey(request.getHttpMethod(), url);
    try {
      const response = await this.#sendOnce(request, url);
      this.#options.metrics?.record(key, response.httpStatusCode);
      return response;
    } catch (error) {
      this.#options.metrics?.record(key, 'network');
      throw error;
    }
  }

  /** Closes the idle connections; requests in flight finish first. */
  close(): void {
    this.#agent.destroy();
  }

  #sendOnce(request: RequestContext, url: URL, retried = false): Promise<ResponseContext> {
    const body = request.getBody();
    if (body !== undefined && typeof body !== 'string') {
      return Promise.reject(new TypeError('KeepAliveTransport sends JSON bodies only'));
    }
    return new Promise<ResponseContext>((resolve, reject) => {
      const outgoing = this.#request(
        url,
        {
          method: request.getHttpMethod(),
          agent: this.#agent,
          headers: {
            ...request.getHeaders(),
            ...this.#headers,
            // Node frames a DELETE body neither by length nor by chunks; unframed, it would be read as the next request on the connection.
            ...(body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(body)) }),
          },
          ...(request.getSignal() === undefined ? {} : { signal: request.getSignal() }),
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('error', reject);
          incoming.on('end', () => {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(incoming.headers)) {
              if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
            }
            const payload = Buffer.concat(chunks);
            resolve(
              new ResponseContext(incoming.statusCode ?? 0, headers, new SelfDecodingBody(Promise.resolve(payload))),
            );
          });
        },
      );
      outgoing.setTimeout(this.#options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, () => {
        outgoing.destroy(
          new Error(
            `no answer from ${url.origin} within ${this.#options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS} ms`,
          ),
        );
      });
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        // The server may close an idle kept-alive connection just as we reuse it; Node's documented remedy is one retry.
        if (!retried && outgoing.reusedSocket && error.code === 'ECONNRESET') {
          this.#sendOnce(request, url, true).then(resolve, reject);
          return;
        }
        reject(error);
      });
      if (body !== undefined) outgoing.write(body);
      outgoing.end();
    });
  }
}
