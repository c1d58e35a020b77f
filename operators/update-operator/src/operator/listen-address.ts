import { StrataError } from '@strata/api';

export class ListenAddressError extends StrataError {}

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

const ADDRESS = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/;

/** "host:port" or "[ipv6]:port", port 0 to 65535 (0 picks a free one). */
export function parseListenAddress(text: string, flag: string): ListenAddress {
  const match = ADDRESS.exec(text);
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
