import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { readBody } from './read-body.ts';

export interface ClientTls {
  /** The CA bundle the server's certificate must chain to (PEM); nothing else is trusted. */
  readonly ca: string;
  /** A client certificate and key (PEM), for a server that asks for one. */
  readonly cert?: string;
  readonly key?: string;
  /** The name the server's certificate is checked against, when the URL reaches it by an address it does not carry. */
  readonly servername?: string;
}

export interface HttpsRequestOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Bytes as they are (an image layer); a string as UTF-8. */
  readonly body?: string | Uint8Array;
  readonly timeoutMs?: number;
  /** The largest answer body read; a larger one rejects with BodyTooLargeError. 1 MiB unless given. */
  readonly maxAnswerBytes?: number;
}

export interface HttpsAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One HTTPS request trusting `tls.ca` alone; redirects are answers, not followed. */
export function httpsRequest(url: string, tls: ClientTls, options: HttpsRequestOptions = {}): Promise<HttpsAnswer> {
  const timeoutMs = options.timeoutMs ?? 2_000;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { ...tls, method: options.method ?? 'GET', headers: options.headers, timeout: timeoutMs },
      (res) => {
        // A HEAD answer has no body; its Content-Length is the one a GET would get (a registry's blob size).
        if (req.method === 'HEAD') {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' }));
          return;
        }
        readBody(res, { maxBytes: options.maxAnswerBytes ?? 1024 * 1024 }).then(
          (body) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: body.toString('utf8') }),
          (error: unknown) => {
            res.destroy();
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs}ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}
