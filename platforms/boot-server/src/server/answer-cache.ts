// The read side's answers of one snapshot, by request target. An answer is
// a function of the snapshot, the decoded path and the raw query alone (the
// labels, the matched group, the template data and Butane's translation all
// derive from them), so a machine asking again, as iPXE and Ignition do on
// every boot, is answered with one look-up instead of labels, match, template
// and translation. Only 200 answers are kept: a refusal keeps its log line.
//
// The hot path of a large fleet is this look-up and the write of what it
// finds (ADR 0057, ADR 0074): answers are kept by the request target exactly as
// it came (`request.url`, path and query), so that a repeated request is found
// before anything of it is parsed or sliced, with their response headers
// already made and the place their answering is recorded (ServedMachines) held
// in the entry itself, so that a repeated answer touches this entry, its body
// and one slot of the served-machines table. Keying by the raw target loses
// nothing: the decoded path and the raw query are functions of it, so the same
// target always has the same answer, and a target that was refused (a
// malformed path, a query too long, an answer other than 200) is never kept.
import type { OutgoingHttpHeaders } from 'node:http';
import { responseHeaders, type Answer } from './answer.ts';
import type { ServedRecord } from './served-machines.ts';

/** Default bound: the characters of the answers and keys held, at most. */
export const DEFAULT_ANSWER_CACHE_CHARS = 32 * 1024 * 1024;

/** Quiet time after the last new answer before the cache is laid out again (compact). */
export const DEFAULT_COMPACT_AFTER_MS = 2_000;

/** An answer kept with the headers it is written with, and where its answering is recorded. */
export interface CachedAnswer {
  readonly body: string;
  /** Shared by every answer of the same type and length (see sharedHeaders). */
  readonly headers: Readonly<OutgoingHttpHeaders>;
  /** The served-machines record's field, generation and MAC (ServedMachines.answeredTo); field -1 when not recorded. */
  readonly servedField: number;
  readonly servedGeneration: number;
  readonly servedMac: string;
}

export class AnswerCache {
  /** By request target as sent: one look-up of the string the HTTP parser made. */
  readonly #byTarget = new Map<string, CachedAnswer>();
  /** Response headers by content type and byte length: a few objects for a whole fleet's answers. */
  readonly #headers = new Map<string, Readonly<OutgoingHttpHeaders>>();
  readonly #maxChars: number;
  readonly #compactAfterMs: number;
  #chars = 0;
  /** Answers kept since the last compaction; when the last of them came; the pending compaction. */
  #keptSinceCompaction = 0;
  #lastKeptAt = 0;
  #compaction: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(maxChars = DEFAULT_ANSWER_CACHE_CHARS, compactAfterMs = DEFAULT_COMPACT_AFTER_MS) {
    this.#maxChars = maxChars;
    this.#compactAfterMs = compactAfterMs;
  }

  /** The answer kept for this request target (path and query as sent), if any. */
  get(target: string): CachedAnswer | undefined {
    return this.#byTarget.get(target);
  }

  /** Keeps a 200 answer for this request target; anything else is not kept. */
  remember(target: string, answer: Answer, served?: ServedRecord): void {
    if (answer.status !== 200) return;
    const chars = target.length + answer.body.length;
    if (chars > this.#maxChars) return;
    // All out at once when full: answers that outgrow the bound (say, many distinct queries) cost what they would
    // cost without the cache, never more memory than the bound.
    if (this.#chars + chars > this.#maxChars) {
      this.#byTarget.clear();
      this.#headers.clear();
      this.#chars = 0;
    }
    if (!this.#byTarget.has(target)) this.#chars += chars;
    // Every entry of one shape, the served fields included, so that the hot path's reads stay monomorphic.
    this.#byTarget.set(target, {
      body: answer.body,
      headers: this.#sharedHeaders(answer),
      servedField: served?.field ?? -1,
      servedGeneration: served?.generation ?? 0,
      servedMac: served?.mac ?? '',
    });
    this.#keptSinceCompaction += 1;
    this.#lastKeptAt = performance.now();
    this.#scheduleCompaction(this.#compactAfterMs);
  }

  /**
   * Lays every entry out again, keys, entries and bodies copied one after the other. Answers are kept one at a time
   * as machines first ask, between everything else the process allocates, so a large fleet's answers end up spread
   * over the heap; a repeated answer then reads its key, entry and body from three cold places. Copied together they
   * sit side by side, and the hot path reads memory that is dense and warm (measured in docs/benchmarks.md).
   * Repeating it changes nothing but the addresses; the answers and their bytes on the wire stay the same.
   */
  compact(): void {
    const entries = [...this.#byTarget];
    this.#byTarget.clear();
    for (const [target, entry] of entries)
      this.#byTarget.set(freshCopy(target), {
        body: freshCopy(entry.body),
        headers: entry.headers,
        servedField: entry.servedField,
        servedGeneration: entry.servedGeneration,
        servedMac: entry.servedMac,
      });
    this.#keptSinceCompaction = 0;
  }

  /** Stops the pending compaction: the cache of a snapshot no longer served. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#compaction);
    this.#compaction = undefined;
  }

  /** A compaction once no answer has been kept for the quiet time: never while a boot storm is still adding answers. */
  #scheduleCompaction(delayMs: number): void {
    if (this.#compaction !== undefined || this.#closed) return;
    this.#compaction = setTimeout(() => {
      this.#compaction = undefined;
      const quietFor = performance.now() - this.#lastKeptAt;
      if (quietFor < this.#compactAfterMs) return this.#scheduleCompaction(this.#compactAfterMs - quietFor);
      if (this.#keptSinceCompaction > 0) this.compact();
    }, delayMs);
    // A cache never keeps a process alive.
    this.#compaction.unref();
  }

  /**
   * An answer's response headers, one object for all answers that have the same: a request then reads headers that
   * are in the CPU's caches, where one object per answer would be a miss per request at 10,000 machines.
   */
  #sharedHeaders(answer: Answer): Readonly<OutgoingHttpHeaders> {
    const headers = responseHeaders(answer);
    const key = JSON.stringify(headers);
    const shared = this.#headers.get(key);
    if (shared !== undefined) return shared;
    this.#headers.set(key, headers);
    return headers;
  }

  get size(): number {
    return this.#byTarget.size;
  }

  /** Answers kept since the last compaction (0 right after one). */
  get keptSinceCompaction(): number {
    return this.#keptSinceCompaction;
  }

  /** The characters held, keys and bodies. */
  get chars(): number {
    return this.#chars;
  }
}

/**
 * The same characters in a string of their own, allocated now: V8 offers no other way to place a string next to the
 * previous one. Through UTF-8 and back: the bytes written to the socket are the same, since a response is written as
 * UTF-8 either way (a lone surrogate, which UTF-8 cannot carry, becomes U+FFFD in both).
 */
function freshCopy(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}
