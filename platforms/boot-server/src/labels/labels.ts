// Request labels, as matchbox derives them from the query string: the first
// value of each parameter, keys kept exactly as sent. A parameter named "mac"
// in any case is normalized to the lower-case colon form, or dropped when it
// is not a hardware address (the key keeps its case: "MAC" stays "MAC").
import { normalizeMac } from './mac.ts';
import { parseQuery } from './query.ts';

/** Label values by key; a Map so that keys such as "__proto__" are plain data. */
export type Labels = ReadonlyMap<string, string>;

export interface RequestLabels {
  readonly labels: Labels;
  /** Keys whose value was dropped because it is not a MAC address. */
  readonly droppedMacKeys: readonly string[];
}

export function labelsFromQuery(rawQuery: string): RequestLabels {
  const labels = new Map<string, string>();
  const droppedMacKeys: string[] = [];
  for (const [key, values] of parseQuery(rawQuery)) {
    const first = values[0] ?? '';
    // The length first: lower-casing every key of every request would cost more than the rest of this loop.
    if (key.length === 3 && key.toLowerCase() === 'mac') {
      const mac = normalizeMac(first);
      if (mac === undefined) droppedMacKeys.push(key);
      else labels.set(key, mac);
    } else {
      labels.set(key, first);
    }
  }
  return { labels, droppedMacKeys };
}
