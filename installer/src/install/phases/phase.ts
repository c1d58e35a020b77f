// What every phase gets from the engine, and the timeout that bounds it.
import type { ClusterConfig, ClusterTopology } from '@strata/assets';
import { DEFAULT_PHASE_TIMEOUTS, installDurationMs } from '@strata/assets';
import type { DirectoryIdentity, InstallDirectory } from '../cluster-dir.ts';
import type { InstallEvents, Phase, ResourceChange } from '../events.ts';
import type { DriverContext, PlatformDriver } from '../platform-driver.ts';

export interface PhaseContext {
  readonly config: ClusterConfig;
  /** The file the user gave (read only); the directory holds its copy. */
  readonly userConfigPath: string;
  readonly topology: ClusterTopology;
  readonly directory: InstallDirectory;
  readonly identity: DirectoryIdentity;
  readonly driver: PlatformDriver;
  readonly events: InstallEvents;
  readonly phase: Phase;
  /** Aborted when the phase runs out of time. */
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  /** Whether the config differs from the one of the last run: changes then need a confirmation. */
  readonly configChanged: boolean;
  /** Asks whether to apply these changes to the existing cluster (--yes, a prompt, or a refusal). */
  readonly confirm: (changes: readonly ResourceChange[]) => Promise<boolean>;
  /** --install-plugins: see DriverContext. */
  readonly installPlugins: boolean;
  readonly progress: (message: string, counts?: { done: number; total: number }) => void;
}

/** What a phase reports back: whether it changed anything (then the phases after it run again). */
export interface PhaseOutcome {
  readonly changed: boolean;
}

const TIMEOUT_KEYS = {
  preflight: 'preflight',
  render: 'render',
  provision: 'provision',
  'wait-api': 'waitApi',
  bootstrap: 'bootstrap',
  'wait-nodes': 'waitNodes',
} as const;
type TimedPhase = keyof typeof TIMEOUT_KEYS;

/** The phases' time budgets: the config's install.timeouts over the defaults; summary and destroy take the provision's. */
export function phaseTimeoutMs(config: Pick<ClusterConfig, 'install'>, phase: Phase): number {
  const key = phase in TIMEOUT_KEYS ? TIMEOUT_KEYS[phase as TimedPhase] : 'provision';
  const text = config.install?.timeouts[key] ?? DEFAULT_PHASE_TIMEOUTS[key];
  const ms = installDurationMs(text);
  // The schema checked the format; a default that does not parse is a bug here.
  if (ms === undefined) throw new Error(`install.timeouts.${key} "${text}" is not a duration`);
  return ms;
}

/** What the platform driver sees of a phase: the cluster directory's own assets and the copied config. */
export function driverContextOf(context: PhaseContext, configPath = context.directory.configPath): DriverContext {
  return {
    config: context.config,
    configPath,
    topology: context.topology,
    directory: context.directory,
    assetsDir: context.directory.assetsDir,
    progress: (message) => context.progress(message),
    signal: context.signal,
    installPlugins: context.installPlugins,
  };
}
