// Constants of Omaha 3.0 as Flatcar's update_engine speaks it.

/** Flatcar Container Linux's Omaha application ID (`FLATCAR_RELEASE_APPID`). */
export const FLATCAR_APP_ID = '{e96281a6-d1af-4bde-9a0a-97b76e56dc57}';

/** The endpoint update_engine posts to (`SERVER=` in update.conf ends in it). */
export const OMAHA_PATH = '/v1/update/';

/** update_engine's event types that change a machine's state. */
export const EVENT_TYPE = {
  updateComplete: 3,
  downloadStarted: 13,
  downloadFinished: 14,
} as const;

/** update_engine's event results. */
export const EVENT_RESULT = {
  error: 0,
  success: 1,
  successReboot: 2,
} as const;

/**
 * update_engine sets flags in the top four bits of an error code (dev mode,
 * resumed, test image, test Omaha URL); the base code is what is left.
 */
export const ERROR_CODE_FLAG_MASK = 0x0fffffff;

/** The base error code update_engine reports when the new slot failed to boot and it fell back to the old one. */
export const ERROR_CODE_ROLLBACK = 44;

/** update_engine's base error codes that a client reports in a 3/0 event. */
export const ERROR_CODE = {
  /** A failure without a more specific code. */
  error: 1,
  /** The request could not be sent or its answer not read (the server is unreachable). */
  omahaRequestError: 2,
  /** The installed update could not be made bootable (its slot's boot entry, after the payload verified). */
  postinstallRunner: 5,
  /** The payload could not be fetched (connection refused, HTTP error, truncated body). */
  downloadTransfer: 9,
  /** The payload's sha256 is not the one the response's postinstall action announced. */
  payloadHashMismatch: 10,
  /** The payload's length is not the package's size. */
  payloadSizeMismatch: 11,
  /** The payload could not be written to the passive slot. */
  downloadWrite: 14,
  /** The installed slot does not verify after it was written. */
  newRootfsVerification: 15,
  /** The response is not XML update_engine can parse. */
  omahaRequestXmlParse: 31,
  /** The response parsed but update_engine will not act on it (an updatecheck status other than ok or noupdate). */
  omahaResponseInvalid: 34,
  /** The server answered with an HTTP status other than 200. */
  omahaErrorInHttpResponse: 37,
  rollback: ERROR_CODE_ROLLBACK,
} as const;

/** The flag bits update_engine may set on an error code. */
export const ERROR_CODE_FLAG = {
  devMode: 1 << 31,
  resumed: 1 << 30,
  testImage: 1 << 29,
  testOmahaUrl: 1 << 28,
} as const;

/**
 * The base error code of an error event. update_engine prints the code as a
 * signed 32-bit integer, so a code with the top flag bit set arrives negative.
 */
export function baseErrorCode(code: number): number {
  return (code >>> 0) & ERROR_CODE_FLAG_MASK;
}

/** A base code with flag bits, as update_engine prints it: a signed 32-bit integer. */
export function errorCodeWithFlags(base: number, ...flags: readonly number[]): number {
  return flags.reduce((code, flag) => code | flag, base & ERROR_CODE_FLAG_MASK) >> 0;
}
