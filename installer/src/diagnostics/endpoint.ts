// Where a probe connects: the host and port of an https URL, the host without
// the brackets an IPv6 literal carries in a URL, and whether it is an address
// (nothing to resolve, no SNI to send) or a name.
import { isIP } from 'node:net';
import { DiagnosticInputError } from './errors.ts';

export interface Endpoint {
  readonly url: string;
  /** The host as a resolver and a socket take it: `::1`, not `[::1]`. */
  readonly host: string;
  readonly port: number;
  readonly isIpLiteral: boolean;
  /** host:port as people write it (`[::1]:6443` for IPv6). */
  readonly address: string;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'https:': 443, 'http:': 80 };

/** Parses a client URL (the API server's, an etcd member's); `field` names it in the error. */
export function parseEndpoint(url: string, field: string): Endpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new DiagnosticInputError(`${field} "${url}" is not a URL`, { field, value: url }, { cause: error });
  }
  const defaultPort = DEFAULT_PORTS[parsed.protocol];
  if (defaultPort === undefined || parsed.hostname === '') {
    throw new DiagnosticInputError(`${field} "${url}" is not an http(s) URL with a host`, { field, value: url });
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port === '' ? defaultPort : Number(parsed.port);
  const isIpLiteral = isIP(host) !== 0;
  return { url, host, port, isIpLiteral, address: isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}` };
}
