import { StrataError } from '@strata/assets';

/** A policy value the functions of this folder cannot compute with; the UpdatePolicy CRD refuses such values. */
export class PolicyValueError extends StrataError {}
