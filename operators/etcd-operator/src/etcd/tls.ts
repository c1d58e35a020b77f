// Client credentials for an etcd that requires them (the control plane's own, or a cluster with TLS).
import { Agent, fetch as undiciFetch } from 'undici';

/** PEM client credentials; they are never logged. */
export interface EtcdClientTls {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export interface GatewayRequest {
  readonly method: 'POST';
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly signal: AbortSignal;
}

export interface GatewayAnswer {
  readonly ok: boolean;
  readonly status: number;
  text(): Promise<string>;
}

export type GatewayFetch = (url: string, request: GatewayRequest) => Promise<GatewayAnswer>;

/**
 * fetch for the JSON gateway: Node's own without TLS; with TLS, undici's fetch through an Agent that presents the
 * client certificate and trusts only `ca` (Node's built-in fetch refuses a dispatcher from another undici release).
 */
export function gatewayFetch(tls: EtcdClientTls | undefined): GatewayFetch {
  if (tls === undefined) return (url, request) => fetch(url, request);
  const dispatcher = new Agent({ connect: { ca: tls.ca, cert: tls.cert, key: tls.key } });
  return (url, request) => undiciFetch(url, { ...request, dispatcher });
}
