// /metadata: the template data as an environment file, as matchbox writes
// it. Nested maps join their keys with "_"; names are upper-cased; strings,
// numbers and booleans print as Go prints them; lists and nulls are left out.
// Names are upper-cased as Go does it (goToUpper), not as JavaScript does.
// Matchbox's lines come in Go's random map order; here they are sorted.
import { compareUtf8 } from '../matching/selector.ts';
import { goToUpper } from './go-upper.ts';
import { formatValue, StringMap, type GoObject, type GoValue } from '../templates/values.ts';

export function renderEnvFile(data: GoObject): string {
  const lines: string[] = [];
  const walk = (prefix: string, entries: [string, GoValue][]) => {
    entries.sort(([a], [b]) => compareUtf8(a, b));
    for (const [key, value] of entries) {
      const name = prefix + key;
      if (
        typeof value === 'string' ||
        typeof value === 'number' ||
        typeof value === 'boolean' ||
        typeof value === 'bigint'
      ) {
        lines.push(`${goToUpper(name)}=${formatValue(value)}\n`);
      } else if (value instanceof StringMap) {
        walk(`${name}_`, [...value.entries]);
      } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        walk(`${name}_`, Object.entries(value as GoObject));
      }
    }
  };
  walk('', Object.entries(data));
  return lines.join('');
}
