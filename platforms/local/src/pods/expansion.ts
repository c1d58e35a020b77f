// Kubernetes' $(VAR) expansion (k8s.io/kubernetes third_party/forked/golang/expansion),
// ported byte for byte in behaviour: $$ escapes a $, an unknown or unclosed
// reference is left as written, and nothing else is special.

/** Looks a name up; undefined leaves the reference as written. */
export type VariableLookup = (name: string) => string | undefined;

export function expand(input: string, lookup: VariableLookup): string {
  let output = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    output += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    const { text, advance } = readReference(rest, lookup);
    output += text;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return output + input.slice(checkpoint);
}

function readReference(rest: string, lookup: VariableLookup): { text: string; advance: number } {
  if (rest.startsWith('$')) return { text: '$', advance: 1 };
  if (rest.startsWith('(')) {
    const close = rest.indexOf(')', 1);
    if (close === -1) return { text: '$(', advance: 1 };
    const name = rest.slice(1, close);
    return { text: lookup(name) ?? `$(${name})`, advance: close + 1 };
  }
  return { text: `$${rest.slice(0, 1)}`, advance: 1 };
}

/** A lookup over maps tried in order, as the kubelet layers the container's env over the service env. */
export function lookupIn(...maps: readonly ReadonlyMap<string, string>[]): VariableLookup {
  return (name) => {
    for (const map of maps) {
      const value = map.get(name);
      if (value !== undefined) return value;
    }
    return undefined;
  };
}
