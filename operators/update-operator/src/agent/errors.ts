import { StrataError } from '@strata/api';

/** The agent's options are invalid. */
export class AgentConfigError extends StrataError {}

/** Reading the UpdatePolicy that granted a reboot failed (other than its absence). */
export class PolicyReadError extends StrataError {}

/** A write to the agent's own Node failed. */
export class NodeWriteError extends StrataError {}

/** update_engine did not answer GetStatus; the agent asks again with back-off. */
export class UpdateEngineUnavailableError extends StrataError {}
