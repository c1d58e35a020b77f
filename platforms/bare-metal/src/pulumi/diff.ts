import { isDeepStrictEqual } from 'node:util';

/** The dynamic provider's own property: the serialized provider code, not part of the resource. */
export const PROVIDER_PROPERTY = '__provider';

export interface InputsDiff {
  readonly changes: boolean;
  /** Properties whose change needs a new resource. */
  readonly replaces: string[];
  /** Every property that differs, in name order. */
  readonly changed: string[];
  readonly stables: string[];
  /** Set when the new resource has the same id on the same server as the old one, which it would otherwise overwrite and then lose. */
  readonly deleteBeforeReplace: boolean;
}

function endpointUrl(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? (value as { url?: unknown }).url : undefined;
}

/**
 * Compares a resource's old outputs with its new inputs. A new id, or a new
 * write API URL (another boot server), replaces the resource; new client
 * credentials or content update it in place.
 */
export function diffInputs(
  olds: Readonly<Record<string, unknown>>,
  news: Readonly<Record<string, unknown>>,
  idProperty: string,
): InputsDiff {
  const keys = [...new Set([...Object.keys(olds), ...Object.keys(news)])]
    .filter((key) => key !== PROVIDER_PROPERTY)
    .sort();
  const changed = keys.filter((key) => !isDeepStrictEqual(olds[key], news[key]));
  const replaces: string[] = [];
  if (changed.includes(idProperty)) replaces.push(idProperty);
  if (changed.includes('endpoint') && endpointUrl(olds['endpoint']) !== endpointUrl(news['endpoint']))
    replaces.push('endpoint');
  return {
    changes: changed.length > 0,
    replaces,
    changed,
    stables: keys.filter((key) => !changed.includes(key)),
    deleteBeforeReplace: replaces.length > 0 && !replaces.includes(idProperty),
  };
}
