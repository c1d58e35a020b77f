// The codec's typed errors. A server answers a request error with a 4xx; a
// client reports a response error to the server as update_engine would, with
// the error code update_engine gives that failure.
import { StrataError } from '@strata/api';

/** Why an Omaha request was refused before any policy ran; a server answers 400 (413 for `too-large`). */
export type OmahaRequestProblem = 'too-large' | 'dtd' | 'malformed' | 'shape';

/** An Omaha request a server will not read. `context.problem` says why, `context.field` where, if known. */
export class OmahaRequestError extends StrataError {
  readonly problem: OmahaRequestProblem;

  constructor(problem: OmahaRequestProblem, message: string, context: Record<string, unknown> = {}) {
    super(message, { problem, ...context });
    this.problem = problem;
  }
}

/**
 * An Omaha response update_engine would not act on. `errorCode` is the code
 * update_engine reports for it in its next error event (31 for XML it cannot
 * parse, 34 for a response it refuses).
 */
export class OmahaResponseError extends StrataError {
  readonly errorCode: number;

  constructor(errorCode: number, message: string, context: Record<string, unknown> = {}) {
    super(message, { errorCode, ...context });
    this.errorCode = errorCode;
  }
}
