import { StrataError } from '@strata/api';

/** Anything the lab could not do. */
export class LabError extends StrataError {}

/** The lab's configuration (subnet, MAC, machine options) is not usable; the message names the field. */
export class LabConfigError extends LabError {}

/** The lab's network or its DHCP server did not come up, or a machine could not be attached to it. */
export class LabNetworkError extends LabError {}
