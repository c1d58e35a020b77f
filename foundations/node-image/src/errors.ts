import { StrataError } from '@strata/api';

export class NodeImageError extends StrataError {}

/** A program the build or the boot needs is not installed; the message names the Debian package. */
export class NodeImageHostToolMissingError extends NodeImageError {}

/** mmdebstrap, mkfs.ext4 or a step between them failed; the message carries the command's output. */
export class NodeImageBuildError extends NodeImageError {}

/** A booted image did not show what it should on its serial console. */
export class NodeImageBootError extends NodeImageError {}
