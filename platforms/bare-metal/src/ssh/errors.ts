import { StrataError } from '@strata/api';

/** A withheld file could not be delivered over SSH; the message names the machine, the file and ssh's own words. */
export class SecretDeliveryError extends StrataError {}
