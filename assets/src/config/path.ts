import type { FieldPath } from '@strata/api';

export { formatFieldPath, type FieldPath } from '@strata/api';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The value at `path` in plain parsed YAML. `present` is false when a key is
 * missing (so a default applies); `blocked` is true when an ancestor is not a
 * mapping or list at all, in which case nothing below it can be trusted.
 */
export function valueAt(root: unknown, path: FieldPath): { value: unknown; present: boolean; blocked: boolean } {
  let current: unknown = root;
  for (const segment of path) {
    if (current === undefined) {
      return { value: undefined, present: false, blocked: false };
    }
    if (typeof segment === 'number' && Array.isArray(current)) {
      current = (current as unknown[])[segment];
    } else if (typeof segment === 'string' && isRecord(current)) {
      current = Object.hasOwn(current, segment) ? current[segment] : undefined;
    } else {
      return { value: undefined, present: false, blocked: true };
    }
  }
  return { value: current, present: current !== undefined, blocked: false };
}
