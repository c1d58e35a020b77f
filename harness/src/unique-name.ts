import { randomBytes } from 'node:crypto';

/** A DNS-1123 name unique to this call, so tests sharing a control plane never collide. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
