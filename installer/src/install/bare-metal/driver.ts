// The bare-metal platform for the install engine: the machines are the
// user's; the installer registers each one's profiles, groups and Ignition
// with the boot server (the bare-metal Pulumi program over the write API),
// then delivers the controllers' withheld secrets over SSH.
import { join } from 'node:path';
import { StrataError } from '@strata/api';
import { BootApiClient } from '@strata/api/boot-client';
import { ClusterConfigError, loadClusterConfig } from '@strata/assets';
import { resolveBinaries } from '@strata/binaries';
import { bareMetalProgram, planBareMetal, readRenderedIgnition } from '@strata/platform-bare-metal';
import type { DriverContext, PlatformDriver } from '../platform-driver.ts';
import { InstallUsageError } from '../errors.ts';
import { deliverControllerSecrets } from './deliver.ts';
import { checkLeftovers } from './leftovers.ts';
import type { BareMetalInstallOptions } from './options.ts';
import { checkBootServer, checkSshIdentity, checkWriteApi, loadBootApi } from './preflight.ts';
import { bootStates } from './boot-states.ts';
import { checkServedNodeImage, nodeImageFor } from './node-image-release.ts';

/** Where the controllers' host keys are pinned on first contact (ADR 0018). */
export const KNOWN_HOSTS = 'known_hosts';
/** Delivery waits for the machines as long as the provision phase lets it (its signal ends it sooner). */
const DELIVERY_WAIT_MS = 24 * 60 * 60 * 1_000;
/** The boot server's record is asked about once a second while nodes are missing: a slow answer must not hold the wait. */
const OBSERVE_TIMEOUT_MS = 5_000;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function bareMetalDriver(options: BareMetalInstallOptions): PlatformDriver {
  // Asked by preflight, the program and the delivery of one run: the image's check and its digest (hundreds of MiB
  // hashed) once per OS asked for.
  let nodeImage: { readonly os: string; readonly found: ReturnType<typeof nodeImageFor> } | undefined;
  const nodeImageOf = (context: Pick<DriverContext, 'config' | 'progress'>) => {
    const os = `${context.config.os.name} ${context.config.os.version ?? ''}`;
    if (nodeImage?.os !== os) nodeImage = { os, found: nodeImageFor(context.config, context.progress) };
    return nodeImage.found;
  };

  const planOf = async (context: Pick<DriverContext, 'config' | 'assetsDir' | 'progress'>) => {
    const found = await nodeImageOf(context);
    return planBareMetal({
      config: context.config,
      ignition: await readRenderedIgnition(context.assetsDir, context.config),
      ...(found === undefined ? {} : { nodeImage: found.release }),
    });
  };

  return {
    platform: 'bare-metal',

    async preflight({ config, configPath, progress }: DriverContext): Promise<string[]> {
      const failures: string[] = [];
      progress("checking the cluster's ranges against this machine's networks");
      try {
        await loadClusterConfig(configPath);
      } catch (error) {
        if (!(error instanceof ClusterConfigError)) throw error;
        failures.push(`the cluster's ranges and this machine's networks:\n${error.message}`);
      }
      progress('checking the Pulumi CLI');
      try {
        const { paths } = await resolveBinaries({ components: ['pulumi'], progress });
        if (paths.pulumi === undefined) failures.push('the Pulumi CLI was not found (run: strata binaries)');
      } catch (error) {
        if (!(error instanceof StrataError)) throw error;
        failures.push(`binaries: ${message(error)}`);
      }
      const endpoint = config.bareMetal?.bootServer.endpoint ?? '';
      progress(`checking the boot server at ${endpoint}`);
      failures.push(...(await checkBootServer(endpoint)));
      const found = await nodeImageOf({ config, progress });
      if (found !== undefined) {
        progress(`checking that the boot server serves node image ${found.release.version}`);
        failures.push(...(await checkServedNodeImage(endpoint, found)));
      }
      const bootApi = await loadBootApi(options);
      if ('failure' in bootApi) {
        failures.push(bootApi.failure);
      } else {
        progress(
          `checking the write API at ${bootApi.endpoint.url} and that no one else's group selects the cluster's MACs`,
        );
        failures.push(...(await checkWriteApi(config, bootApi.endpoint)));
      }
      progress('checking the SSH identity the controllers will accept');
      failures.push(...(await checkSshIdentity(config.sshAuthorizedKeys, options.sshIdentity)).failures);
      return failures;
    },

    program(context: DriverContext) {
      return async () => {
        const bootApi = await loadBootApi(options);
        if ('failure' in bootApi) throw new InstallUsageError(bootApi.failure, { platform: 'bare-metal' });
        return bareMetalProgram(await planOf(context), bootApi.endpoint)();
      };
    },

    async afterProvision(context: DriverContext): Promise<void> {
      const { config, directory, progress, signal } = context;
      const plan = await planOf(context);
      for (const profile of plan.profiles) progress(`profile ${profile.id} registered with the boot server`);
      const checked = await checkSshIdentity(config.sshAuthorizedKeys, options.sshIdentity);
      if (checked.identity === undefined) {
        throw new InstallUsageError(checked.failures.join('\n'), { platform: 'bare-metal' });
      }
      await deliverControllerSecrets(
        {
          controllers: (config.bareMetal?.machines ?? []).filter((machine) => machine.role === 'controller'),
          withheld: plan.withheld,
          identityFile: checked.identity,
          knownHostsFile: join(directory.path, KNOWN_HOSTS),
          port: options.sshPort,
          user: options.sshUser,
        },
        progress,
        signal,
        Date.now() + DELIVERY_WAIT_MS,
      );
    },

    async observeMachines({ config, directory }: DriverContext) {
      const bootApi = await loadBootApi(options);
      if ('failure' in bootApi) throw new InstallUsageError(bootApi.failure, { platform: 'bare-metal' });
      const identity = await directory.identity();
      const client = new BootApiClient(bootApi.endpoint, { timeoutMs: OBSERVE_TIMEOUT_MS });
      try {
        const served = await client.listServed();
        return bootStates(config.bareMetal?.machines ?? [], served, new Date(identity?.createdAt ?? 0));
      } finally {
        client.close();
      }
    },

    apiServerUrl: ({ topology }) => topology.apiServerUrl,

    // Nothing runs on this machine but the engine: the machines' logs are on the machines.
    logFiles: () => Promise.resolve([]),

    async afterDestroy({ config, progress }: DriverContext): Promise<void> {
      await checkLeftovers(config, progress);
    },
  };
}
