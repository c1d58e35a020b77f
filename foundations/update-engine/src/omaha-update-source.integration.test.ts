// The Omaha client's payload download on loopback: a destination that pauses the transfer (a disk that flushes)
// longer than the idle time-out is waited for; a server that stops sending is not.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ERROR_CODE } from '@strata/omaha';
import { UpdateFailedError } from './errors.ts';
import { OmahaUpdateSource } from './omaha-update-source.ts';
import type { UpdateOffer } from './update-source.ts';

const PAYLOAD = randomBytes(4 * 1024 * 1024);
const IDLE_MS = 1_500;

/** A destination that takes each chunk after `delayMs` once it holds `afterBytes`: a slow disk under the write. */
function slowDestination(afterBytes: number, delayMs: number): Writable & { readonly received: () => Buffer } {
  const chunks: Buffer[] = [];
  let held = 0;
  const sink = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      held += chunk.length;
      if (held >= afterBytes && held - chunk.length < afterBytes) setTimeout(done, delayMs);
      else done();
    },
  });
  return Object.assign(sink, { received: () => Buffer.concat(chunks) });
}

describe('OmahaUpdateSource.download on loopback', () => {
  let server: Server;
  let base: string;

  before(async () => {
    server = createServer((request, response) => {
      response.writeHead(200, { 'content-length': PAYLOAD.length });
      if (request.url === '/stalls') {
        // Half the payload, then nothing, the connection left open.
        response.write(PAYLOAD.subarray(0, PAYLOAD.length / 2));
        return;
      }
      response.end(PAYLOAD);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const offer = (path: string): UpdateOffer & { payload: NonNullable<UpdateOffer['payload']> } => ({
    version: '0.7.1',
    size: PAYLOAD.length,
    payload: { url: `${base}${path}`, sha256Base64: createHash('sha256').update(PAYLOAD).digest('base64') },
  });
  const source = () => new OmahaUpdateSource({ server: `${base}/v1/update/`, timeoutMs: IDLE_MS });

  it('waits for a destination that pauses the transfer longer than the idle time-out, and reports progress', async () => {
    const destination = slowDestination(1024 * 1024, IDLE_MS * 3);
    const progress: number[] = [];
    await source().download(offer('/payload'), { destination, onProgress: (bytes) => progress.push(bytes) });
    assert.ok(destination.received().equals(PAYLOAD));
    assert.equal(progress.at(-1), PAYLOAD.length);
    assert.deepEqual(
      progress,
      [...progress].sort((a, b) => a - b),
    );
  });

  it('gives up on a server that stops sending, with error 9 naming the silence', async () => {
    await assert.rejects(
      source().download(offer('/stalls')),
      (error: unknown) =>
        error instanceof UpdateFailedError &&
        error.errorCode === ERROR_CODE.downloadTransfer &&
        /sent nothing for 1500 ms/.test(error.message),
    );
  });
});
