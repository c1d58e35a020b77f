// Preflight: every check of the platform, all reported at once, nothing created.
import { PreflightFailedError } from '../errors.ts';
import type { PhaseContext, PhaseOutcome } from './phase.ts';

export async function preflight(context: PhaseContext): Promise<PhaseOutcome> {
  const failures = await context.driver.preflight({
    config: context.config,
    configPath: context.userConfigPath,
    topology: context.topology,
    directory: context.directory,
    progress: (message) => context.progress(message),
    signal: context.signal,
  });
  if (failures.length > 0) {
    throw new PreflightFailedError(
      `${failures.length} preflight check${failures.length === 1 ? '' : 's'} failed; nothing was created:\n${failures.map((failure) => `- ${failure.replaceAll('\n', '\n  ')}`).join('\n')}`,
      { failures },
    );
  }
  return { changed: false };
}
