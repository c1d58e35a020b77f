import { StrataError } from '@strata/api';

/** The config or the rendered assets cannot make an AWS cluster; the context names the field or target involved. */
export class AwsProgramError extends StrataError {}

/** A computed resource name breaks the AWS rule of its kind; the context names the kind, the name and the rule. */
export class AwsNamingError extends StrataError {}
