// The read side's answers of one snapshot, by path and raw query. An answer is
// a function of the snapshot, the decoded path and the raw query alone (the
// labels, the matched group, the template data and Butane's translation all
// derive from them), so a machine asking again, as iPXE and Ignition do on
// every boot, is answered with one look-up instead of labels, match, template
// and translation. Only 200 answers are kept: a refusal keeps its log line.
import type { Answer } from './answer.ts';

/** Default bound: the characters of the answers and keys held, at most. */
export const DEFAULT_ANSWER_CACHE_CHARS = 32 * 1024 * 1024;

export class AnswerCache {
  readonly #answers = new Map<string, Answer>();
  readonly #maxChars: number;
  #chars = 0;

  constructor(maxChars = DEFAULT_ANSWER_CACHE_CHARS) {
    this.#maxChars = maxChars;
  }

  get(path: string, rawQuery: string): Answer | undefined {
    return this.#answers.get(keyOf(path, rawQuery));
  }

  remember(path: string, rawQuery: string, answer: Answer): void {
    if (answer.status !== 200) return;
    const key = keyOf(path, rawQuery);
    const chars = key.length + answer.body.length;
    if (chars > this.#maxChars) return;
    // All out at once when full: answers that outgrow the bound (say, many distinct queries) cost what they would
    // cost without the cache, never more memory than the bound.
    if (this.#chars + chars > this.#maxChars) {
      this.#answers.clear();
      this.#chars = 0;
    }
    if (!this.#answers.has(key)) this.#chars += chars;
    this.#answers.set(key, answer);
  }

  get size(): number {
    return this.#answers.size;
  }

  /** The characters held, keys and bodies. */
  get chars(): number {
    return this.#chars;
  }
}

function keyOf(path: string, rawQuery: string): string {
  return `${path}?${rawQuery}`;
}
