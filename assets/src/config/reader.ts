import type { z } from 'zod';
import { valueAt, type FieldPath } from './path.ts';

/**
 * Reads single fields out of a config that may be invalid elsewhere, so that
 * the cross-field rules can run on whatever did parse. A field that is itself
 * invalid reads as undefined: the schema reports it, and rules skip what they
 * cannot judge rather than pile a second, derived complaint on top.
 */
export class ConfigReader {
  readonly #input: unknown;

  constructor(input: unknown) {
    this.#input = input;
  }

  /** Whether the file sets the field (rather than leaving it to a default). */
  has(path: FieldPath): boolean {
    return valueAt(this.#input, path).present;
  }

  /** The field as the schema parses it, defaults and normalization included. */
  get<S extends z.ZodType>(path: FieldPath, schema: S): z.output<S> | undefined {
    const { value, blocked } = valueAt(this.#input, path);
    if (blocked) {
      return undefined;
    }
    const result = schema.safeParse(value);
    return result.success ? result.data : undefined;
  }

  /** How many entries the list at `path` has as written (0 if it is not a list). */
  length(path: FieldPath): number {
    const { value } = valueAt(this.#input, path);
    return Array.isArray(value) ? value.length : 0;
  }
}
