// The JSON API's change feed (ADR 0073): GET /api/v1/watch, Server-Sent Events naming what changed, so that a
// client re-reads only that, and only when something did. Changes are coalesced: whatever changes within one flush
// interval is one event (a thousand machines checking in at once are one event listing them, or saying "many"), so
// a watcher costs at most a few small writes a second whatever the fleet does. Each event has an ID
// `<epoch>.<sequence>`; a client that reconnects with Last-Event-ID gets the events it missed from a bounded
// history, or a `resync` event (another process's epoch, or older than the history) telling it to re-read.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatServerSentEvent, SERVER_SENT_HEARTBEAT } from '@strata/host';
import { ApiRequestError } from '../errors.ts';
import type { FeedChange } from './answers.ts';

export interface ChangeFeedOptions {
  /** Changes within this interval make one event. */
  readonly flushMs?: number;
  /** A comment this often on an idle stream: proxies keep it, and a client that is gone shows as a failed write. */
  readonly heartbeatMs?: number;
  /** More watchers are refused with 503 and Retry-After. */
  readonly maxWatchers?: number;
  /** How many events are kept for clients that resume. */
  readonly retainedEvents?: number;
  /** An event lists at most this many machines; past it, `machines: null` (many: re-read the lists). */
  readonly maxMachinesPerEvent?: number;
  /** A watcher whose unsent output grows past this is disconnected (it resumes, or resyncs, when it reconnects). */
  readonly maxBufferedBytes?: number;
}

export const FEED_DEFAULTS = {
  flushMs: 250,
  heartbeatMs: 15_000,
  maxWatchers: 256,
  retainedEvents: 1024,
  maxMachinesPerEvent: 256,
  maxBufferedBytes: 1024 * 1024,
} as const satisfies Required<ChangeFeedOptions>;

/** Seconds a refused watcher is told to wait. */
const RETRY_AFTER_SECONDS = 5;

interface Watcher {
  readonly response: ServerResponse;
  readonly heartbeat: NodeJS.Timeout;
}

export class ChangeFeed {
  readonly #options: Required<ChangeFeedOptions>;
  /** Names this process's sequence: an ID from another process (a restart, another replica) cannot resume here. */
  readonly #epoch = randomBytes(6).toString('base64url');
  #sequence = 0;
  readonly #retained: { readonly sequence: number; readonly text: string }[] = [];
  readonly #watchers = new Set<Watcher>();
  readonly #watcherListeners = new Set<(count: number) => void>();
  readonly #machines = new Set<string>();
  #manyMachines = false;
  readonly #groups = new Set<string>();
  readonly #channels = new Set<string>();
  #flush: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: ChangeFeedOptions = {}) {
    this.#options = { ...FEED_DEFAULTS, ...options };
  }

  /** A machine changed; `group` is the group that has its track now, if any (its counts changed too). */
  machineChanged(machineId: string, group: string | undefined): void {
    if (this.#manyMachines) {
      // Already "many": only the groups still matter.
    } else if (this.#machines.size >= this.#options.maxMachinesPerEvent && !this.#machines.has(machineId)) {
      this.#manyMachines = true;
      this.#machines.clear();
    } else this.#machines.add(machineId);
    if (group !== undefined) this.#groups.add(group);
    this.#schedule();
  }

  /** Groups or channels changed (a promotion, a pause, a new release resolved, an object created or deleted). */
  catalogChanged(groups: Iterable<string>, channels: Iterable<string>): void {
    for (const group of groups) this.#groups.add(group);
    for (const channel of channels) this.#channels.add(channel);
    this.#schedule();
  }

  get watchers(): number {
    return this.#watchers.size;
  }

  /** Called with the number of watchers whenever it changes. Returns the unsubscribe function. */
  onWatchers(listener: (count: number) => void): () => void {
    this.#watcherListeners.add(listener);
    return () => this.#watcherListeners.delete(listener);
  }

  /**
   * Takes over `response` for a watcher the API has authorized: `ready` (or the missed events, or `resync`), then
   * each change until the client goes. Refuses with 503 and Retry-After when the feed is full.
   */
  open(request: IncomingMessage, response: ServerResponse): void {
    if (this.#closed || this.#watchers.size >= this.#options.maxWatchers)
      throw new ApiRequestError(
        503,
        'ServiceUnavailable',
        `the update server has ${this.#watchers.size} watchers, its limit; try again later`,
        { retryAfterSeconds: RETRY_AFTER_SECONDS, watchers: this.#watchers.size },
      );
    const header = request.headers['last-event-id'];
    const lastEventId = Array.isArray(header) ? header[0] : header;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    // Sent at once, so the client knows it is being watched before anything changes.
    response.flushHeaders();
    const watcher: Watcher = {
      response,
      heartbeat: setInterval(() => this.#write(watcher, SERVER_SENT_HEARTBEAT), this.#options.heartbeatMs),
    };
    this.#watchers.add(watcher);
    response.once('close', () => this.#remove(watcher));
    this.#tellWatchers();
    this.#write(watcher, this.#start(lastEventId));
  }

  /** Ends every watcher's stream (they reconnect elsewhere, or here after a restart, and resync). */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#flush);
    for (const watcher of this.#watchers) watcher.response.end();
  }

  #id(sequence: number): string {
    return `${this.#epoch}.${sequence}`;
  }

  /**
   * What a new watcher gets first: the events after its Last-Event-ID then `ready`, or `ready` alone (a new
   * watcher), or `resync` (it must re-read).
   */
  #start(lastEventId: string | undefined): string {
    const ready = formatServerSentEvent({
      event: 'ready',
      id: this.#id(this.#sequence),
      data: JSON.stringify({ sequence: this.#sequence }),
    });
    if (lastEventId === undefined || lastEventId === '') return ready;
    const match = /^([A-Za-z0-9_-]+)\.(\d{1,15})$/.exec(lastEventId);
    const sequence = Number(match?.[2]);
    const oldest = this.#retained[0]?.sequence ?? this.#sequence + 1;
    const reason =
      match?.[1] !== this.#epoch
        ? 'the ID is not of this server process (it restarted, or it is another replica)'
        : sequence > this.#sequence
          ? 'the ID is ahead of this server'
          : sequence + 1 < oldest
            ? 'the events after the ID are no longer kept'
            : undefined;
    if (reason !== undefined)
      return formatServerSentEvent({
        event: 'resync',
        id: this.#id(this.#sequence),
        data: JSON.stringify({ sequence: this.#sequence, reason }),
      });
    return (
      this.#retained
        .filter((event) => event.sequence > sequence)
        .map((event) => event.text)
        .join('') + ready
    );
  }

  #schedule(): void {
    if (this.#flush !== undefined || this.#closed) return;
    this.#flush = setTimeout(() => this.#emit(), this.#options.flushMs);
  }

  #emit(): void {
    this.#flush = undefined;
    this.#sequence += 1;
    const change: FeedChange = {
      sequence: this.#sequence,
      groups: [...this.#groups].sort(),
      channels: [...this.#channels].sort(),
      machines: this.#manyMachines ? null : [...this.#machines].sort(),
    };
    this.#groups.clear();
    this.#channels.clear();
    this.#machines.clear();
    this.#manyMachines = false;
    const text = formatServerSentEvent({
      event: 'change',
      id: this.#id(change.sequence),
      data: JSON.stringify(change),
    });
    this.#retained.push({ sequence: change.sequence, text });
    if (this.#retained.length > this.#options.retainedEvents) this.#retained.shift();
    for (const watcher of this.#watchers) this.#write(watcher, text);
  }

  #write(watcher: Watcher, text: string): void {
    if (text === '' || watcher.response.writableEnded) return;
    // A client that does not read must not make the server buffer without end: it reconnects and resumes.
    if (watcher.response.writableLength > this.#options.maxBufferedBytes) {
      watcher.response.destroy();
      return;
    }
    watcher.response.write(text);
  }

  #remove(watcher: Watcher): void {
    if (!this.#watchers.delete(watcher)) return;
    clearInterval(watcher.heartbeat);
    this.#tellWatchers();
  }

  #tellWatchers(): void {
    for (const listener of this.#watcherListeners) listener(this.#watchers.size);
  }
}
