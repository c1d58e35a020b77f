import type { IncomingMessage } from 'node:http';
import { StrataError } from '@strata/api';

/** Templates are stored whole in one object (a file, a ConfigMap), so one request body is capped at 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLargeError extends StrataError {}

/**
 * Reads a request body of at most `limit` bytes. A declared Content-Length
 * over the limit is refused before anything is read; a chunked body is
 * counted as it arrives and refused as soon as it passes the limit.
 */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? Number.NaN);
  const tooLarge = (size: number) => new BodyTooLargeError(`the request body is larger than the limit of ${limit} bytes`, { limit, size });
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(declared);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(size);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}
