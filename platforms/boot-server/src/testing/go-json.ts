// Go writes every struct field of an Ignition config, so a decoded config
// carries empty objects ({"proxy":{}}) its file did not have. Ignition reads
// them as absent; tests compare configs without them.

/** The JSON value with every empty object removed, at any depth (lists keep their length). */
export function withoutEmptyObjects(json: unknown): unknown {
  if (Array.isArray(json)) return json.map(withoutEmptyObjects);
  if (typeof json !== 'object' || json === null) return json;
  const kept: [string, unknown][] = [];
  for (const [key, value] of Object.entries(json)) {
    const stripped = withoutEmptyObjects(value);
    const isEmptyObject =
      typeof stripped === 'object' &&
      stripped !== null &&
      !Array.isArray(stripped) &&
      Object.keys(stripped).length === 0;
    if (!isEmptyObject) kept.push([key, stripped]);
  }
  return Object.fromEntries(kept);
}
