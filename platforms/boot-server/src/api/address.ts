// Listen addresses for the write API and the CLI, in the same grammar as the
// read side (matchbox's "host:port", "[v6]:port", ":port"), with zod's issue
// reporting for flag validation.
import { isIP } from 'node:net';
import { z } from 'zod';
import { parseListenAddress, type ListenAddress } from '../server/address.ts';

export type { ListenAddress };

export const listenAddressSchema = z.string().transform((text, context): ListenAddress => {
  try {
    return parseListenAddress(text);
  } catch (error) {
    context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    return z.NEVER;
  }
});

/** "host:port" for URLs, with brackets around IPv6 hosts. */
export function formatHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
