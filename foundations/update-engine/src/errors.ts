import { StrataError } from '@strata/api';
import type { z } from 'zod';

/** Options, a file or an offer that the update engine cannot run with; context.issues lists every problem. */
export class InvalidOsInputError extends StrataError {}

/** The update engine was called while it was not running, as a D-Bus call to a stopped update_engine fails. */
export class UpdateEngineUnavailableError extends StrataError {}

/** A StatusUpdate listener failed; the update engine carried on without it. */
export class ListenerFailedError extends StrataError {}

/** An event could not reach the update server; the update went on without it. */
export class EventReportFailedError extends StrataError {}

/** Receives what went wrong in callers' listeners, which the engine survives but must not hide. */
export type ProblemReporter = (problem: StrataError) => void;

/** Without a reporter, problems still reach stderr as process warnings rather than vanishing (stdout stays clean). */
export const warnOnProblem: ProblemReporter = (problem) => process.emitWarning(problem);

export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown, what: string): z.output<Schema> {
  const parsed = schema.safeParse(input);
  if (parsed.success) {
    return parsed.data;
  }
  const issues = parsed.error.issues.map(
    (issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`,
  );
  throw new InvalidOsInputError(`invalid ${what}: ${issues.join('; ')}`, { what, issues });
}

/**
 * An update the engine could not carry out; `errorCode` is update_engine's
 * code for it (with flags), which the engine reports to its server in a 3/0 event.
 */
export class UpdateFailedError extends StrataError {
  readonly errorCode: number;

  constructor(errorCode: number, message: string, context: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, { errorCode, ...context }, options);
    this.errorCode = errorCode;
  }
}
