import { StrataError } from '@strata/assets';

/** The cluster config or the rendered assets cannot make a bare-metal plan; the message names the field and the fix. */
export class BareMetalFlowError extends StrataError {}
