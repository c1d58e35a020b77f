// The query string as Go's net/url reads it (url.ParseQuery, which matchbox
// uses through Request.URL.Query()), so that labels come out the same:
// pairs split on "&", a pair containing ";" or a bad %-escape is dropped,
// "+" is a space, and repeated keys keep every value in order.

/** Values by key, in the order they appeared. */
export type QueryValues = ReadonlyMap<string, readonly string[]>;

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** The part of a request target after the first "?" ("" when there is none). */
export function rawQueryOf(target: string): string {
  const at = target.indexOf('?');
  return at < 0 ? '' : target.slice(at + 1);
}

/** The path part of a request target (before the first "?"), still %-encoded. */
export function rawPathOf(target: string): string {
  const at = target.indexOf('?');
  return at < 0 ? target : target.slice(0, at);
}

export function parseQuery(rawQuery: string): QueryValues {
  const values = new Map<string, string[]>();
  if (rawQuery === '') return values;
  for (const pair of rawQuery.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const equals = pair.indexOf('=');
    const key = queryUnescape(equals < 0 ? pair : pair.slice(0, equals));
    const value = queryUnescape(equals < 0 ? '' : pair.slice(equals + 1));
    if (key === undefined || value === undefined) continue;
    const list = values.get(key);
    if (list === undefined) values.set(key, [value]);
    else list.push(value);
  }
  return values;
}

/**
 * Decodes %XX escapes and "+" as Go's url.QueryUnescape does; undefined for a
 * malformed escape. Decoded bytes that are not valid UTF-8 become U+FFFD
 * (Go would keep the raw bytes; no selector read from JSON can contain them).
 */
export function queryUnescape(text: string): string | undefined {
  if (!text.includes('%')) return text.includes('+') ? text.replaceAll('+', ' ') : text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0x25 /* % */) {
      const high = hexValue(text.charCodeAt(i + 1));
      const low = hexValue(text.charCodeAt(i + 2));
      if (high < 0 || low < 0) return undefined;
      bytes.push(high * 16 + low);
      i += 2;
    } else if (code === 0x2b /* + */) {
      bytes.push(0x20);
    } else if (code < 0x80) {
      bytes.push(code);
    } else {
      // A raw non-ASCII character (clients should not send one, but may): keep it as UTF-8.
      const point = text.codePointAt(i) ?? code;
      for (const byte of Buffer.from(String.fromCodePoint(point), 'utf8')) bytes.push(byte);
      if (point > 0xffff) i += 1;
    }
  }
  return utf8.decode(Uint8Array.from(bytes));
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}
