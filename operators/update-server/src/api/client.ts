// A client of the JSON API: HTTPS with the cluster CA, a bearer token. The
// installer's `strata update` and the tests use it. It returns the status and
// the parsed JSON; callers parse the shape they expect with zod. follow() reads
// the change feed (GET /watch), each event parsed with the feed's schemas.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readBody, ServerSentEventParser, type ServerSentEvent } from '@strata/host/http';
import { UpdateFeedRefusedError, UpdateServerError } from '../errors.ts';
import {
  apiErrorAnswerSchema,
  feedChangeSchema,
  feedReadySchema,
  feedResyncSchema,
  type FeedEvent,
} from './answers.ts';

export { UpdateFeedRefusedError } from '../errors.ts';
export type { FeedChange, FeedEvent } from './answers.ts';

export interface UpdateApiClientOptions {
  /** The server's base URL, e.g. https://127.0.0.1:8443 (the API is under /api/v1). */
  readonly baseUrl: string;
  readonly token: string;
  /** The CA that signed the server's certificate (the cluster CA); the system's CAs when absent. */
  readonly caPem?: string;
  readonly timeoutMs?: number;
}

export interface UpdateApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface FollowOptions {
  /** The last event ID seen before: the server sends what came after it, or `resync`. */
  readonly lastEventId?: string | undefined;
  /** Ends the stream; follow() then resolves. */
  readonly signal: AbortSignal;
  readonly onEvent: (event: FeedEvent) => void;
  /**
   * The stream is taken as broken after this long without a byte (the server sends a heartbeat every 15 s by
   * default); 45 s when absent.
   */
  readonly idleTimeoutMs?: number;
}

/** How a followed stream ended (the server closed it, or the signal did): where to resume. */
export interface FollowEnd {
  readonly lastEventId: string | undefined;
}

/** A refusal's body is read up to this many bytes: the server's error shape is far smaller. */
const MAX_REFUSAL_BYTES = 16 * 1024;

function feedEvent(event: ServerSentEvent): FeedEvent | undefined {
  const id = event.id ?? '';
  const data = (): unknown => JSON.parse(event.data);
  if (event.event === 'ready') return { type: 'ready', id, sequence: feedReadySchema.parse(data()).sequence };
  if (event.event === 'change') return { type: 'change', id, change: feedChangeSchema.parse(data()) };
  if (event.event === 'resync') return { type: 'resync', id, reason: feedResyncSchema.parse(data()).reason };
  // A newer server's other events are not for this client.
  return undefined;
}

async function refusal(response: IncomingMessage): Promise<UpdateFeedRefusedError> {
  const status = response.statusCode ?? 0;
  const retryAfter = Number(response.headers['retry-after']);
  let message = `the update server answered ${status} to GET /api/v1/watch`;
  try {
    const parsed = apiErrorAnswerSchema.safeParse(
      JSON.parse((await readBody(response, { maxBytes: MAX_REFUSAL_BYTES })).toString('utf8')),
    );
    if (parsed.success) message = parsed.data.error.message;
  } catch {
    // Not its error shape (a proxy's page, a cut body): the status says what there is to say.
  }
  return new UpdateFeedRefusedError(status, message, Number.isFinite(retryAfter) ? retryAfter : undefined);
}

export class UpdateApiClient {
  readonly #options: UpdateApiClientOptions;

  constructor(options: UpdateApiClientOptions) {
    this.#options = options;
  }

  get(path: string): Promise<UpdateApiAnswer> {
    return this.request('GET', path);
  }

  post(path: string, body: unknown = {}): Promise<UpdateApiAnswer> {
    return this.request('POST', path, JSON.stringify(body));
  }

  /**
   * Follows the change feed until the server ends the stream or `signal` aborts (then it resolves with the resume
   * point). A refusal rejects with UpdateFeedRefusedError (status, Retry-After); a broken connection, an idle one or
   * an event that does not parse with UpdateServerError. The caller reconnects (with the resume point) if it wants.
   */
  follow(options: FollowOptions): Promise<FollowEnd> {
    const url = new URL('/api/v1/watch', this.#options.baseUrl);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const parser = new ServerSentEventParser();
    const end = (): FollowEnd => ({ lastEventId: parser.lastEventId ?? options.lastEventId });
    return new Promise<FollowEnd>((resolve, reject) => {
      if (options.signal.aborted) {
        resolve(end());
        return;
      }
      const outgoing = send(url, {
        method: 'GET',
        timeout: options.idleTimeoutMs ?? 45_000,
        ...(this.#options.caPem === undefined ? {} : { ca: this.#options.caPem }),
        headers: {
          accept: 'text/event-stream',
          ...(this.#options.token === '' ? {} : { authorization: `Bearer ${this.#options.token}` }),
          ...(options.lastEventId === undefined ? {} : { 'last-event-id': options.lastEventId }),
        },
      });
      const aborted = () => {
        outgoing.destroy();
        resolve(end());
      };
      options.signal.addEventListener('abort', aborted, { once: true });
      const fail = (error: Error) => {
        options.signal.removeEventListener('abort', aborted);
        reject(
          error instanceof UpdateServerError
            ? error
            : new UpdateServerError(
                `the update server's change feed at ${url.origin} broke: ${error.message}`,
                { url: url.origin },
                { cause: error },
              ),
        );
      };
      outgoing.on('timeout', () =>
        outgoing.destroy(new UpdateServerError('the change feed was silent past its heartbeat', { url: url.origin })),
      );
      outgoing.on('error', fail);
      outgoing.on('response', (response) => {
        if (response.statusCode !== 200) {
          options.signal.removeEventListener('abort', aborted);
          refusal(response).then(reject, reject);
          return;
        }
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          try {
            for (const event of parser.push(chunk)) {
              const parsed = feedEvent(event);
              if (parsed !== undefined) options.onEvent(parsed);
            }
          } catch (error) {
            outgoing.destroy(
              new UpdateServerError(
                `the change feed sent an event that cannot be read: ${(error as Error).message}`,
                { url: url.origin },
                { cause: error },
              ),
            );
          }
        });
        response.on('error', fail);
        response.on('end', () => {
          options.signal.removeEventListener('abort', aborted);
          resolve(end());
        });
      });
      outgoing.end();
    });
  }

  /** Sends `body` as is (tests send malformed or oversized bodies with it). */
  request(method: string, path: string, body?: string | Buffer): Promise<UpdateApiAnswer> {
    const url = new URL(`/api/v1${path}`, this.#options.baseUrl);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const outgoing = send(
        url,
        {
          method,
          timeout: this.#options.timeoutMs ?? 30_000,
          ...(this.#options.caPem === undefined ? {} : { ca: this.#options.caPem }),
          headers: {
            accept: 'application/json',
            ...(this.#options.token === '' ? {} : { authorization: `Bearer ${this.#options.token}` }),
            ...(body === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              resolve({
                status: response.statusCode ?? 0,
                body: text === '' ? undefined : (JSON.parse(text) as unknown),
              });
            } catch (error) {
              reject(
                new UpdateServerError(
                  `the update server answered ${method} ${url.pathname} with something not JSON`,
                  {
                    status: response.statusCode,
                    path: url.pathname,
                  },
                  { cause: error },
                ),
              );
            }
          });
        },
      );
      outgoing.on('timeout', () =>
        outgoing.destroy(new UpdateServerError(`${method} ${url.pathname} timed out`, { path: url.pathname })),
      );
      outgoing.on('error', (error) =>
        reject(
          error instanceof UpdateServerError
            ? error
            : new UpdateServerError(
                `cannot reach the update server at ${url.origin}: ${error.message}`,
                { url: url.origin },
                { cause: error },
              ),
        ),
      );
      outgoing.end(body);
    });
  }
}
