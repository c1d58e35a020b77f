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

/**
 * The base error code of an error event. update_engine prints the code as a
 * signed 32-bit integer, so a code with the top flag bit set arrives negative.
 */
export function baseErrorCode(code: number): number {
  return (code >>> 0) & ERROR_CODE_FLAG_MASK;
}
