// Hardware addresses as matchbox reads them: Go's net.ParseMAC accepts
// 6-, 8- and 20-byte addresses (EUI-48, EUI-64, IP over InfiniBand) written
// as hex pairs separated by ":" or "-", or as dot-separated groups of four,
// in any case. Matchbox matches on the canonical lower-case colon form.

const HEX_PAIR = /^[0-9a-fA-F]{2}$/;
const ADDRESS_BYTES = new Set([6, 8, 20]);

/** The lower-case colon form of `text`, or undefined when it is not a hardware address. */
export function normalizeMac(text: string): string | undefined {
  if (text.length < 14) return undefined;
  const separator = text[2];
  if (separator === ':' || separator === '-') {
    if ((text.length + 1) % 3 !== 0) return undefined;
    const count = (text.length + 1) / 3;
    if (!ADDRESS_BYTES.has(count)) return undefined;
    const bytes: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const at = i * 3;
      if (i < count - 1 && text[at + 2] !== separator) return undefined;
      const pair = text.slice(at, at + 2);
      if (!HEX_PAIR.test(pair)) return undefined;
      bytes.push(pair.toLowerCase());
    }
    return bytes.join(':');
  }
  if (text[4] === '.') {
    if ((text.length + 1) % 5 !== 0) return undefined;
    const count = (2 * (text.length + 1)) / 5;
    if (!ADDRESS_BYTES.has(count)) return undefined;
    const bytes: string[] = [];
    for (let i = 0; i < count / 2; i += 1) {
      const at = i * 5;
      if (i < count / 2 - 1 && text[at + 4] !== '.') return undefined;
      const high = text.slice(at, at + 2);
      const low = text.slice(at + 2, at + 4);
      if (!HEX_PAIR.test(high) || !HEX_PAIR.test(low)) return undefined;
      bytes.push(high.toLowerCase(), low.toLowerCase());
    }
    return bytes.join(':');
  }
  return undefined;
}
