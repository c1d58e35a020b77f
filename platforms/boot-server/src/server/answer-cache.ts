// The read side's answers of one snapshot, by path and raw query. An answer is
// a function of the snapshot, the decoded path and the raw query alone (the
// labels, the matched group, the template data and Butane's translation all
// derive from them), so a machine asking again, as iPXE and Ignition do on
// every boot, is answered with one look-up instead of labels, match, template
// and translation. Only 200 answers are kept: a refusal keeps its log line.
//
// The hot path of a large fleet is this look-up and the write of what it
// finds (ADR 0057): answers are kept per path, keyed by the raw query as it
// came (no key string built and hashed per request), and with their response
// headers already made, so that a repeated answer costs the server no more
// than a constant answer costs a bare Node server.
import type { OutgoingHttpHeaders } from 'node:http';
import { responseHeaders, type Answer } from './answer.ts';
import type { ServedRecord } from './served-machines.ts';

/** Default bound: the characters of the answers and keys held, at most. */
export const DEFAULT_ANSWER_CACHE_CHARS = 32 * 1024 * 1024;

/** An answer kept with the headers it is written with. */
export interface CachedAnswer {
  readonly answer: Answer;
  /** The answer's body, here so that writing it touches this object only. */
  readonly body: string;
  /** Shared by every answer of the same type and length (see sharedHeaders). */
  readonly headers: Readonly<OutgoingHttpHeaders>;
  /** Where its answering is recorded (ServedMachines), found from the query once. */
  readonly served?: ServedRecord;
}

export class AnswerCache {
  /** By path, then by raw query: the paths are the read side's few endpoints. */
  readonly #byPath = new Map<string, Map<string, CachedAnswer>>();
  /** Response headers by content type and byte length: a few objects for a whole fleet's answers. */
  readonly #headers = new Map<string, Readonly<OutgoingHttpHeaders>>();
  readonly #maxChars: number;
  #chars = 0;
  #size = 0;

  constructor(maxChars = DEFAULT_ANSWER_CACHE_CHARS) {
    this.#maxChars = maxChars;
  }

  get(path: string, rawQuery: string): CachedAnswer | undefined {
    return this.#byPath.get(path)?.get(rawQuery);
  }

  remember(path: string, rawQuery: string, answer: Answer, served?: ServedRecord): void {
    if (answer.status !== 200) return;
    // Counted as the "path?query" key it stands for, so that the bound means what it meant with one map.
    const chars = path.length + 1 + rawQuery.length + answer.body.length;
    if (chars > this.#maxChars) return;
    // All out at once when full: answers that outgrow the bound (say, many distinct queries) cost what they would
    // cost without the cache, never more memory than the bound.
    if (this.#chars + chars > this.#maxChars) {
      this.#byPath.clear();
      this.#headers.clear();
      this.#chars = 0;
      this.#size = 0;
    }
    let answers = this.#byPath.get(path);
    if (answers === undefined) {
      answers = new Map();
      this.#byPath.set(path, answers);
    }
    if (!answers.has(rawQuery)) {
      this.#chars += chars;
      this.#size += 1;
    }
    answers.set(rawQuery, {
      answer,
      body: answer.body,
      headers: this.#sharedHeaders(answer),
      ...(served === undefined ? {} : { served }),
    });
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
    return this.#size;
  }

  /** The characters held, keys and bodies. */
  get chars(): number {
    return this.#chars;
  }
}
