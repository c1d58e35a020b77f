import { StrataError } from '@strata/api';

/** A policy value the functions of this folder cannot compute with; the UpdatePolicy CRD refuses such values. */
export class PolicyValueError extends StrataError {}
