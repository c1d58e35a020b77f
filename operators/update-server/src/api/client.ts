// A client of the JSON API: HTTPS with the cluster CA, a bearer token. The
// installer's `strata update` and the tests use it. It returns the status and
// the parsed JSON; callers parse the shape they expect with zod.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { UpdateServerError } from '../errors.ts';

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
