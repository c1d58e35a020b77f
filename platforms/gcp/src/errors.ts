// Errors of the GCP platform program: which config field, resource or lookup
// answer was wrong, in the error's context.
import { StrataError } from '@strata/api';

export class GcpPlatformError extends StrataError {}
