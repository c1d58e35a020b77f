// Reading a request body with a size limit, for every node:http server in
// Strata (the boot server's write API, the FleetLock server): a client must
// not be able to make a server buffer more than it would ever accept.
import type { IncomingMessage } from 'node:http';
import { StrataError } from '@strata/api';

/** The body is larger than the server accepts (answer 413). `context`: limit and the size seen. */
export class BodyTooLargeError extends StrataError {
  readonly limit: number;
  readonly size: number;

  constructor(limit: number, size: number, declared: boolean) {
    super(
      declared
        ? `the request body is ${size} bytes; at most ${limit} are accepted`
        : `the request body is over the limit of ${limit} bytes`,
      { limit, size, declared },
    );
    this.limit = limit;
    this.size = size;
  }
}

/** The body could not be read to its end: the client went away or sent a broken chunk (answer 400, if anything). */
export class BodyReadError extends StrataError {}

export interface ReadBodyOptions {
  readonly maxBytes: number;
}

/**
 * Reads a request body of at most `maxBytes`. A declared Content-Length over
 * the limit is refused before anything is read; a chunked body is counted as
 * it arrives and refused as soon as it passes the limit. A refused body is
 * left unread and paused, not destroyed, so that the 413 can still be sent:
 * answer it with `connection: close`.
 */
export function readBody(request: IncomingMessage, options: ReadBodyOptions): Promise<Buffer> {
  const limit = options.maxBytes;
  const declared = Number(request.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit)
    return Promise.reject(new BodyTooLargeError(limit, declared, true));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      stop();
      request.pause();
      reject(new BodyTooLargeError(limit, size, false));
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      stop();
      reject(new BodyReadError(`the request body could not be read: ${error.message}`, { size }, { cause: error }));
    };
    const onClose = () => {
      stop();
      reject(new BodyReadError('the client closed the connection before the end of the request body', { size }));
    };
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', onError);
    request.once('close', onClose);
  });
}
