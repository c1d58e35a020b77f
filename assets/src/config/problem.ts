/**
 * What a format check says about a bad value: the message names what is wrong,
 * the hint how to fix it. Checks return this instead of throwing so that one
 * run can collect every problem in a file.
 */
export interface Problem {
  readonly message: string;
  readonly hint?: string;
}

/** A format check: `undefined` when the value is fine. */
export type Check<T> = (value: T) => Problem | undefined;
