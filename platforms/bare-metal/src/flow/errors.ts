import { StrataError } from '@strata/api';

/** The cluster config or the rendered assets cannot make a bare-metal plan; the message names the field and the fix. */
export class BareMetalFlowError extends StrataError {}
