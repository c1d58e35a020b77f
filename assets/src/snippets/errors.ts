import { StrataError } from '@strata/api';

/**
 * A snippet of the cluster config could not become part of a node's Ignition.
 * `context.field` is the config field that names the file (e.g.
 * `workerPools[1].snippets[0]`) and `context.file` the file itself.
 */
export class SnippetError extends StrataError {}

/** The file cannot be read. */
export class SnippetFileError extends SnippetError {}

/** Butane refused the file; the message quotes Butane with the file's lines. */
export class SnippetButaneError extends SnippetError {}

/** The file's Butane variant is not the cluster's OS's. */
export class SnippetVariantError extends SnippetError {}

/** The file translates to Ignition that Strata cannot merge (a field or version it does not render). */
export class SnippetUnsupportedError extends SnippetError {}

/** The file would replace something Strata renders, or something another snippet adds. */
export class SnippetConflictError extends SnippetError {}
