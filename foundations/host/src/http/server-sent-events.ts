// Server-Sent Events (the WHATWG event-stream format) both ways, for every Strata server that streams changes to
// a client and every client that follows one: the update server's change feed writes it, its client and the
// console read it. One implementation of the framing, so the writer and the readers cannot disagree on it.

/** One event as the format carries it: `data` may hold newlines (each becomes a `data:` line). */
export interface ServerSentEvent {
  /** The event's type; a reader that is given none reports `message`. */
  readonly event: string;
  readonly data: string;
  /** The resume point a reader sends back as `Last-Event-ID`; absent when the event sets none. */
  readonly id?: string;
}

const NEWLINE = /\r\n|\r|\n/;

/** The text of one event, ending with the blank line that dispatches it. */
export function formatServerSentEvent(event: {
  readonly event?: string;
  readonly data: string;
  readonly id?: string;
  /** How long a browser waits before reconnecting, in ms. */
  readonly retryMs?: number;
}): string {
  const lines: string[] = [];
  // A newline inside a field would end it early and let the rest be read as fields of their own.
  if (event.event !== undefined) lines.push(`event: ${event.event.replace(/[\r\n]/g, ' ')}`);
  if (event.id !== undefined) lines.push(`id: ${event.id.replace(/[\r\n\0]/g, ' ')}`);
  if (event.retryMs !== undefined) lines.push(`retry: ${Math.max(0, Math.trunc(event.retryMs))}`);
  for (const line of event.data.split(NEWLINE)) lines.push(`data: ${line}`);
  return `${lines.join('\n')}\n\n`;
}

/** A comment: readers ignore it; a server sends one now and then so that idle proxies keep the connection. */
export const SERVER_SENT_HEARTBEAT = ': heartbeat\n\n';

/**
 * Reads an event stream as it arrives, in chunks cut anywhere: `push` returns the events the chunk completed. It
 * keeps the last event ID across events, as the format says, so each event carries the ID in force when it came.
 */
export class ServerSentEventParser {
  #buffer = '';
  #event = '';
  #data: string[] = [];
  #hasData = false;
  #lastId: string | undefined;

  push(chunk: string): ServerSentEvent[] {
    this.#buffer += chunk;
    const events: ServerSentEvent[] = [];
    for (;;) {
      const match = NEWLINE.exec(this.#buffer);
      // A lone \r at the end may be the first half of \r\n: wait for the next chunk.
      if (match === null || (match[0] === '\r' && match.index === this.#buffer.length - 1)) break;
      const line = this.#buffer.slice(0, match.index);
      this.#buffer = this.#buffer.slice(match.index + match[0].length);
      const event = this.#line(line);
      if (event !== undefined) events.push(event);
    }
    return events;
  }

  /** The ID of the last event that set one: where a reconnecting reader resumes. */
  get lastEventId(): string | undefined {
    return this.#lastId;
  }

  #line(line: string): ServerSentEvent | undefined {
    if (line === '') {
      const dispatched = this.#hasData
        ? {
            event: this.#event === '' ? 'message' : this.#event,
            data: this.#data.join('\n'),
            ...(this.#lastId === undefined ? {} : { id: this.#lastId }),
          }
        : undefined;
      this.#event = '';
      this.#data = [];
      this.#hasData = false;
      return dispatched;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.#event = value;
    else if (field === 'data') {
      this.#data.push(value);
      this.#hasData = true;
    } else if (field === 'id' && !value.includes('\0')) this.#lastId = value;
    return undefined;
  }
}
