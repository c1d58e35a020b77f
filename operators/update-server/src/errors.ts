// The update server's typed errors. Each carries what a caller needs to answer
// or report it: the field, the limit, the store operation.
import { StrataError } from '@strata/api';

export { OmahaRequestError, type OmahaRequestProblem } from '@strata/omaha';

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

/** An UpdateRelease, UpdateChannel or UpdateGroup that does not exist; `context` names the kind and the object. */
export class UpdateResourceNotFoundError extends StrataError {}

/** A promotion to a release that does not exist; `context.field` is `release` or `version`, whichever named it. */
export class UnknownReleaseError extends StrataError {}

/** The change feed refused a watcher: `status` (401, 403, 503...), and when to try again if the server said. */
export class UpdateFeedRefusedError extends UpdateServerError {
  readonly status: number;
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, message: string, retryAfterSeconds: number | undefined) {
    super(message, { status, retryAfterSeconds });
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
