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
  if (separator === ':' || separator === '-') return pairsForm(text, separator);
  if (text[4] === '.') return dottedForm(text);
  return undefined;
}

// Every request of every machine carries a MAC address, so the common form is checked a character code at a time:
// this is on the hot path of /ipxe and /ignition, where regular expressions and a string per byte cost more than
// the rest of the answer.
function pairsForm(text: string, separator: ':' | '-'): string | undefined {
  if ((text.length + 1) % 3 !== 0 || !ADDRESS_BYTES.has((text.length + 1) / 3)) return undefined;
  const separatorCode = separator.charCodeAt(0);
  for (let at = 0; at < text.length; at += 1) {
    const code = text.charCodeAt(at);
    if (at % 3 === 2 ? code !== separatorCode : !isHexDigit(code)) return undefined;
  }
  const lower = text.toLowerCase();
  return separator === ':' ? lower : lower.replaceAll('-', ':');
}

function dottedForm(text: string): string | undefined {
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

function isHexDigit(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}
