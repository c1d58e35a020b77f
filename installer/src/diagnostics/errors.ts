import { StrataError } from '@strata/api';

/** What the engine handed to the diagnosis cannot be used as it is (a URL that is not one). `context`: field, value. */
export class DiagnosticInputError extends StrataError {}
