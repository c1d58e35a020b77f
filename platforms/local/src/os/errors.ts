import { StrataError } from '@strata/api';
import type { z } from 'zod';

/** Options or an update offer that the simulated OS cannot run with; context.issues lists every problem. */
export class InvalidOsInputError extends StrataError {}

/** The update engine was called while its machine was down, as a D-Bus call to a stopped update_engine fails. */
export class UpdateEngineUnavailableError extends StrataError {}

/** reboot() on a machine that was powered off: there is no logind to ask. */
export class MachinePoweredOffError extends StrataError {}

/** A shutdown, boot or StatusUpdate listener failed; the OS carried on without it. */
export class ListenerFailedError extends StrataError {}

/** The simulated payload server could not listen (its port is taken, say). */
export class PayloadServerError extends StrataError {}

/** An event could not reach the update server; the update went on without it. */
export class EventReportFailedError extends StrataError {}

/** Receives what went wrong in callers' listeners, which the OS survives but must not hide. */
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
