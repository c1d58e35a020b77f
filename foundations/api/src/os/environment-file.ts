// The KEY=value files of a Container Linux host (os-release(5); Flatcar's update.conf has the same syntax).

const UNQUOTED = /^[A-Za-z0-9_]+$/;

/**
 * Reads os-release(5) syntax: KEY=value lines, values optionally in single or
 * double quotes with backslash escapes, # comments. update.conf is the same.
 */
export function parseEnvironmentFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const equals = line.indexOf('=');
    if (equals <= 0) continue;
    const key = line.slice(0, equals).trim();
    if (!UNQUOTED.test(key)) continue;
    values[key] = unquote(line.slice(equals + 1).trim());
  }
  return values;
}

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
    const inner = value.slice(1, -1);
    return quote === "'" ? inner : inner.replace(/\\(["\\$`])/g, '$1');
  }
  return value;
}
