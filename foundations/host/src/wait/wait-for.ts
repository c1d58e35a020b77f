// The one poll of the tree: tests wait with it for what arrives asynchronously
// (re-exported by @strata/harness), and production code for what it cannot
// watch. What can be watched is watched instead.
import { setTimeout as sleep } from 'node:timers/promises';
import { StrataError } from '@strata/api';

/** What was waited for did not come in time. `context`: what, timeoutMs. */
export class WaitTimeoutError extends StrataError {}

export interface WaitForOptions {
  /** How long to wait in all; 10 s unless given. */
  readonly timeoutMs?: number;
  /** The pause between two probes; 50 ms unless given. Probes that ask an API server or run a command may want more. */
  readonly intervalMs?: number;
  /**
   * Probe again when the probe throws (an API server restarting under the
   * test), and report the last error on time-out. Without it, a throw fails
   * the wait at once.
   */
  readonly retryErrors?: boolean;
}

/**
 * Polls `probe` until it returns a value other than undefined and resolves
 * with that value, or fails naming `what` after the time-out. `options` may be
 * the time-out in milliseconds alone.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  options: number | WaitForOptions = {},
): Promise<T> {
  const {
    timeoutMs = 10_000,
    intervalMs = 50,
    retryErrors = false,
  } = typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let failure: { readonly error: unknown } | undefined;
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (!retryErrors) throw error;
      failure = { error };
    }
    if (Date.now() > deadline) {
      const last =
        failure === undefined
          ? ''
          : ` (the last probe failed: ${failure.error instanceof Error ? failure.error.message : String(failure.error)})`;
      throw new WaitTimeoutError(
        `timed out after ${timeoutMs} ms waiting for ${what}${last}`,
        { what, timeoutMs },
        failure === undefined ? undefined : { cause: failure.error },
      );
    }
    await sleep(intervalMs);
  }
}
