// Selector facts shared by the index and the reference matcher.
import { normalizeMac } from '../labels/mac.ts';

export type Selector = Readonly<Record<string, string>>;

/**
 * The selector as matchbox keeps it after loading: a selector whose key is
 * "mac" in any case holds the lower-case colon form. Undefined when such a
 * value is not a MAC address (matchbox refuses to load that group).
 */
export function normalizeSelector(selector: Selector): Selector | undefined {
  let normalized: Record<string, string> | undefined;
  for (const [key, value] of Object.entries(selector)) {
    if (key.toLowerCase() !== 'mac') continue;
    const mac = normalizeMac(value);
    if (mac === undefined) return undefined;
    if (mac !== value) {
      normalized ??= { ...selector };
      normalized[key] = mac;
    }
  }
  return normalized ?? selector;
}

/** Go compares strings byte by byte, that is by UTF-8; JavaScript compares UTF-16 code units. */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The sorted "k=v,k=v" string matchbox orders groups by when they have as many selectors. */
export function selectorString(selector: Selector): string {
  return Object.entries(selector)
    .map(([key, value]) => `${key}=${value}`)
    .sort(compareUtf8)
    .join(',');
}
