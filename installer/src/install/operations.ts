// plan, status and destroy: the engine's other entry points, on a cluster directory.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Stack } from '@pulumi/pulumi/automation/index.js';
import { withLockFile } from '@strata/host';
import { clusterTopology, type ClusterConfig, type ClusterTopology } from '@strata/assets';
import { InstallDirectory, type DirectoryIdentity } from './cluster-dir.ts';
import { InstallError, InstallUsageError } from './errors.ts';
import type { InstallEvents, Phase, ResourceChange } from './events.ts';
import { phasesDone } from './journal.ts';
import { loadInstallConfig } from './engine.ts';
import { formatMs } from './format.ts';
import { driverFor, type DriverContext, type DriverRegistry } from './platform-driver.ts';
import { exportedState, openInstallStack } from './pulumi/install-stack.ts';
import { resourceProgress } from './pulumi/engine-events.ts';
import { previewChanges, recoveredStack } from './phases/provision.ts';
import { clusterCaPem } from './phases/api-client.ts';
import { getReadyz } from './phases/wait-api.ts';
import { readiness } from './phases/wait-nodes.ts';
import { phaseTimeoutMs } from './phases/phase.ts';
import { checkPreflight } from './phases/preflight.ts';
import { withScratchRender } from './scratch-render.ts';

/** A directory that does not exist, or is empty: what an install that stopped in preflight leaves. */
async function holdsNothing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

async function installedDirectory(dir: string): Promise<{ directory: InstallDirectory; identity: DirectoryIdentity }> {
  const directory = new InstallDirectory(dir);
  const identity = await directory.identity();
  if (identity === undefined) {
    throw new InstallUsageError(
      `${directory.path} is not a cluster directory of strata install (it has no install.json)`,
      {
        dir: directory.path,
      },
    );
  }
  return { directory, identity };
}

function driverContext(
  config: ClusterConfig,
  directory: InstallDirectory,
  events: InstallEvents,
  phase: Phase,
  signal: AbortSignal,
  installPlugins = false,
  assetsDir = directory.assetsDir,
): DriverContext {
  return {
    config,
    configPath: directory.configPath,
    topology: clusterTopology(config),
    directory,
    assetsDir,
    progress: (message) => events.emit({ type: 'phase-progress', phase, message }),
    signal,
    installPlugins,
  };
}

export interface PlanOptions {
  readonly configPath: string;
  readonly dir: (config: ClusterConfig) => string;
  readonly events: InstallEvents;
  readonly drivers: DriverRegistry;
  /** --install-plugins: a missing provider plugin is obtained through the Automation API. */
  readonly installPlugins?: boolean;
}

/**
 * What `strata install` with this config would change, resource by resource, from the engine's preview.
 * It writes nothing into the cluster directory: the config is rendered into a scratch directory, and a
 * directory install has not made yet is previewed against an empty stack in that scratch directory, so
 * every resource shows as a create.
 */
export async function runPlan(options: PlanOptions): Promise<ResourceChange[]> {
  const config = await loadInstallConfig(options.configPath);
  const driver = driverFor(options.drivers, config.platform);
  const directory = new InstallDirectory(options.dir(config));
  const existing = await directory.identity();
  if (existing !== undefined && (existing.cluster !== config.name || existing.platform !== config.platform)) {
    // claim() words the refusal; a plan must not write the identity of a directory it only looks at.
    await directory.claim(config.name, config.platform, undefined);
  }
  // The same checks as install's, before anything is created: a plan needs the provider plugins too.
  const installPlugins = options.installPlugins === true;
  const preflightSignal = AbortSignal.timeout(phaseTimeoutMs(config, 'preflight'));
  const checks = driverContext(config, directory, options.events, 'preflight', preflightSignal, installPlugins);
  await checkPreflight(driver, { ...checks, configPath: options.configPath });
  const signal = AbortSignal.timeout(phaseTimeoutMs(config, 'provision'));
  const progress = (message: string) => options.events.emit({ type: 'phase-progress', phase: 'provision', message });
  const plan = () =>
    withScratchRender({ config, configPath: options.configPath, directory, progress }, async ({ root, assetsDir }) => {
      const context = driverContext(config, directory, options.events, 'provision', signal, installPlugins, assetsDir);
      const preview = async (stack: Stack): Promise<ResourceChange[]> => {
        await driver.beforeUpdate?.(stack, context);
        const changes = await previewChanges(stack, signal);
        options.events.emit({ type: 'preview', changes });
        return changes;
      };
      if (existing === undefined) {
        // Nothing installed yet: an empty stack of the scratch directory's own, thrown away with it.
        const scratch = new InstallDirectory(join(root, 'cluster'));
        const identity: DirectoryIdentity = {
          cluster: config.name,
          platform: config.platform,
          backend: scratch.defaultBackend(),
          createdAt: new Date().toISOString(),
        };
        progress(`${directory.path} holds no install yet: every resource is new`);
        return preview(await openInstallStack(scratch, identity, driver.program(context)));
      }
      return preview(await recoveredStack({ directory, identity: existing, progress }, driver.program(context)));
    });
  // An installed directory is read (its assets copied, its state refreshed) under its install lock, so that a
  // running install never changes it halfway through.
  return existing === undefined ? plan() : withLockFile(directory.lockPath, plan);
}

export interface StatusReport {
  readonly dir: string;
  readonly cluster: string;
  readonly platform: string;
  readonly phasesDone: Phase[];
  readonly configFingerprint: string | undefined;
  readonly resources: { urn: string; type: string }[];
  readonly pendingOperations: number;
  readonly api: { url: string; healthy: boolean; detail: string };
  readonly nodes: { ready: number; total: number; missing: string[] } | undefined;
}

/** An installed cluster as the live status watches it: where its API is, its topology, its directory. */
export interface InstalledCluster {
  readonly directory: InstallDirectory;
  readonly identity: DirectoryIdentity;
  readonly topology: ClusterTopology;
  readonly apiServerUrl: string;
}

export async function installedCluster(options: { dir: string; drivers: DriverRegistry }): Promise<InstalledCluster> {
  const { directory, identity } = await installedDirectory(options.dir);
  const config = await loadInstallConfig(directory.configPath);
  const topology = clusterTopology(config);
  return {
    directory,
    identity,
    topology,
    apiServerUrl: driverFor(options.drivers, config.platform).apiServerUrl({ topology }),
  };
}

/** What the directory's cluster is: phases done, resources, API health, nodes Ready/total. */
export async function runStatus(options: { dir: string; drivers: DriverRegistry }): Promise<StatusReport> {
  const { directory, identity } = await installedDirectory(options.dir);
  const config = await loadInstallConfig(directory.configPath);
  const driver = driverFor(options.drivers, config.platform);
  const topology = clusterTopology(config);
  const fingerprint = await directory.configFingerprint();
  const journal = await directory.journal.read();
  const done = fingerprint === undefined ? new Set<Phase>() : phasesDone(journal.records, fingerprint);
  const stack = await openInstallStack(directory, identity, () => Promise.resolve(undefined));
  const state = await exportedState(stack);
  const url = driver.apiServerUrl({ topology });
  let api: StatusReport['api'];
  let nodes: StatusReport['nodes'];
  try {
    const answer = await getReadyz(url, await clusterCaPem(directory), 3_000);
    api = { url, healthy: answer.status === 200, detail: `/readyz answered ${answer.status}` };
  } catch (error) {
    api = { url, healthy: false, detail: error instanceof Error ? error.message : String(error) };
  }
  if (api.healthy) {
    const seen = await readiness({ topology, directory });
    nodes = {
      ready: seen.readyNodes.length,
      total: seen.readyNodes.length + seen.missingNodes.length,
      missing: seen.missingNodes,
    };
  }
  return {
    dir: directory.path,
    cluster: identity.cluster,
    platform: identity.platform,
    phasesDone: [...done],
    configFingerprint: fingerprint,
    resources: state.resources.map(({ urn, type }) => ({ urn, type })),
    pendingOperations: state.pending.length,
    api,
    nodes,
  };
}

/**
 * Removes everything install created, in reverse: the stack's resources (the
 * engine deletes dependents first), then what the platform must still prove
 * gone. Works on a failed or half-finished install too.
 */
export async function runDestroy(options: {
  dir: string;
  events: InstallEvents;
  drivers: DriverRegistry;
}): Promise<void> {
  const { events } = options;
  if (await holdsNothing(options.dir)) {
    // An install that stopped in preflight created nothing: there is nothing to remove, and that is a success.
    events.emit({
      type: 'phase-progress',
      phase: 'destroy',
      message: `${options.dir} holds no cluster: nothing to destroy`,
    });
    events.emit({ type: 'phase-succeeded', phase: 'destroy', durationMs: 0 });
    return;
  }
  const { directory, identity } = await installedDirectory(options.dir);
  const config = await loadInstallConfig(directory.configPath);
  const driver = driverFor(options.drivers, config.platform);
  const fingerprint = (await directory.configFingerprint()) ?? '0'.repeat(64);
  const timeoutMs = phaseTimeoutMs(config, 'destroy');
  const signal = AbortSignal.timeout(timeoutMs);
  const context = driverContext(config, directory, events, 'destroy', signal);
  const record = (status: 'started' | 'succeeded' | 'failed') =>
    directory.journal.append({
      phase: 'destroy',
      status,
      fingerprint,
      platform: config.platform,
      cluster: config.name,
    });
  await withLockFile(directory.lockPath, async () => {
    events.emit({ type: 'phase-started', phase: 'destroy', timeoutMs });
    await record('started');
    const started = performance.now();
    try {
      const stack = await recoveredStack({ directory, identity, progress: context.progress }, driver.program(context));
      const { resources } = await exportedState(stack);
      const reporter = resourceProgress(
        events,
        'destroy',
        resources.filter(
          (resource) => resource.type !== 'pulumi:pulumi:Stack' && !resource.type.startsWith('pulumi:providers:'),
        ).length,
      );
      await stack.destroy({ signal, onEvent: reporter.onEvent });
      context.progress('checking that nothing of the cluster is left');
      await driver.afterDestroy(context);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await record('failed');
      events.emit({
        type: 'phase-failed',
        phase: 'destroy',
        durationMs: performance.now() - started,
        error: message,
        timedOut: signal.aborted,
      });
      throw new InstallError(
        `destroy failed after ${formatMs(performance.now() - started)}: ${message}`,
        { dir: directory.path },
        { cause: error },
      );
    }
    await record('succeeded');
    events.emit({ type: 'phase-succeeded', phase: 'destroy', durationMs: performance.now() - started });
  });
}
