import { StrataError } from '@strata/api';

/** A write was refused locally because this replica does not (or no longer) lead. */
export class NotLeaderError extends StrataError {}

/** A conditioned write found the node changed since the decision: decide again on what it is now. */
export class NodeChangedError extends StrataError {}

/** The API server refused or failed a write. */
export class NodeWriteError extends StrataError {}

/** A grant not written because a write its slot depended on failed; the node stays queued for the next pass. */
export class GrantWithheldError extends StrataError {}
