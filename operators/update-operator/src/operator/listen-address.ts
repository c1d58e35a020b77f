import { isIPv6 } from 'node:net';
import { StrataError } from '@strata/api';

export class ListenAddressError extends StrataError {}

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

const ADDRESS = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/;
const TRAILING_PORT = /^(.+):(\d{1,5})$/;

/**
 * The manifest passes `$(POD_IP):port`, and the kubelet substitutes the pod's IP as is: an IPv6 pod IP arrives
 * unbracketed ("fd00::7:8081"). The flag always carries a port, so the last group is the port whenever what precedes
 * it is an IPv6 literal on its own; that text is bracketed here, before the strict grammar below reads it.
 */
function bracketBareIpv6(text: string): string {
  const match = TRAILING_PORT.exec(text);
  const host = match?.[1];
  if (match === null || host === undefined || !host.includes(':') || host.startsWith('[') || !isIPv6(host)) {
    return text;
  }
  return `[${host}]:${match[2]}`;
}

/**
 * "host:port", "[ipv6]:port", or "ipv6:port" as the `$(POD_IP):port` expansion gives it; port 0 to 65535 (0 picks a
 * free one).
 */
export function parseListenAddress(text: string, flag: string): ListenAddress {
  const match = ADDRESS.exec(bracketBareIpv6(text));
  const port = Number(match?.[3]);
  const host = match?.[1] ?? match?.[2];
  if (match === null || host === undefined || !Number.isInteger(port) || port > 65_535) {
    throw new ListenAddressError(
      `${flag} must be host:port (e.g. 0.0.0.0:8080 or [::]:8080), got ${JSON.stringify(text)}`,
      { flag, value: text },
    );
  }
  return { host, port };
}
