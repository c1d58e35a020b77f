// The install engine's driver for a cloud: the shared checks, the cloud's own
// offline preflight (looking for the provider plugin where the engine's
// Pulumi will), and its Pulumi program fed with the rendered assets.
import { homedir } from 'node:os';
import type { PulumiFn } from '@pulumi/pulumi/automation/index.js';
import { StrataError } from '@strata/api';
import { readPlatformProgramInput, type ClusterConfig, type Platform, type PlatformProgramInput } from '@strata/assets';
import { resolveBinary } from '@strata/binaries';
import type { DriverContext, PlatformDriver } from '../platform-driver.ts';
import { hostNetworksFailure } from '../host-networks.ts';
import { installPulumiHome } from '../pulumi/install-stack.ts';
import { checkThroughProvider, type CloudCheck } from './existence.ts';
import { describeOutputs, parseStackOutputs } from './outputs.ts';
import { installPlugin, pluginFix, type ProviderPlugin } from './plugin.ts';

export type Environment = Readonly<Record<string, string | undefined>>;
export type { CloudCheck };

/** What a cloud package gives its driver. */
export interface CloudSpec {
  readonly platform: Platform;
  readonly plugin: () => ProviderPlugin;
  /** The id of the check, among the cloud's preflight checks, that looks for the provider plugin. */
  readonly pluginCheckId: string;
  readonly preflight: (config: ClusterConfig, env: Environment, home: string) => CloudCheck[] | Promise<CloudCheck[]>;
  readonly program: (input: PlatformProgramInput) => PulumiFn;
  /**
   * The Pulumi type of the object that holds each controller's full Ignition: the one resource a key rotation
   * may change (`strata rotate encryption-key`).
   */
  readonly controllerConfigType: string;
  /**
   * The checks only the provider can answer (region, zones, machine types, DNS zone), run inside a Pulumi
   * program; absent for a cloud whose SDK offers no way to ask.
   */
  readonly existence?: (config: ClusterConfig) => Promise<CloudCheck[]>;
}

/**
 * The environment the cloud's preflight reads: the user's, with PULUMI_HOME
 * set to the engine's, so that a plugin found is one the engine loads.
 */
export function preflightEnvironment(
  context: Pick<DriverContext, 'directory'>,
  env: Environment = process.env,
): Environment {
  return { ...env, PULUMI_HOME: installPulumiHome(context.directory) };
}

function line(check: CloudCheck): string {
  return check.fix === undefined ? check.detail : `${check.detail}\nfix: ${check.fix}`;
}

export function cloudDriver(spec: CloudSpec): PlatformDriver {
  return {
    platform: spec.platform,

    async preflight(context: DriverContext): Promise<string[]> {
      const { config, configPath, directory, progress, installPlugins } = context;
      const failures: string[] = [];
      progress("checking the cluster's ranges against this machine's networks");
      const overlap = await hostNetworksFailure(configPath);
      if (overlap !== undefined) failures.push(overlap);
      progress('checking the Pulumi CLI');
      try {
        await resolveBinary('pulumi');
      } catch (error) {
        if (!(error instanceof StrataError)) throw error;
        failures.push(`the Pulumi CLI: ${error.message} (run: strata binaries)`);
      }
      progress(`checking the ${spec.platform} settings, credentials and provider plugin`);
      const pulumiHome = installPulumiHome(directory);
      const checks = await spec.preflight(config, preflightEnvironment(context), homedir());
      const offlinePassed = checks.every((check) => check.ok);
      for (const check of checks) {
        if (check.ok) {
          progress(`ok: ${check.detail}`);
        } else if (check.id === spec.pluginCheckId && installPlugins) {
          progress(`${check.detail}: --install-plugins installs it before the update`);
        } else if (check.id === spec.pluginCheckId) {
          failures.push(line({ ...check, fix: pluginFix(spec.plugin(), pulumiHome) }));
        } else {
          failures.push(line(check));
        }
      }
      if (spec.existence !== undefined && offlinePassed) {
        progress(`asking ${spec.platform} whether the region, zones, machine types and DNS zone exist`);
        for (const check of await checkThroughProvider(spec.platform, spec.existence, context)) {
          if (check.ok) progress(`ok: ${check.detail}`);
          else failures.push(line(check));
        }
      } else if (spec.existence !== undefined) {
        // Offline, or without credentials, the provider cannot be asked; the failures above say why.
        progress(
          `not asking ${spec.platform} whether the region, zones and machine types exist until the checks above pass`,
        );
      }
      return failures;
    },

    program({ config, assetsDir }: DriverContext): PulumiFn {
      return async () => spec.program(await readPlatformProgramInput(assetsDir, config))();
    },

    async beforeUpdate(stack, context): Promise<void> {
      if (!context.installPlugins) return;
      const plugin = spec.plugin();
      const checks = await spec.preflight(context.config, preflightEnvironment(context), homedir());
      if (checks.find((check) => check.id === spec.pluginCheckId)?.ok === true) return;
      await installPlugin(stack, plugin, context.progress);
    },

    afterUpdate(outputs): string {
      return describeOutputs(parseStackOutputs(outputs));
    },

    apiServerUrl: ({ topology }) => topology.apiServerUrl,

    // The machines' logs are in the cloud, out of this machine's reach.
    logFiles: () => Promise.resolve([]),

    // Pulumi's destroy removed what the state held; proving each cloud resource gone needs the cloud's API.
    afterDestroy: () => Promise.resolve(),
  };
}
