import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyTooLargeError, readBody } from './read-body.ts';

const LIMIT = 64;

interface Answer {
  readonly status: number;
  readonly text: string;
}

/** Answers 200 with the body read back, or 413 with the error's message and context, as a server using readBody does. */
function echo(request: IncomingMessage, response: ServerResponse): void {
  readBody(request, { maxBytes: LIMIT }).then(
    (body) => response.writeHead(200).end(body),
    (error: unknown) => {
      if (!(error instanceof BodyTooLargeError)) {
        response.writeHead(500).end(String(error));
        return;
      }
      response
        .writeHead(413, { connection: 'close' })
        .end(JSON.stringify({ message: error.message, limit: error.limit, size: error.size }));
    },
  );
}

describe('readBody', () => {
  let server: Server;
  let port: number;

  before(async () => {
    server = createServer(echo);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** POSTs `chunks`, each written separately: chunked unless `declared` gives a Content-Length. */
  const post = (chunks: readonly string[], declared?: number): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const outgoing = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/',
          headers: declared === undefined ? {} : { 'content-length': String(declared) },
        },
        (incoming) => {
          let text = '';
          incoming.setEncoding('utf8');
          incoming.on('data', (chunk: string) => (text += chunk));
          incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, text }));
        },
      );
      // The server may answer 413 and close before every chunk is written.
      outgoing.on('error', (error: NodeJS.ErrnoException) =>
        error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error),
      );
      for (const chunk of chunks) outgoing.write(chunk);
      outgoing.end();
    });

  it('reads a body up to the limit, declared or chunked', async () => {
    const full = 'x'.repeat(LIMIT);
    assert.deepEqual(await post([full], LIMIT), { status: 200, text: full });
    assert.deepEqual(await post(['a'.repeat(32), 'b'.repeat(32)]), {
      status: 200,
      text: 'a'.repeat(32) + 'b'.repeat(32),
    });
    assert.deepEqual(await post([]), { status: 200, text: '' });
  });

  it('refuses a declared Content-Length over the limit before reading, and the 413 still reaches the client', async () => {
    const answer = await post(['y'.repeat(LIMIT + 1)], LIMIT + 1);
    assert.equal(answer.status, 413);
    assert.deepEqual(JSON.parse(answer.text), {
      message: `the request body is ${LIMIT + 1} bytes; at most ${LIMIT} are accepted`,
      limit: LIMIT,
      size: LIMIT + 1,
    });
  });

  it('refuses a chunked body as soon as it passes the limit, and the 413 still reaches the client', async () => {
    const answer = await post(['z'.repeat(40), 'z'.repeat(40), 'z'.repeat(4000)]);
    assert.equal(answer.status, 413);
    const refusal = JSON.parse(answer.text) as { message: string; limit: number; size: number };
    assert.equal(refusal.message, `the request body is over the limit of ${LIMIT} bytes`);
    assert.equal(refusal.limit, LIMIT);
    assert.ok(
      refusal.size > LIMIT && refusal.size <= 80,
      `counted up to the chunk that passed the limit, not the rest (${refusal.size})`,
    );
  });
});
