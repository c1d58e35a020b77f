// Preflight: every check of the platform, all reported at once, nothing created.
import { PreflightFailedError } from '../errors.ts';
import type { DriverContext, PlatformDriver } from '../platform-driver.ts';
import { driverContextOf, type PhaseContext, type PhaseOutcome } from './phase.ts';

/** Runs the driver's checks; throws PreflightFailedError (exit 4) listing every failure. Used by install and plan. */
export async function checkPreflight(driver: PlatformDriver, context: DriverContext): Promise<void> {
  const failures = await driver.preflight(context);
  if (failures.length > 0) {
    throw new PreflightFailedError(
      `${failures.length} preflight check${failures.length === 1 ? '' : 's'} failed; nothing was created:\n${failures.map((failure) => `- ${failure.replaceAll('\n', '\n  ')}`).join('\n')}`,
      { failures },
    );
  }
}

export async function preflight(context: PhaseContext): Promise<PhaseOutcome> {
  await checkPreflight(context.driver, driverContextOf(context, context.userConfigPath));
  return { changed: false };
}
