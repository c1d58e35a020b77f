import type { KubernetesObject } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { ManifestFile } from './manifest-file.ts';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

// Readers expect these first; every other key, here and in nested maps, is sorted
// so that the bytes depend on the content only, not on how the objects were built.
const LEADING_KEYS = ['apiVersion', 'kind', 'metadata'];

function canonical(value: unknown, leadingKeys: readonly string[] = []): Json {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`cannot write ${value} to YAML`);
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => canonical(item));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    const rank = (key: string) => {
      const index = leadingKeys.indexOf(key);
      return index === -1 ? leadingKeys.length : index;
    };
    entries.sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([key, item]) => [key, canonical(item)]));
  }
  throw new TypeError(`cannot write a ${typeof value} to YAML`);
}

/** The object as plain JSON data in the canonical key order the YAML files use. */
export function canonicalObject(object: KubernetesObject): Json {
  return canonical(object, LEADING_KEYS);
}

/** A multi-document YAML file; the same objects always give the same bytes. */
export function manifestFileToYaml(file: ManifestFile): string {
  return file.objects
    .map((object) => `---\n${stringify(canonicalObject(object), { lineWidth: 0, aliasDuplicateObjects: false })}`)
    .join('');
}
