// Listen addresses written as matchbox writes them: "host:port", "[v6]:port", ":port".
import { BootServerConfigError } from '../errors.ts';

export interface ListenAddress {
  /** Undefined listens on every interface. */
  readonly host: string | undefined;
  readonly port: number;
}

export function parseListenAddress(address: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(address);
  const port = Number(match?.[3]);
  if (match === null || port > 65535) {
    throw new BootServerConfigError(
      `address "${address}" is not host:port; write e.g. 127.0.0.1:8080, [::1]:8080 or :8080`,
      { field: 'address', address },
    );
  }
  const host = match[1] ?? match[2];
  return { host: host === '' ? undefined : host, port };
}

/** The URL clients use for a bound address. */
export function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
