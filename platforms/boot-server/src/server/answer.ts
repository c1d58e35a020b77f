// An HTTP answer computed without touching the socket, so handlers are plain functions.
import type { OutgoingHttpHeaders } from 'node:http';

export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export const TEXT = 'text/plain; charset=utf-8';

/** Go's http.NotFound, which matchbox answers with. */
export const NOT_FOUND: Answer = {
  status: 404,
  contentType: TEXT,
  body: '404 page not found\n',
  headers: { 'X-Content-Type-Options': 'nosniff' },
};

export function ok(contentType: string, body: string): Answer {
  return { status: 200, contentType, body };
}

export function plainError(status: number, message: string, headers?: Readonly<Record<string, string>>): Answer {
  return {
    status,
    contentType: TEXT,
    body: `${message}\n`,
    headers: { 'X-Content-Type-Options': 'nosniff', ...headers },
  };
}

const ALLOWED_METHODS = 'GET, HEAD';

/** The headers an answer is written with: its type, its length in bytes, Allow for a 405, and its own. */
export function responseHeaders(answer: Answer): OutgoingHttpHeaders {
  const length = Buffer.byteLength(answer.body);
  // The common answer as one literal shape, which Node's header writing reads fastest.
  if (answer.contentType !== '' && answer.status !== 405 && answer.headers === undefined)
    return { 'Content-Type': answer.contentType, 'Content-Length': length };
  return {
    ...(answer.contentType === '' ? {} : { 'Content-Type': answer.contentType }),
    'Content-Length': length,
    ...(answer.status === 405 ? { Allow: ALLOWED_METHODS } : {}),
    ...answer.headers,
  };
}
