// The data a matchbox template sees, built as matchbox's collectVariables
// builds it: the group's metadata, then its selectors under lower-cased keys
// (a selector wins over metadata of the same name), then the reserved
// "request" entry holding the query labels and the raw query string.
import type { Labels } from '../labels/labels.ts';
import { normalizeSelector } from '../matching/selector.ts';
import type { Group } from '@strata/api';
import { StringMap, type GoObject, type GoValue } from './values.ts';

export function templateData(group: Group, labels: Labels, rawQuery: string): GoObject {
  const entries: [string, GoValue][] = Object.entries(group.metadata).map(([key, value]) => [key, value as GoValue]);
  for (const [key, value] of Object.entries(normalizeSelector(group.selector) ?? group.selector))
    entries.push([key.toLowerCase(), value]);
  const request: GoObject = { query: new StringMap(labels), raw_query: rawQuery };
  entries.push(['request', request]);
  // fromEntries defines properties, so a key such as "__proto__" stays plain data.
  return Object.fromEntries<GoValue>(entries);
}
