import { StrataError } from '@strata/api';

/** etcd refused a request or could not be reached. `context`: endpoint, path, and etcd's own code and message. */
export class EtcdRequestError extends StrataError {
  /** etcd's gRPC code when it answered with one (5: not found, 9: failed precondition...). */
  readonly code: number | undefined;

  constructor(message: string, context: { endpoint: string; path: string; code?: number }, options?: ErrorOptions) {
    super(message, context, options);
    this.code = context.code;
  }
}

/** gRPC's NOT_FOUND, which etcd answers for a member that is not (or no longer) in the cluster. */
export const GRPC_NOT_FOUND = 5;

/** The request failed because the member is already gone: removing it again counts as done. */
export const isMemberNotFound = (error: unknown): boolean =>
  error instanceof EtcdRequestError && error.code === GRPC_NOT_FOUND;

/** gRPC's OUT_OF_RANGE, which etcd answers for a compaction to a revision already compacted. */
export const GRPC_OUT_OF_RANGE = 11;

/**
 * The key space is already compacted to that revision: an earlier pass compacted, then failed before it recorded the
 * step. While a NOSPACE alarm holds every write back the revision cannot move, so compacting again counts as done.
 */
export const isAlreadyCompacted = (error: unknown): boolean =>
  error instanceof EtcdRequestError &&
  error.code === GRPC_OUT_OF_RANGE &&
  /required revision has been compacted/.test(error.message);
