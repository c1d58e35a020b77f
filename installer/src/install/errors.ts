// The install commands' errors, each with the exit code it ends the command with.
import { StrataError } from '@strata/api';

export const EXIT = { done: 0, failed: 1, usage: 2, config: 3, preflight: 4 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An install, plan, status or destroy that failed; `exitCode` says how the command ends. */
export class InstallError extends StrataError {
  get exitCode(): ExitCode {
    return EXIT.failed;
  }
}

/** Wrong use of the command: a flag, a missing --yes, a platform this installer does not install yet. */
export class InstallUsageError extends InstallError {
  override get exitCode(): ExitCode {
    return EXIT.usage;
  }
}

/** The config, or the cluster directory it is paired with, is not acceptable. */
export class InstallConfigError extends InstallError {
  override get exitCode(): ExitCode {
    return EXIT.config;
  }
}

/** One or more preflight checks failed; `context.failures` lists every one. */
export class PreflightFailedError extends InstallError {
  override get exitCode(): ExitCode {
    return EXIT.preflight;
  }
}

/** A phase failed or ran out of time; `context.phase` names it. */
export class PhaseFailedError extends InstallError {}
