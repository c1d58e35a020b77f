import { isNotFound } from '@strata/kube';
import { waitFor, type WaitForOptions } from '@strata/host';

/**
 * Resolves once `read` answers 404: gone means gone, not any error. Any other error fails at once, and a timeout names
 * `what`.
 */
export function waitUntilNotFound(
  what: string,
  read: () => Promise<unknown>,
  options: WaitForOptions = { timeoutMs: 60_000, intervalMs: 250 },
): Promise<true> {
  return waitFor(
    `${what} to be gone (404)`,
    async () => {
      try {
        await read();
        return undefined;
      } catch (error) {
        if (isNotFound(error)) return true;
        throw error;
      }
    },
    options,
  );
}
