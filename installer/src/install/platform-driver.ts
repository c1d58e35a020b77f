// What a platform gives the install engine. The engine owns the phases, the
// journal, the events and the Pulumi stack; a driver knows its platform's
// checks, its program and where its logs are.
import type { OutputMap, PulumiFn, Stack } from '@pulumi/pulumi/automation/index.js';
import type { ClusterConfig, ClusterTopology, Platform } from '@strata/assets';
import type { InstallDirectory } from './cluster-dir.ts';
import { InstallUsageError } from './errors.ts';
import type { ObservedMachine } from './phases/machine-states.ts';

export interface DriverContext {
  readonly config: ClusterConfig;
  /** The config file to check against this machine (the user's, before the directory holds a copy). */
  readonly configPath: string;
  readonly topology: ClusterTopology;
  readonly directory: InstallDirectory;
  /**
   * The rendered assets the program reads: the directory's own during install; a scratch render during plan,
   * which never writes the cluster directory.
   */
  readonly assetsDir: string;
  readonly progress: (message: string) => void;
  readonly signal: AbortSignal;
  /** --install-plugins: a missing provider plugin is installed through the Automation API instead of failing preflight. */
  readonly installPlugins: boolean;
}

export interface PlatformDriver {
  readonly platform: Platform;
  /** Every failed check, each a line a user can act on; empty when all pass. Creates nothing. */
  preflight(context: DriverContext): Promise<string[]>;
  /** The Pulumi program that creates the platform's resources from the rendered assets in the directory. */
  program(context: DriverContext): PulumiFn;
  /** Before the update, on the opened stack (clouds: install the provider plugin when asked to). */
  beforeUpdate?(stack: Stack, context: DriverContext): Promise<void>;
  /** After the update, the stack's outputs, checked at the edge; a line to report. */
  afterUpdate?(outputs: OutputMap, context: DriverContext): string;
  /**
   * After every provision, changed or not (a rerun after a kill must finish it): what the platform does with
   * what Pulumi made before the API can come up (bare metal: the controllers' secrets over SSH). Idempotent.
   */
  afterProvision?(context: DriverContext): Promise<void>;
  /**
   * While the engine waits for the nodes: what the platform itself saw of each machine before it has a Node, by
   * machine name (bare metal: what the boot server served to its MAC). Only what was observed; absent: nothing seen.
   */
  observeMachines?(context: DriverContext): Promise<ReadonlyMap<string, ObservedMachine>>;
  /** The URL clients reach the API at once provisioned. */
  apiServerUrl(context: Pick<DriverContext, 'topology'>): string;
  /** Log files worth tailing when a phase fails, most relevant first. */
  logFiles(directory: InstallDirectory): Promise<string[]>;
  /** After the Pulumi destroy: anything the platform must still prove gone (local: every port free). */
  afterDestroy(context: DriverContext): Promise<void>;
}

/** The drivers this installer has; the others are refused, not faked. */
export type DriverRegistry = Partial<Record<Platform, PlatformDriver>>;

export function driverFor(registry: DriverRegistry, platform: Platform): PlatformDriver {
  const driver = registry[platform];
  if (driver === undefined) {
    const available = Object.keys(registry).join(', ');
    throw new InstallUsageError(
      `strata install does not install platform "${platform}" yet (it installs: ${available}). Render its assets with strata render --config <file> --dir <dir>.`,
      { platform, available },
    );
  }
  return driver;
}
