// The Azure program's errors: a config or render it cannot turn into
// resources, named with the field or node at fault.
import { StrataError } from '@strata/api';

export class AzurePlatformError extends StrataError {}
