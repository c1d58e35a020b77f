// A pod's log in the console: the query the browser sends the BFF (validated with zod, a 400 naming the field
// otherwise), and the bounded ring of lines the browser keeps while following, so that a chatty container cannot
// make a tab hold its whole history.
import { z } from 'zod';
import { dnsLabelSchema } from '@strata/api';

/** The most lines a tail may ask for, and the most the browser keeps. */
export const MAX_LOG_LINES = 5_000;
export const DEFAULT_TAIL_LINES = 500;

/** A query-string boolean: `true` or `false` only (the API server's own parser takes more; the console sends these). */
const queryBoolean = z.enum(['true', 'false']).transform((value) => value === 'true');

export const podLogQuerySchema = z.strictObject({
  container: dnsLabelSchema,
  tailLines: z
    .string()
    .regex(/^[0-9]{1,6}$/, { error: 'must be a whole number' })
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_LOG_LINES))
    .optional(),
  follow: queryBoolean.optional(),
  timestamps: queryBoolean.optional(),
});
export type PodLogQuery = z.infer<typeof podLogQuerySchema>;

/** Why a query is refused, naming each field: `tailLines: …; container: …`. */
export function podLogQueryProblems(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length === 0 ? 'query' : issue.path.join('.')}: ${issue.message}`)
    .join('; ');
}

/** The query string for a log request, as the log view sends it. */
export function podLogSearch(query: PodLogQuery): string {
  const search = new URLSearchParams({ container: query.container });
  if (query.tailLines !== undefined) search.set('tailLines', String(query.tailLines));
  if (query.follow !== undefined) search.set('follow', String(query.follow));
  if (query.timestamps !== undefined) search.set('timestamps', String(query.timestamps));
  return search.toString();
}

/**
 * The last `capacity` complete lines of a text that arrives in chunks, and the unfinished line after them. Each
 * line gets a sequence number, so that a view can key rows by it as older lines fall out of the ring.
 */
export class LogRing {
  readonly capacity: number;
  #lines: string[] = [];
  /** Index in #lines of the oldest line (the ring wraps once full). */
  #start = 0;
  #partial = '';
  #total = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`a log ring holds at least one line, not ${capacity}`);
    this.capacity = capacity;
  }

  /** Adds decoded text: every line it completes goes into the ring, the oldest going out once it is full. */
  append(text: string): void {
    const parts = (this.#partial + text).split('\n');
    this.#partial = parts.pop() ?? '';
    for (const line of parts) this.#push(line.endsWith('\r') ? line.slice(0, -1) : line);
  }

  /** The text ended: an unfinished last line is a line. */
  end(): void {
    if (this.#partial === '') return;
    const line = this.#partial;
    this.#partial = '';
    this.#push(line);
  }

  clear(): void {
    this.#lines = [];
    this.#start = 0;
    this.#partial = '';
    this.#total = 0;
  }

  /** Every line ever completed, including those the ring has let go. */
  get total(): number {
    return this.#total;
  }

  /** The lines kept, oldest first, each with its sequence number (from 0, counting every line completed). */
  lines(): { readonly seq: number; readonly text: string }[] {
    const kept = [...this.#lines.slice(this.#start), ...this.#lines.slice(0, this.#start)];
    const first = this.#total - kept.length;
    return kept.map((text, index) => ({ seq: first + index, text }));
  }

  #push(line: string): void {
    if (this.#lines.length < this.capacity) this.#lines.push(line);
    else {
      this.#lines[this.#start] = line;
      this.#start = (this.#start + 1) % this.capacity;
    }
    this.#total += 1;
  }
}
