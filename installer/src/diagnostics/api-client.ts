// GET requests to the API server for the probes that need it answering
// (/readyz?verbose, /readyz/etcd, the Node list), with the admin kubeconfig's
// credentials and the rendered CA as the only trust, under the probe's
// timeout and the caller's cancellation, and with a bounded body.
import type { OutgoingHttpHeaders } from 'node:http';
import { request, type RequestOptions } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { StrataError } from '@strata/api';
import { readBody } from '@strata/host';
import { connectFailureOf, describeConnectFailure } from './connect.ts';
import type { Endpoint } from './endpoint.ts';
import { DiagnosticInputError } from './errors.ts';
import type { ConnectFailure } from './findings.ts';
import { probeSignal, timedOut, type ProbeOptions } from './probe-options.ts';

/** The request got no answer. `context`: url; `failure` says why (refused, timed out …). */
export class ApiRequestError extends StrataError {
  readonly failure: ConnectFailure;

  constructor(url: string, failure: ConnectFailure, options?: ErrorOptions) {
    super(`GET ${url}: ${describeConnectFailure(failure)}`, { url, kind: failure.kind }, options);
    this.failure = failure;
  }
}

/** How the probes authenticate: the admin's client certificate (or token), or nothing for anonymous health checks. */
export interface ApiCredentials {
  readonly cert?: string;
  readonly key?: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface ApiAnswer {
  readonly status: number;
  readonly body: string;
}

/** Node lists of thousands of nodes stay well under this; anything larger is not an API server's answer. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** A PEM option of https.RequestOptions as text (an array is a bundle; key objects do not occur in kubeconfigs). */
function asText(value: RequestOptions['cert'] | RequestOptions['key']): string | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) return value.toString();
  return value
    .flatMap((each) => (typeof each === 'string' || Buffer.isBuffer(each) ? [each.toString()] : []))
    .join('\n');
}

/** The admin kubeconfig's credentials for its current context. The server and CA in it are not used. */
export async function loadAdminCredentials(kubeconfigPath: string): Promise<ApiCredentials> {
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromFile(kubeconfigPath);
  } catch (error) {
    throw new DiagnosticInputError(
      `the admin kubeconfig ${kubeconfigPath} cannot be read: ${error instanceof Error ? error.message : String(error)}`,
      { path: kubeconfigPath },
      { cause: error },
    );
  }
  const options: RequestOptions = {};
  try {
    await kubeConfig.applyToHTTPSOptions(options);
  } catch (error) {
    throw new DiagnosticInputError(
      `the admin kubeconfig ${kubeconfigPath} yields no credentials: ${error instanceof Error ? error.message : String(error)}`,
      { path: kubeconfigPath },
      { cause: error },
    );
  }
  const cert = asText(options.cert);
  const key = asText(options.key);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (typeof value === 'string') headers[name] = value;
  }
  if (cert === undefined && headers['Authorization'] === undefined) {
    throw new DiagnosticInputError(
      `the admin kubeconfig ${kubeconfigPath} has neither a client certificate nor a token`,
      {
        path: kubeconfigPath,
      },
    );
  }
  return { ...(cert === undefined ? {} : { cert }), ...(key === undefined ? {} : { key }), headers };
}

export const ANONYMOUS: ApiCredentials = { headers: {} };

/** GET `path` on the API server; any HTTP answer resolves, only a missing answer rejects (ApiRequestError). */
export function apiGet(
  endpoint: Endpoint,
  path: string,
  caPem: string,
  credentials: ApiCredentials,
  options: ProbeOptions,
): Promise<ApiAnswer> {
  const signal = probeSignal(options);
  const url = new URL(path, endpoint.url).toString();
  const headers: OutgoingHttpHeaders = { Accept: 'application/json, text/plain', ...credentials.headers };
  return new Promise<ApiAnswer>((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: 'GET',
        ca: caPem,
        ...(credentials.cert === undefined ? {} : { cert: credentials.cert }),
        ...(credentials.key === undefined ? {} : { key: credentials.key }),
        headers,
        signal,
        // One request, one connection: nothing stays open after the diagnosis.
        agent: false,
      },
      (response) => {
        readBody(response, { maxBytes: MAX_BODY_BYTES }).then(
          (body) => resolve({ status: response.statusCode ?? 0, body: body.toString('utf8') }),
          (error: unknown) => reject(new ApiRequestError(url, failureOf(error), { cause: error })),
        );
      },
    );
    const failureOf = (error: unknown): ConnectFailure =>
      signal.aborted
        ? {
            kind: timedOut(signal) ? 'timed-out' : 'cancelled',
            tried: endpoint.address,
            message: timedOut(signal) ? `no answer within ${options.timeoutMs} ms` : 'the diagnosis was cancelled',
          }
        : connectFailureOf(error, endpoint);
    outgoing.once('error', (error) => reject(new ApiRequestError(url, failureOf(error), { cause: error })));
    outgoing.end();
  });
}
