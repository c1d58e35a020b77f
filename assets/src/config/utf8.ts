import type { ConfigIssue } from './issue.ts';

export type DecodeResult =
  { readonly ok: true; readonly text: string } | { readonly ok: false; readonly issue: ConfigIssue };

const fatal = new TextDecoder('utf-8', { fatal: true });
// Lenient, for the text before the bad byte, which is known to be valid; it drops a byte-order mark as `fatal` does.
const lenient = new TextDecoder('utf-8');

const isContinuation = (byte: number | undefined) => byte !== undefined && byte >= 0x80 && byte <= 0xbf;

/**
 * Where the first ill-formed sequence starts, by the rules TextDecoder follows
 * (the WHATWG Encoding Standard): overlong forms, surrogates, code points above
 * U+10FFFF, stray continuation bytes and sequences cut short are all refused.
 */
export function firstInvalidUtf8Byte(bytes: Uint8Array): number | undefined {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index] ?? 0;
    if (lead < 0x80) {
      index += 1;
      continue;
    }
    // The range the second byte must fall in, and how many bytes the sequence has.
    let second: readonly [number, number];
    let length: number;
    if (lead >= 0xc2 && lead <= 0xdf) [second, length] = [[0x80, 0xbf], 2];
    else if (lead === 0xe0) [second, length] = [[0xa0, 0xbf], 3];
    else if (lead === 0xed) [second, length] = [[0x80, 0x9f], 3];
    else if (lead >= 0xe1 && lead <= 0xef) [second, length] = [[0x80, 0xbf], 3];
    else if (lead === 0xf0) [second, length] = [[0x90, 0xbf], 4];
    else if (lead >= 0xf1 && lead <= 0xf3) [second, length] = [[0x80, 0xbf], 4];
    else if (lead === 0xf4) [second, length] = [[0x80, 0x8f], 4];
    else return index;
    const next = bytes[index + 1];
    if (next === undefined || next < second[0] || next > second[1]) return index;
    for (let offset = 2; offset < length; offset += 1) {
      if (!isContinuation(bytes[index + offset])) return index;
    }
    index += length;
  }
  return undefined;
}

const hex = (byte: number) => `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;

/**
 * Decodes a config file as UTF-8, refusing anything else rather than putting
 * U+FFFD into every node's Ignition. A byte-order mark is dropped; CRLF line
 * ends stay as they are (YAML reads them). A refusal names the line and column
 * of the first bad byte, counted as the YAML positions are.
 */
export function decodeUtf8(bytes: Uint8Array): DecodeResult {
  try {
    return { ok: true, text: fatal.decode(bytes) };
  } catch (error) {
    const offset = firstInvalidUtf8Byte(bytes);
    if (offset === undefined) {
      // TextDecoder refused what the scan accepts: the two disagree, which is a bug here, not in the file.
      throw error;
    }
    const before = lenient.decode(bytes.subarray(0, offset)).split('\n');
    const line = before.length;
    const column = (before.at(-1)?.length ?? 0) + 1;
    return {
      ok: false,
      issue: {
        path: '',
        message: `is not valid UTF-8: byte ${hex(bytes[offset] ?? 0)} does not start a well-formed character`,
        hint: 'save the file as UTF-8; such a byte usually comes from an editor that wrote Latin-1 or Windows-1252 (é is 0xE9 there)',
        line,
        column,
      },
    };
  }
}
