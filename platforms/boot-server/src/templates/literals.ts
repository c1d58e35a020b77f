// Go's quoted strings, character constants and number constants.

/** The value of a Go interpreted ("...") or raw (`...`) string literal, or undefined if malformed. */
export function unquoteString(text: string): string | undefined {
  if (text.startsWith('`')) return text.slice(1, -1).replaceAll('\r', '');
  return unescape(text.slice(1, -1), '"');
}

/** The code point of a Go character constant ('x', '\n', '\u00e9'), or undefined if malformed. */
export function unquoteChar(text: string): number | undefined {
  const value = unescape(text.slice(1, -1), "'");
  if (value === undefined) return undefined;
  const points = [...value];
  if (points.length !== 1) return undefined;
  return points[0]?.codePointAt(0);
}

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };
const utf8 = new TextDecoder('utf-8', { fatal: false });

function unescape(body: string, quote: '"' | "'"): string | undefined {
  if (!body.includes('\\')) return body.includes(quote) ? undefined : body;
  const bytes: number[] = [];
  const pushText = (text: string): void => {
    for (const byte of Buffer.from(text, 'utf8')) bytes.push(byte);
  };
  for (let i = 0; i < body.length; i += 1) {
    const char = body[i] ?? '';
    if (char === quote) return undefined;
    if (char !== '\\') {
      const point = body.codePointAt(i) ?? 0;
      pushText(String.fromCodePoint(point));
      if (point > 0xffff) i += 1;
      continue;
    }
    const escape = body[i + 1] ?? '';
    i += 1;
    const simple = SIMPLE_ESCAPES[escape];
    if (simple !== undefined) {
      bytes.push(simple);
    } else if (escape === quote) {
      bytes.push(quote.charCodeAt(0));
    } else if (escape === 'x') {
      const hex = body.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (escape === 'u' || escape === 'U') {
      const length = escape === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + length);
      if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(hex)) return undefined;
      const point = parseInt(hex, 16);
      if (point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff)) return undefined;
      pushText(String.fromCodePoint(point));
      i += length;
    } else if (/[0-7]/.test(escape)) {
      const octal = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(octal)) return undefined;
      const value = parseInt(octal, 8);
      if (value > 255) return undefined;
      bytes.push(value);
      i += 2;
    } else {
      return undefined;
    }
  }
  return utf8.decode(Uint8Array.from(bytes));
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * A number constant as Go's template executor sees it when the parameter
 * takes any type: an int (bigint here) unless written with ".", "e" or "p",
 * then a float64 (number). Throws a message for malformed or overflowing text.
 */
export function numberValue(text: string): bigint | number {
  const sign = text.startsWith('-') ? -1n : 1n;
  const unsigned = text.replace(/^[+-]/, '');
  if (unsigned.includes('__') || unsigned.endsWith('_') || unsigned.startsWith('_'))
    throw new Error(`bad number syntax: ${JSON.stringify(text)}`);
  const digits = unsigned.replaceAll('_', '');
  const isHex = /^0[xX]/.test(digits);
  const isFloat = isHex ? /[pP]/.test(digits) : /[.eE]/.test(digits);
  if (isFloat) {
    if (isHex) throw new Error(`hexadecimal floating-point constants are not supported: ${JSON.stringify(text)}`);
    const value = Number(digits);
    if (!Number.isFinite(value) || digits === '.' || !/\d/.test(digits))
      throw new Error(`bad number syntax: ${JSON.stringify(text)}`);
    return Number(sign) * value;
  }
  let magnitude: bigint;
  if (/^0[0-7]+$/.test(digits)) magnitude = BigInt(`0o${digits.slice(1)}`);
  else if (/^(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[0-9]+)$/.test(digits)) magnitude = BigInt(digits);
  else throw new Error(`bad number syntax: ${JSON.stringify(text)}`);
  const value = sign * magnitude;
  if (value < INT64_MIN || value > INT64_MAX) throw new Error(`${text} overflows int`);
  return value;
}
