// Upper-casing as Go's strings.ToUpper does it, which matchbox applies to the
// names in /metadata. Go maps each code point on its own through Unicode's
// simple case mapping: a character whose upper case is several characters
// (ß → SS, ŉ → ʼN) keeps its single-character mapping, or stays as it is when
// it has none. JavaScript's toUpperCase applies the full mapping instead.

/**
 * The characters whose full upper case is several characters but whose simple
 * upper case is one: the Greek letters with ypogegrammeni map to their title-case
 * forms (U+1F80 → U+1F88). Every other multi-character mapping has no simple one.
 */
const SIMPLE_WHERE_FULL_IS_LONGER: ReadonlyMap<number, number> = new Map([
  ...range(0x1f80, 0x1f87, 8),
  ...range(0x1f90, 0x1f97, 8),
  ...range(0x1fa0, 0x1fa7, 8),
  [0x1fb3, 0x1fbc],
  [0x1fc3, 0x1fcc],
  [0x1ff3, 0x1ffc],
]);

export function goToUpper(text: string): string {
  // Go's own fast path: ASCII upper-cases the same everywhere.
  // eslint-disable-next-line no-control-regex -- the ASCII range, control characters included, is the point.
  if (/^[\x00-\x7f]*$/.test(text)) return text.toUpperCase();
  let out = '';
  for (const character of text) out += upperOf(character);
  return out;
}

function upperOf(character: string): string {
  const upper = character.toUpperCase();
  // One code point: the full mapping is the simple mapping.
  if (upper.length === 1 || (upper.length === 2 && upper.codePointAt(0)! > 0xffff)) return upper;
  const simple = SIMPLE_WHERE_FULL_IS_LONGER.get(character.codePointAt(0) ?? 0);
  return simple === undefined ? character : String.fromCodePoint(simple);
}

function range(first: number, last: number, offset: number): [number, number][] {
  const pairs: [number, number][] = [];
  for (let code = first; code <= last; code += 1) pairs.push([code, code + offset]);
  return pairs;
}
