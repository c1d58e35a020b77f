// The part of the kubelet API a simulated node serves (ADR 0063): /containerLogs, which kube-apiserver proxies
// `kubectl logs` to, and /healthz. As the kubelet configured by Strata serves it: HTTPS with a serving certificate
// from a kubelet-serving CSR, client certificates of the cluster CA (x509 authentication, anonymous off), and every
// request authorized with a SubjectAccessReview on nodes/proxy of this node (webhook authorization).
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { AccessReviewAnswer, ReviewedUser, ResourceAttributes } from '@strata/kube';
import { ContainerLogQueryError, KubeletApiError } from './errors.ts';
import { parseContainerLogQuery } from './kubelet-api-query.ts';
import type { ServingCertificate } from './kubelet-serving.ts';
import type { ContainerLogAnswer, ContainerLogRequest } from './pod-runtime.ts';

/** Who may do what, as the cluster's authorizers decide: a SubjectAccessReview (DelegatedAuth.reviewAccess). */
export type KubeletAuthorizer = (user: ReviewedUser, attributes: ResourceAttributes) => Promise<AccessReviewAnswer>;

/** The node's runtimes, asked in order for a container's log; the first that knows the pod answers. */
export type ContainerLogLookup = (
  namespace: string,
  podName: string,
  container: string,
  request: ContainerLogRequest,
) => ContainerLogAnswer;

export interface KubeletApiOptions {
  readonly nodeName: string;
  /** The node's InternalIP. */
  readonly host: string;
  /** 0: any free port, read back from `port`. */
  readonly port: number;
  /** Client certificates must chain to these (the kubelet's authentication.x509.clientCAFile). */
  readonly clientCaPems: readonly string[];
  readonly authorize: KubeletAuthorizer;
  readonly containerLog: ContainerLogLookup;
  readonly onError?: (error: unknown, activity: string) => void;
}

/** The kubelet's webhook authorizer caches answers: allowed for 5 minutes, denied for 30 seconds. */
const ALLOWED_TTL_MS = 5 * 60_000;
const DENIED_TTL_MS = 30_000;

const VERBS: Readonly<Record<string, string>> = {
  GET: 'get',
  HEAD: 'get',
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

const text = (response: ServerResponse, status: number, body: string): void => {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
  response.end(body.endsWith('\n') ? body : `${body}\n`);
};

/** The user a verified client certificate names: CN the user, each O a group, as kube-apiserver and the kubelet read it. */
function certificateUser(socket: TLSSocket): ReviewedUser | undefined {
  if (!socket.authorized) return undefined;
  const subject = socket.getPeerCertificate().subject as Record<string, string | string[] | undefined> | undefined;
  const commonName = subject?.CN;
  if (typeof commonName !== 'string' || commonName === '') return undefined;
  const organizations = subject?.O;
  const groups = organizations === undefined ? [] : Array.isArray(organizations) ? organizations : [organizations];
  return { username: commonName, uid: undefined, groups: [...groups, 'system:authenticated'], extra: {} };
}

/**
 * A node's kubelet API on `host:port`. It listens at once, so the port can go into the Node's daemonEndpoints;
 * until `serve` gives it a certificate every handshake fails, as a kubelet's does before its serving CSR is issued.
 */
export class KubeletApiServer {
  readonly port: number;
  readonly #server: Server;
  readonly #options: KubeletApiOptions;
  readonly #decisions = new Map<string, { answer: AccessReviewAnswer; until: number }>();
  readonly #following = new Set<AbortController>();
  #certificate: ServingCertificate | undefined;

  private constructor(server: Server, options: KubeletApiOptions) {
    this.#server = server;
    this.#options = options;
    this.port = (server.address() as AddressInfo).port;
  }

  static async listen(options: KubeletApiOptions): Promise<KubeletApiServer> {
    // rejectUnauthorized off: a client without a good certificate gets the kubelet's 401, not a failed handshake.
    const server = createServer({
      requestCert: true,
      rejectUnauthorized: false,
      ca: [...options.clientCaPems],
      minVersion: 'TLSv1.2',
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) =>
        reject(
          new KubeletApiError(
            `the kubelet API of node ${options.nodeName} cannot listen on ${options.host}:${options.port}: ${error.message}`,
            { node: options.nodeName, host: options.host, port: options.port },
            { cause: error },
          ),
        ),
      );
      server.listen(options.port, options.host, resolve);
    });
    const api = new KubeletApiServer(server, options);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => api.#handle(request, response));
    return api;
  }

  /** Serves with this certificate from now on (the first one, or a renewed one). */
  serve(certificate: ServingCertificate): void {
    this.#certificate = certificate;
    this.#server.setSecureContext({
      key: certificate.privateKeyPem,
      cert: certificate.certificatePem,
      ca: [...this.#options.clientCaPems],
    });
  }

  get serving(): boolean {
    return this.#certificate !== undefined;
  }

  /** Stops listening, ends every follow and every connection. */
  async close(): Promise<void> {
    for (const follow of this.#following) follow.abort();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    this.#answer(request, response).catch((error: unknown) => {
      this.#options.onError?.(error, `answering ${request.method ?? '?'} ${request.url ?? '?'}`);
      text(response, 500, 'Internal Error: the kubelet could not answer');
    });
  }

  async #answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const user = certificateUser(request.socket as TLSSocket);
    if (user === undefined) return text(response, 401, 'Unauthorized');
    const verb = VERBS[request.method ?? ''] ?? (request.method ?? '').toLowerCase();
    const attributes: ResourceAttributes = {
      verb,
      group: '',
      resource: 'nodes',
      subresource: 'proxy',
      name: this.#options.nodeName,
    };
    const decision = await this.#authorize(user, attributes);
    if (!decision.allowed) {
      return text(
        response,
        403,
        `Forbidden (user=${user.username}, verb=${verb}, resource=nodes, subresource=proxy)` +
          (decision.reason === '' ? '' : `: ${decision.reason}`),
      );
    }
    const url = new URL(request.url ?? '/', 'https://kubelet');
    if (url.pathname === '/healthz') {
      if (verb !== 'get') return text(response, 405, 'Method Not Allowed');
      return text(response, 200, 'ok');
    }
    const logs = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (logs === null) return text(response, 404, '404 page not found');
    if (verb !== 'get') return text(response, 405, 'Method Not Allowed');
    const [namespace, podName, container] = logs.slice(1).map((part) => decodeURIComponent(part)) as [
      string,
      string,
      string,
    ];
    let logRequest: ContainerLogRequest;
    try {
      logRequest = parseContainerLogQuery(url.searchParams);
    } catch (error) {
      if (error instanceof ContainerLogQueryError) return text(response, 400, error.message);
      throw error;
    }
    const answer = this.#options.containerLog(namespace, podName, container, logRequest);
    switch (answer.kind) {
      case 'unknown-pod':
        return text(response, 404, `pod "${podName}" does not exist`);
      case 'unknown-container':
        return text(response, 404, `container "${container}" not found in pod "${podName}"`);
      case 'unavailable':
        return text(response, 400, answer.message);
      case 'log':
        return this.#stream(request, response, answer.read);
    }
  }

  async #stream(
    request: IncomingMessage,
    response: ServerResponse,
    read: (signal: AbortSignal) => Promise<AsyncIterable<Buffer>>,
  ): Promise<void> {
    const abort = new AbortController();
    this.#following.add(abort);
    const gone = () => abort.abort();
    request.socket.once('close', gone);
    try {
      // Opened first: a log that cannot be read is a 500 before any header is sent.
      const chunks = await read(abort.signal);
      response.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
      // Headers now, so a follower sees the answer begin before the first line is written.
      response.flushHeaders();
      for await (const chunk of chunks) {
        if (abort.signal.aborted) break;
        if (!response.write(chunk)) {
          await new Promise<void>((resolve) => {
            response.once('drain', resolve);
            abort.signal.addEventListener('abort', () => resolve(), { once: true });
          });
        }
      }
      if (!abort.signal.aborted) response.end();
    } finally {
      request.socket.off('close', gone);
      this.#following.delete(abort);
    }
  }

  async #authorize(user: ReviewedUser, attributes: ResourceAttributes): Promise<AccessReviewAnswer> {
    const key = JSON.stringify([user.username, [...user.groups].sort(), attributes]);
    const now = Date.now();
    const cached = this.#decisions.get(key);
    if (cached !== undefined && cached.until > now) return cached.answer;
    const answer = await this.#options.authorize(user, attributes);
    this.#decisions.set(key, { answer, until: now + (answer.allowed ? ALLOWED_TTL_MS : DENIED_TTL_MS) });
    return answer;
  }
}
