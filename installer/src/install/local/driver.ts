// The local platform for the install engine: the cluster runs on this
// machine, as a detached `strata up` that a Pulumi dynamic resource owns.
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { StrataError } from '@strata/api';
import { consoleDeployed, type ClusterConfig } from '@strata/assets';
import { COMPONENT_NAMES, resolveBinaries } from '@strata/binaries';
import { waitFor } from '@strata/host';
import { checkIpv4Only, checkPortsFree } from '@strata/platform-local';
import type { DriverContext, PlatformDriver } from '../platform-driver.ts';
import type { InstallDirectory } from '../cluster-dir.ts';
import { hostNetworksFailure } from '../host-networks.ts';
import { DAEMON_LOG, stopDaemon } from './daemon.ts';
import { LocalClusterDaemon } from './daemon-resource.ts';
import type { DaemonInputs } from './daemon-inputs.ts';
import { buildLocalConsole } from '../../local/console-server.ts';

/** The resource's name in the stack: one daemon per cluster. */
export const DAEMON_RESOURCE_NAME = 'cluster';

/** Everything in the config but the counts (which are inputs of their own) and the installer's own settings. */
function settingsDigest(config: ClusterConfig): string {
  const { controllers, workerPools, ...rest } = config;
  const shape = {
    ...rest,
    install: undefined,
    controllers: { ...controllers, count: undefined },
    workerPools: workerPools.map((pool) => ({ ...pool, count: undefined })),
  };
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex');
}

export function daemonInputs(config: ClusterConfig, directory: InstallDirectory): DaemonInputs {
  return {
    dir: directory.path,
    cluster: config.name,
    configPath: directory.configPath,
    controllers: config.controllers.count,
    workers: config.workerPools.reduce((sum, pool) => sum + pool.count, 0),
    apiServerPort: config.local?.apiServerPort ?? 6443,
    settings: settingsDigest(config),
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export const localDriver: PlatformDriver = {
  platform: 'local',

  async preflight({ config, configPath, topology, directory, progress }: DriverContext): Promise<string[]> {
    const failures: string[] = [];
    try {
      checkIpv4Only(config.networking);
    } catch (error) {
      if (!(error instanceof StrataError)) throw error;
      failures.push(message(error));
    }
    progress("checking the cluster's ranges against this machine's networks");
    const overlap = await hostNetworksFailure(configPath);
    if (overlap !== undefined) failures.push(overlap);
    progress('checking the control-plane binaries and the Pulumi CLI');
    try {
      const { paths } = await resolveBinaries({ components: [...COMPONENT_NAMES, 'pulumi'], progress });
      const missing = [...COMPONENT_NAMES, 'pulumi' as const].filter((name) => paths[name] === undefined);
      if (missing.length > 0) failures.push(`binaries not found: ${missing.join(', ')} (run: strata binaries)`);
    } catch (error) {
      if (!(error instanceof StrataError)) throw error;
      failures.push(`binaries: ${message(error)}`);
    }
    const running = await directory.local.runningPid();
    if (running === undefined) {
      progress("checking the control plane's ports");
      try {
        await checkPortsFree(topology);
      } catch (error) {
        if (!(error instanceof StrataError)) throw error;
        failures.push(message(error));
      }
    } else {
      progress(`the ports are held by this cluster's own daemon (pid ${running})`);
    }
    return failures;
  },

  program({ config, directory }: DriverContext) {
    const inputs = daemonInputs(config, directory);
    return () => {
      const daemon = new LocalClusterDaemon(DAEMON_RESOURCE_NAME, inputs);
      return Promise.resolve({ pid: daemon.pid, workers: daemon.workers });
    };
  },

  async beforeUpdate(_stack, { config, progress }: DriverContext): Promise<void> {
    // The console's pod runs this checkout's console build as a process (ADR 0070): built here, where its progress
    // shows, not unseen in the daemon's log (whose start would outwait a first build of minutes).
    if (!consoleDeployed(config)) return;
    progress('the web console: building it if its sources changed (its pod serves that build)');
    await buildLocalConsole((line) => progress(`console: ${line}`));
  },

  apiServerUrl: ({ topology }) => topology.apiServerUrl,

  async logFiles(directory: InstallDirectory): Promise<string[]> {
    let entries: string[];
    try {
      entries = await readdir(directory.logsDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const rest = entries.filter((name) => name !== DAEMON_LOG && name.endsWith('.log')).sort();
    return [DAEMON_LOG, ...rest].filter((name) => entries.includes(name)).map((name) => join(directory.logsDir, name));
  },

  async afterDestroy({ topology, directory }: DriverContext): Promise<void> {
    // The daemon resource's delete stopped it already. A daemon the state never recorded (a first install
    // killed inside the create) is stopped here, and the ports are proven free either way.
    await stopDaemon(directory.path);
    await waitFor(
      "the local control plane's ports to be free",
      async () => {
        await checkPortsFree(topology);
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 250, retryErrors: true },
    );
  },
};
