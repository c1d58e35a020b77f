// The update server's typed errors. Each carries what a caller needs to answer
// or report it: the field, the limit, the store operation.
import { StrataError } from '@strata/api';

/** Why an Omaha request was refused before any policy ran; the server answers 400 (413 for `too-large`). */
export type OmahaRequestProblem = 'too-large' | 'dtd' | 'malformed' | 'shape';

/** An Omaha request the server will not read. `context.problem` says why, `context.field` where, if known. */
export class OmahaRequestError extends StrataError {
  readonly problem: OmahaRequestProblem;

  constructor(problem: OmahaRequestProblem, message: string, context: Record<string, unknown> = {}) {
    super(message, { problem, ...context });
    this.problem = problem;
  }
}

/** A channel, group or release that contradicts itself (e.g. a group naming a channel that does not exist). */
export class UpdateModelError extends StrataError {}

/** The runtime store failed; `context.operation` names what it was doing. */
export class UpdateStoreError extends StrataError {}

/** The server itself could not start or stop as asked. */
export class UpdateServerError extends StrataError {}

/** A custom resource from the API server that does not parse; `context` names the kind, the object and the field. */
export class UpdateResourceError extends StrataError {}

/** A JSON API request refused: `status` is the HTTP status, `context.field` the input at fault, if one is. */
export class ApiRequestError extends StrataError {
  readonly status: number;
  readonly reason: string;

  constructor(status: number, reason: string, message: string, context: Record<string, unknown> = {}) {
    super(message, { status, reason, ...context });
    this.status = status;
    this.reason = reason;
  }
}
