// The benchmark's channel and group: limits high enough that every check that
// may grant does, so the grant path is measured and not only the refusals.
import { aCatalog, aRelease } from '../src/testing/builders.ts';

export const OLD_VERSION = '3374.2.0';
export const NEW_VERSION = '3374.2.1';

export const benchCatalog = aCatalog({
  release: aRelease({ version: NEW_VERSION }),
  policy: { maxInProgress: 1_000_000, maxUpdatesPerPeriod: 1_000_000, updateTimeoutSeconds: 86_400 },
});
