// The optional `install` section: how long each phase of `strata install` may
// take before the installer stops it and says what is wrong.
import { z } from 'zod';
import { withCheck } from './field-check.ts';
import type { Problem } from './problem.ts';

export const INSTALL_DURATION_PATTERN = /^(?=\d)(\d+h)?(\d+m)?(\d+s)?$/;
const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** The longest phase timeout: a day; an install that waits longer is stuck, not slow. */
export const MAX_PHASE_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/** Milliseconds in a duration such as "90s", "10m" or "1h30m"; undefined if it is not one. */
export function installDurationMs(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (match === null || text === '') return undefined;
  return ((Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0)) * 60 + Number(match[3] ?? 0)) * 1000;
}

function checkPhaseTimeout(text: string): Problem | undefined {
  const ms = installDurationMs(text);
  if (ms === undefined) return { message: 'is not a duration', hint: 'write it like "90s", "10m" or "1h30m"' };
  if (ms < 1000 || ms > MAX_PHASE_TIMEOUT_MS) return { message: 'must be between 1s and 24h' };
  return undefined;
}

const phaseTimeout = (description: string) =>
  z
    .string()
    .superRefine(withCheck(checkPhaseTimeout))
    .optional()
    .meta({ pattern: INSTALL_DURATION_PATTERN.source, description, examples: ['10m'] });

/** The defaults each phase gets when the config does not set it (what a slow machine still meets). */
export const DEFAULT_PHASE_TIMEOUTS = {
  preflight: '2m',
  render: '5m',
  provision: '30m',
  waitApi: '10m',
  bootstrap: '5m',
  waitNodes: '20m',
} as const;

export const installSchema = z
  .strictObject({
    timeouts: z
      .strictObject({
        preflight: phaseTimeout(`Checks before anything is created. Default ${DEFAULT_PHASE_TIMEOUTS.preflight}.`),
        render: phaseTimeout(`Rendering the assets. Default ${DEFAULT_PHASE_TIMEOUTS.render}.`),
        provision: phaseTimeout(
          `Creating the machines (the Pulumi update). Default ${DEFAULT_PHASE_TIMEOUTS.provision}.`,
        ),
        waitApi: phaseTimeout(`Until the API server answers /readyz. Default ${DEFAULT_PHASE_TIMEOUTS.waitApi}.`),
        bootstrap: phaseTimeout(`Applying the bootstrap manifests. Default ${DEFAULT_PHASE_TIMEOUTS.bootstrap}.`),
        waitNodes: phaseTimeout(
          `Until every node is Ready and every operator Deployment available. Default ${DEFAULT_PHASE_TIMEOUTS.waitNodes}.`,
        ),
      })
      .prefault({})
      .meta({ description: 'How long each install phase may take, as "90s", "10m" or "1h30m".' }),
  })
  .meta({ description: 'Settings of `strata install` itself.' });
