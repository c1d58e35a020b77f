import { StrataError } from '../errors/strata-error.ts';
import type { WriteApiError } from './contract.ts';

export type WriteApiErrorKind = WriteApiError['kind'];

/**
 * A store refuses a write because of what was asked (a name the store cannot
 * hold, a value its backend rejects), not because the store failed. The
 * write API answers it with 400 and the field, so the caller can fix it.
 */
export class InvalidWriteError extends StrataError {
  readonly field: string;

  constructor(message: string, context: Record<string, unknown> & { field: string }, options?: ErrorOptions) {
    super(message, context, options);
    this.field = context.field;
  }
}

/** An error answer from the write API, as the client sees it. */
export class BootApiError extends StrataError {
  readonly status: number;
  readonly kind: WriteApiErrorKind;
  /** The request that was refused, e.g. `PUT /v1/profiles/worker-1`. */
  readonly route: string;
  readonly field: string | undefined;

  constructor(
    message: string,
    context: { status: number; kind: WriteApiErrorKind; route: string; field?: string | undefined },
    options?: ErrorOptions,
  ) {
    super(message, context, options);
    this.status = context.status;
    this.kind = context.kind;
    this.route = context.route;
    this.field = context.field;
  }
}

/**
 * The write API could not be reached, or the TLS handshake failed (a client
 * certificate the server does not trust, a server certificate the client does
 * not trust). No request reached the server's handlers.
 */
export class BootApiConnectionError extends StrataError {
  readonly route: string;

  constructor(
    message: string,
    context: { route: string; url: string; code?: string | undefined },
    options?: ErrorOptions,
  ) {
    super(message, context, options);
    this.route = context.route;
  }
}

/** A write lost a race with another writer (the store's optimistic check failed); retrying may succeed. */
export class ConflictingWriteError extends StrataError {}
