// What update_engine's events mean for a machine's state.
import { baseErrorCode, ERROR_CODE_ROLLBACK, EVENT_RESULT, EVENT_TYPE, type OmahaEvent } from '@strata/omaha';
import type { MachineState } from './machine.ts';

export interface StateChange {
  readonly state: MachineState;
  /** The base error code (flags masked) of an error event. */
  readonly errorCode?: number;
  /** Error 44: the new slot failed to boot and the machine fell back to the old one. */
  readonly rollback?: boolean;
}

/**
 * The state an event puts a machine in, or undefined for an event that says
 * nothing new. Every check carries a 3/2 event; only a non-empty previous
 * version that differs from the running one means an update completed.
 */
export function interpretEvent(event: OmahaEvent, runningVersion: string): StateChange | undefined {
  if (event.result === EVENT_RESULT.error) {
    const errorCode = baseErrorCode(event.errorCode ?? 0);
    return { state: 'error', errorCode, rollback: errorCode === ERROR_CODE_ROLLBACK };
  }
  if (event.result !== EVENT_RESULT.success && event.result !== EVENT_RESULT.successReboot) return undefined;
  switch (event.type) {
    case EVENT_TYPE.downloadStarted:
      return { state: 'downloading' };
    case EVENT_TYPE.downloadFinished:
      return { state: 'downloaded' };
    case EVENT_TYPE.updateComplete:
      if (event.result === EVENT_RESULT.success) return { state: 'installed' };
      return event.previousVersion !== '' && event.previousVersion !== runningVersion
        ? { state: 'complete' }
        : undefined;
    default:
      return undefined;
  }
}
