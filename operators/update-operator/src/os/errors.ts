import { StrataError } from '@strata/api';

/** /etc/os-release (or update.conf) is missing, unreadable, or names an OS the agent does not serve. */
export class OsReleaseError extends StrataError {}

/** A D-Bus call to update_engine or logind failed, or answered something other than its documented signature. */
export class DbusCallError extends StrataError {}

/** A StatusUpdate signal whose body does not have update_engine's signature; the signal is dropped. */
export class MalformedSignalError extends StrataError {}
