import { PolicyValueError } from './errors.ts';

const PERCENTAGE = /^(100|[1-9][0-9]?)%$/;

/**
 * How many of `total` selected nodes may be unavailable at once under `maxUnavailable`.
 *
 * A count is taken as it is (it may exceed `total`). A percentage of the nodes is rounded down, as a Deployment's
 * maxUnavailable is, but is never below 1: otherwise a small pool ("10%" of 5 nodes) could never reboot at all.
 */
export function resolveMaxUnavailable(maxUnavailable: number | string, total: number): number {
  if (!Number.isSafeInteger(total) || total < 0) {
    throw new PolicyValueError(`the number of nodes must be a whole number, not ${total}`, { total });
  }
  if (typeof maxUnavailable === 'number') {
    if (!Number.isSafeInteger(maxUnavailable) || maxUnavailable < 1) {
      throw new PolicyValueError(`maxUnavailable ${maxUnavailable} must be a whole number of at least 1`, {
        maxUnavailable,
      });
    }
    return maxUnavailable;
  }
  const match = PERCENTAGE.exec(maxUnavailable);
  if (match === null) {
    throw new PolicyValueError(`maxUnavailable "${maxUnavailable}" must be a percentage from "1%" to "100%"`, {
      maxUnavailable,
    });
  }
  return Math.max(1, Math.floor((total * Number(match[1])) / 100));
}
