/**
 * RFC 2397 `data:` URLs, read the way Ignition reads them (it uses
 * github.com/vincent-petithory/dataurl): the scheme must be spelled "data:" in
 * lower case, "base64" must be the last parameter, base64 data is Go's padded
 * standard alphabet with no whitespace, and other data may hold only URL
 * characters with well-formed %XX escapes.
 */

export interface DecodedDataUrl {
  /** "type/subtype" plus parameters; RFC 2397's default when none is given. */
  readonly mediaType: string;
  readonly base64: boolean;
  readonly data: Uint8Array;
}

export type DataUrlResult =
  { readonly ok: true; readonly value: DecodedDataUrl } | { readonly ok: false; readonly reason: string };

const PREFIX = 'data:';
const DEFAULT_MEDIA_TYPE = 'text/plain;charset=US-ASCII';

// RFC 2045 tspecials, which may not appear in a media type or parameter token.
const TSPECIALS = new Set('()<>@,;:\\"/[]?=');
// RFC 2396 "delims" and "unwise" characters, which may not appear unescaped in
// the data part. "%" is allowed here and checked as an escape separately.
const NOT_URL_CHARS = new Set(' <>#"{}|\\^[]`');
// RFC 2396 unreserved characters: the only ones the encoder leaves as they are,
// as Ignition's own dataurl.Escape does.
const UNRESERVED = /^[A-Za-z0-9\-_.!~*'()]$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX = /^[0-9A-Fa-f]{2}$/;

const isToken = (c: string): boolean => {
  const code = c.charCodeAt(0);
  return code > 0x20 && code < 0x7f && !TSPECIALS.has(c);
};

const isUrlChar = (c: string): boolean => {
  const code = c.charCodeAt(0);
  return code > 0x1f && code < 0x7f && !NOT_URL_CHARS.has(c);
};

const describe = (c: string): string => JSON.stringify(c);

const fail = (reason: string): DataUrlResult => ({ ok: false, reason });

/** Checks that every "%" in `text` starts a two-digit hex escape; returns the problem, if any. */
function percentEscapeProblem(text: string, offset: number): string | undefined {
  for (let i = text.indexOf('%'); i !== -1; i = text.indexOf('%', i + 1)) {
    const digits = text.slice(i + 1, i + 3);
    if (digits.length < 2) {
      return `truncated percent-escape ${describe(text.slice(i))} at offset ${offset + i}`;
    }
    if (!HEX.test(digits)) {
      return `bad percent-escape ${describe(`%${digits}`)} at offset ${offset + i}`;
    }
  }
  return undefined;
}

function percentDecode(text: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%') {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(text.charCodeAt(i));
    }
  }
  return Uint8Array.from(bytes);
}

export function decodeDataUrl(url: string): DataUrlResult {
  if (!url.startsWith(PREFIX)) {
    return fail(
      url.toLowerCase().startsWith(PREFIX)
        ? 'the scheme must be written "data:", in lower case'
        : 'missing "data:" prefix',
    );
  }
  let pos = PREFIX.length;
  const readToken = (): string => {
    const start = pos;
    while (pos < url.length && isToken(url.charAt(pos))) {
      pos++;
    }
    return url.slice(start, pos);
  };
  const unexpected = (what: string): DataUrlResult =>
    pos >= url.length
      ? fail('missing comma before data')
      : fail(`invalid character ${describe(url.charAt(pos))} at offset ${pos} in ${what}`);

  let mediaType = '';
  if (url[pos] !== ',' && url[pos] !== ';') {
    const type = readToken();
    if (url[pos] !== '/' || type === '') {
      return unexpected('media type');
    }
    pos++;
    const subtype = readToken();
    if (subtype === '') {
      return unexpected('media subtype');
    }
    mediaType = `${type}/${subtype}`;
  }

  const parameters: string[] = [];
  let base64 = false;
  while (url[pos] === ';') {
    pos++;
    const attribute = readToken();
    if (attribute === '') {
      return unexpected('parameter name');
    }
    if (url[pos] === ',') {
      if (attribute !== 'base64') {
        return fail(
          `parameter ${describe(attribute)} has no value (only "base64" may stand alone, as the last parameter)`,
        );
      }
      base64 = true;
      break;
    }
    if (url[pos] !== '=') {
      return unexpected('parameter name');
    }
    pos++;
    let value: string;
    if (url[pos] === '"') {
      const start = pos;
      pos++;
      while (pos < url.length && url[pos] !== '"') {
        pos += url[pos] === '\\' ? 2 : 1;
      }
      if (pos >= url.length) {
        return fail(`unclosed quoted parameter value starting at offset ${start}`);
      }
      pos++;
      value = url.slice(start, pos);
    } else {
      const start = pos;
      value = readToken();
      if (value === '') {
        return unexpected('parameter value');
      }
      const problem = percentEscapeProblem(value, start);
      if (problem !== undefined) {
        return fail(problem);
      }
    }
    parameters.push(`${attribute}=${value}`);
  }
  if (url[pos] !== ',') {
    return unexpected('media type parameters');
  }
  pos++;

  const payload = url.slice(pos);
  let data: Uint8Array;
  if (base64) {
    if (!BASE64.test(payload)) {
      return fail(`malformed base64 data${base64Hint(payload)}`);
    }
    data = new Uint8Array(Buffer.from(payload, 'base64'));
  } else {
    for (let i = 0; i < payload.length; i++) {
      const c = payload.charAt(i);
      if (!isUrlChar(c)) {
        return fail(`invalid character ${describe(c)} at offset ${pos + i} in data (it must be percent-encoded)`);
      }
    }
    const problem = percentEscapeProblem(payload, pos);
    if (problem !== undefined) {
      return fail(problem);
    }
    data = percentDecode(payload);
  }

  const fullMediaType =
    mediaType === '' && parameters.length === 0
      ? DEFAULT_MEDIA_TYPE
      : [mediaType || 'text/plain', ...parameters].join(';');
  return { ok: true, value: { mediaType: fullMediaType, base64, data } };
}

function base64Hint(payload: string): string {
  const bad = [...payload].findIndex((c) => !/[A-Za-z0-9+/=]/.test(c));
  if (bad !== -1) {
    return `: invalid character ${describe(payload.charAt(bad))}`;
  }
  const stripped = payload.replace(/=+$/, '');
  if (stripped.includes('=')) {
    return ': "=" padding inside the data';
  }
  if (payload.length % 4 !== 0) {
    return `: length ${payload.length} is not a multiple of 4 (padding missing?)`;
  }
  return ': too much padding';
}

/**
 * Text as `data:,<percent-encoded UTF-8>`. Every byte outside RFC 2396's
 * unreserved set becomes an upper-case %XX escape, so one text has exactly one
 * encoding, and the words of the text stay legible in the rendered config.
 */
export function textDataUrl(text: string): string {
  let escaped = '';
  for (const byte of new TextEncoder().encode(text)) {
    const c = String.fromCharCode(byte);
    escaped += UNRESERVED.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `${PREFIX},${escaped}`;
}

/** Bytes as `data:;base64,<padded standard base64>`. */
export function bytesDataUrl(bytes: Uint8Array): string {
  return `${PREFIX};base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`;
}
