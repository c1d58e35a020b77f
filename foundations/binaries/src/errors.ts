import { StrataError } from '@strata/api';

export class BinaryResolutionError extends StrataError {}

/** No source could provide a component; the message names every way to fix that. */
export class BinariesUnavailableError extends BinaryResolutionError {}

export class GoBuildError extends BinaryResolutionError {}

export class DownloadError extends BinaryResolutionError {}

/** An etcd version that is not one of ETCD_VERSIONS: nothing pins, builds or checks it. */
export class UnknownEtcdVersionError extends BinaryResolutionError {}
