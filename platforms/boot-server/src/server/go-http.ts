// The parts of Go's net/http that matchbox's /assets/ answers come from, as
// behaviour: the mux's path cleaning and its 301, the file server's relative
// redirects, and how Go writes a redirect.
import { posix } from 'node:path';
import type { Answer } from './answer.ts';

/** Go's path.Clean: the shortest equivalent path ("/a/../b/" is "/b"), "/" for the root. */
export function goPathClean(path: string): string {
  if (path === '') return '.';
  const cleaned = posix.normalize(path);
  return cleaned.length > 1 && cleaned.endsWith('/') ? cleaned.slice(0, -1) : cleaned;
}

/** The mux's cleanPath: rooted, cleaned, and keeping a trailing slash. */
export function goMuxCleanPath(path: string): string {
  const rooted = path.startsWith('/') ? path : `/${path}`;
  const cleaned = goPathClean(rooted);
  return rooted.endsWith('/') && cleaned !== '/' ? `${cleaned}/` : cleaned;
}

/** A URL path escaped as Go's url.URL escapes it: bytes outside A-Z a-z 0-9 - _ . ~ $ & + , / : ; = @ as %XX. */
export function goEscapePath(path: string): string {
  let out = '';
  for (const byte of Buffer.from(path, 'utf8')) {
    const character = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~$&+,/:;=@]/.test(character)
      ? character
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** http.Redirect with 301 to an absolute path: Location, and for GET a short HTML body. */
export function goRedirect(location: string, method: string | undefined): Answer {
  const [path = '', ...rest] = location.split('?');
  const query = rest.length > 0 ? `?${rest.join('?')}` : '';
  const trailing = path.endsWith('/');
  let cleaned = goPathClean(path);
  if (trailing && !cleaned.endsWith('/')) cleaned += '/';
  const url = cleaned + query;
  return {
    status: 301,
    contentType: 'text/html; charset=utf-8',
    body: method === 'GET' ? `<a href="${htmlEscape(url)}">Moved Permanently</a>.\n\n` : '',
    headers: { Location: latin1Bytes(url) },
  };
}

/** The file server's localRedirect: a relative Location, the query kept, no body. */
export function goLocalRedirect(relativePath: string, rawQuery: string): Answer {
  const location = rawQuery === '' ? relativePath : `${relativePath}?${rawQuery}`;
  return { status: 301, contentType: '', body: '', headers: { Location: latin1Bytes(location) } };
}

function htmlEscape(text: string): string {
  return text.replace(/[&'<>"]/g, (character) => {
    switch (character) {
      case '&':
        return '&amp;';
      case "'":
        return '&#39;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      default:
        return '&#34;';
    }
  });
}

/** Node writes header values as Latin-1; Go writes the name's UTF-8 bytes, so hand Node those bytes. */
function latin1Bytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}
