// Errors the boot server raises on purpose. Each names what it was about in
// its context so that callers (the write API, the CLI) can report it precisely.
import { StrataError } from '@strata/api';

/** A name (id or template name) that could escape the data directory or is otherwise unusable. */
export class InvalidNameError extends StrataError {}

/** A file of the data directory could not be read, written or parsed. */
export class DataDirectoryError extends StrataError {}

/** A template that does not parse: the message names the template, line and problem. */
export class TemplateParseError extends StrataError {}

/** A template that failed while rendering (a missing key, a wrong type, a limit). */
export class TemplateExecError extends StrataError {}

/** A profile or group that does not fit the schema; `field` names the offending field. */
export class InvalidResourceError extends StrataError {}

/** A boot server setting that cannot be used; `field` names the option. */
export class BootServerConfigError extends StrataError {}
