import { StrataError } from '@strata/api';

/** A boot script the simulated firmware cannot run; the message names the line. */
export class IpxeScriptError extends StrataError {}

/** A simulated machine could not boot, install or start: the message says which step and what the server answered. */
export class MachineBootError extends StrataError {}

/** The machine's sshd could not start, or a delivery over SSH failed. */
export class MachineSshError extends StrataError {}

/** Some part of a machine (its runner, its sshd) did not stop; the cause is the first failure. */
export class MachineStopError extends StrataError {}
