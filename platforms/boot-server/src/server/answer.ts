// An HTTP answer computed without touching the socket, so handlers are plain functions.

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
