// The simulated machine's update_engine talking to a real Omaha server: each
// check posts what update_engine posts (ping, updatecheck, and the 3/2 event
// carrying previousversion after an update, or the 3/0/44 rollback report),
// events go out between checks, and the payload is fetched from the grant's
// codebase + package name and verified (size, sha256) before it is installed.
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { readBody } from '@strata/host';
import {
  buildOmahaRequest,
  ERROR_CODE,
  EVENT_RESULT,
  EVENT_TYPE,
  FLATCAR_APP_ID,
  OmahaResponseError,
  parseOmahaResponse,
  type ClientEvent,
  type ClientMachine,
} from '@strata/omaha';
import { UpdateFailedError } from './errors.ts';
import type {
  PayloadDownload,
  PayloadLocation,
  UpdateCheckRequest,
  UpdateOffer,
  UpdateProgressEvent,
  UpdateSource,
} from './update-source.ts';

export interface OmahaUpdateSourceOptions {
  /** The Omaha endpoint (SERVER= in update.conf). */
  readonly server: string;
  /** PEM CA bundle trusted for an https SERVER and payload URLs; default the system's. */
  readonly ca?: string;
  /** `oem`: where the machine runs; default `strata-local` (the local platform's simulated machines). */
  readonly oem?: string;
  /** `machinealias`; default empty, as on a machine nobody named. */
  readonly machineAlias?: string;
  /** Largest payload accepted, whatever a response says. */
  readonly maxPayloadBytes?: number;
  readonly timeoutMs?: number;
}

/** Well above the simulated payloads; a real Flatcar payload is about 300 MiB and is not simulated in full. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;
const MAX_RESPONSE_BYTES = 64 * 1024;

interface HttpAnswer {
  readonly status: number;
  readonly body: Buffer;
}

/**
 * An UpdateSource backed by an Omaha server. Redirects are not followed (a
 * 3xx is a failed check or download, as a redirected POST is for
 * update_engine), and no compression is asked for.
 */
export class OmahaUpdateSource implements UpdateSource {
  readonly #server: URL;
  readonly #ca: string | undefined;
  readonly #alias: string;
  readonly #oem: string;
  readonly #maxPayloadBytes: number;
  readonly #timeoutMs: number;

  constructor(options: OmahaUpdateSourceOptions) {
    this.#server = new URL(options.server);
    this.#ca = options.ca;
    this.#alias = options.machineAlias ?? '';
    this.#oem = options.oem ?? 'strata-local';
    this.#maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  get server(): string {
    return this.#server.toString();
  }

  async check(request: UpdateCheckRequest): Promise<UpdateOffer | undefined> {
    // The rollback goes first, on its own, as update_engine reports it; the check then carries the usual 3/2.
    if (request.lastBoot?.kind === 'rolled-back')
      await this.report(request, {
        type: EVENT_TYPE.updateComplete,
        result: EVENT_RESULT.error,
        errorCode: ERROR_CODE.rollback,
      });
    const previousVersion = request.lastBoot?.kind === 'updated' ? request.lastBoot.previousVersion : '';
    const response = await this.#post(request, true, [
      { type: EVENT_TYPE.updateComplete, result: EVENT_RESULT.successReboot, previousVersion },
    ]);
    const check = response.updateCheck;
    if (check === undefined)
      throw new UpdateFailedError(
        ERROR_CODE.omahaResponseInvalid,
        'the server answered the check without an updatecheck',
        {
          server: this.server,
        },
      );
    if (check.status === 'noupdate') return undefined;
    const { offer } = check;
    return {
      version: offer.version,
      size: offer.size,
      payload: { url: `${offer.codebase}${encodeURIComponent(offer.packageName)}`, sha256Base64: offer.sha256Base64 },
    };
  }

  async report(request: UpdateCheckRequest, event: UpdateProgressEvent): Promise<void> {
    await this.#post(request, false, [event]);
  }

  async download(
    offer: UpdateOffer & { readonly payload: PayloadLocation },
    options: PayloadDownload = {},
  ): Promise<void> {
    const { url, sha256Base64 } = offer.payload;
    const transfer = (message: string, cause?: unknown) =>
      new UpdateFailedError(ERROR_CODE.downloadTransfer, message, { url }, cause === undefined ? {} : { cause });
    if (offer.size > this.#maxPayloadBytes)
      throw new UpdateFailedError(
        ERROR_CODE.payloadSizeMismatch,
        `the payload of ${offer.size} bytes is over the limit`,
        {
          url,
          size: offer.size,
          limit: this.#maxPayloadBytes,
        },
      );
    let response: IncomingMessage;
    try {
      response = await this.#request('GET', new URL(url), undefined, options.signal);
    } catch (error) {
      throw transfer(`cannot download the payload ${url}: ${describe(error)}`, error);
    }
    if (response.statusCode !== 200) {
      response.destroy();
      throw transfer(`the payload server answered ${response.statusCode ?? 0} for ${url}`);
    }
    const sink = options.destination ?? new Writable({ write: (_chunk, _encoding, done) => done() });
    // The socket's idle time-out would also count the time the destination keeps the transfer paused (a disk that
    // flushes): from here a watchdog counts only the time the server leaves a reader that is ready waiting.
    response.setTimeout(0);
    let lastActive = Date.now();
    const watchdog = setInterval(() => {
      if (sink.writableNeedDrain) lastActive = Date.now();
      else if (Date.now() - lastActive > this.#timeoutMs)
        response.destroy(new Error(`the payload server sent nothing for ${this.#timeoutMs} ms`));
    }, 1_000);
    const hash = createHash('sha256');
    let received = 0;
    let reported = 0;
    const step = Math.max(1, Math.floor(offer.size / 100));
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        lastActive = Date.now();
        received += chunk.length;
        // One byte over the announced size is enough to tell that the size is wrong.
        if (received > offer.size) {
          done(new PayloadTooLargeError());
          return;
        }
        hash.update(chunk);
        if (received - reported >= step || received === offer.size) {
          reported = received;
          options.onProgress?.(received);
        }
        done(null, chunk);
      },
    });
    try {
      await pipeline(response, count, sink, options.signal === undefined ? {} : { signal: options.signal });
    } catch (error) {
      if (options.signal?.aborted === true) throw error;
      if (error instanceof PayloadTooLargeError)
        throw new UpdateFailedError(
          ERROR_CODE.payloadSizeMismatch,
          `the payload is larger than the ${offer.size} bytes announced`,
          { url, expected: offer.size },
        );
      throw transfer(`cannot download the payload ${url}: ${describe(error)}`, error);
    } finally {
      clearInterval(watchdog);
    }
    if (received !== offer.size)
      throw new UpdateFailedError(
        ERROR_CODE.payloadSizeMismatch,
        `the payload is ${received} bytes, not the ${offer.size} announced`,
        { url, expected: offer.size, actual: received },
      );
    const actual = hash.digest('base64');
    if (actual !== sha256Base64)
      throw new UpdateFailedError(ERROR_CODE.payloadHashMismatch, `the payload's sha256 is not the one announced`, {
        url,
        expected: sha256Base64,
        actual,
      });
  }

  async #post(request: UpdateCheckRequest, updateCheck: boolean, events: readonly ClientEvent[]) {
    const body = buildOmahaRequest({ machine: this.#machine(request), updateCheck, events });
    let answer: HttpAnswer;
    try {
      answer = await this.#send('POST', this.#server, body, MAX_RESPONSE_BYTES);
    } catch (error) {
      throw new UpdateFailedError(
        ERROR_CODE.omahaRequestError,
        `cannot reach the update server ${this.server}: ${describe(error)}`,
        { server: this.server },
        { cause: error },
      );
    }
    if (answer.status !== 200)
      throw new UpdateFailedError(
        ERROR_CODE.omahaErrorInHttpResponse,
        `the update server ${this.server} answered HTTP ${answer.status}`,
        { server: this.server, status: answer.status },
      );
    try {
      return parseOmahaResponse(answer.body.toString('utf8'), FLATCAR_APP_ID);
    } catch (error) {
      if (error instanceof OmahaResponseError)
        throw new UpdateFailedError(
          error.errorCode,
          error.message,
          { server: this.server, ...error.context },
          { cause: error },
        );
      throw error;
    }
  }

  #machine(request: UpdateCheckRequest): ClientMachine {
    return {
      appId: FLATCAR_APP_ID,
      version: request.currentVersion,
      track: request.group,
      machineId: request.machineId,
      machineAlias: this.#alias,
      bootId: `{${request.bootId ?? '00000000-0000-0000-0000-000000000000'}}`,
      oem: this.#oem,
      oemVersion: '',
      alephVersion: '',
      board: 'amd64-usr',
      osVersion: 'Chateau',
      osServicePack: `${request.currentVersion}_x86_64`,
    };
  }

  async #send(method: 'GET' | 'POST', url: URL, body: string | undefined, maxBytes: number): Promise<HttpAnswer> {
    const response = await this.#request(method, url, body);
    try {
      return { status: response.statusCode ?? 0, body: await readBody(response, { maxBytes }) };
    } catch (error) {
      response.destroy();
      throw error;
    }
  }

  /** The response's head; its body is the caller's to read or destroy. */
  #request(method: 'GET' | 'POST', url: URL, body: string | undefined, signal?: AbortSignal): Promise<IncomingMessage> {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const request = send(
        url,
        {
          method,
          timeout: this.#timeoutMs,
          ...(signal === undefined ? {} : { signal }),
          ...(this.#ca === undefined ? {} : { ca: this.#ca }),
          headers: {
            'accept-encoding': 'identity',
            ...(body === undefined
              ? {}
              : { 'content-type': 'text/xml', 'content-length': String(Buffer.byteLength(body)) }),
          },
        },
        resolve,
      );
      request.on('timeout', () => request.destroy(new Error(`no answer within ${this.#timeoutMs} ms`)));
      request.on('error', reject);
      request.end(body);
    });
  }
}

/** Thrown inside the download's pipeline when the body outgrows the announced size. */
class PayloadTooLargeError extends Error {}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
