// The install engine: the phases in order, each bounded by its timeout,
// journaled before and after, skipped when the journal shows it done for the
// same config, diagnosed when it fails.
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { withLockFile } from '@strata/host';
import { ClusterConfigError, clusterTopology, loadClusterConfig, type ClusterConfig } from '@strata/assets';
import type { Diagnose, Diagnosis } from '../diagnostics/diagnosis.ts';
import { InstallDirectory, type DirectoryIdentity } from './cluster-dir.ts';
import {
  InstallConfigError,
  InstallError,
  InstallUsageError,
  PhaseFailedError,
  PreflightFailedError,
} from './errors.ts';
import { INSTALL_PHASES, type InstallEvents, type Phase, type ResourceChange } from './events.ts';
import { phasesDoneAt } from './journal.ts';
import { formatMs } from './format.ts';
import { driverFor, type DriverRegistry, type PlatformDriver } from './platform-driver.ts';
import { bootstrap } from './phases/bootstrap.ts';
import { clusterCaPem } from './phases/api-client.ts';
import { phaseTimeoutMs, type PhaseContext, type PhaseOutcome } from './phases/phase.ts';
import { preflight } from './phases/preflight.ts';
import { provision } from './phases/provision.ts';
import { render } from './phases/render.ts';
import { summarize } from './phases/summary.ts';
import { waitApi } from './phases/wait-api.ts';
import { expectedNodes, waitNodes } from './phases/wait-nodes.ts';

export interface InstallOptions {
  readonly configPath: string;
  /** The cluster directory; the default depends on the cluster's name. */
  readonly dir: (config: ClusterConfig) => string;
  readonly backend?: string;
  readonly events: InstallEvents;
  readonly drivers: DriverRegistry;
  readonly diagnose: Diagnose;
  /** Asks to apply changes to an existing cluster; resolves false to stop. */
  readonly confirm: (changes: readonly ResourceChange[]) => Promise<boolean>;
  /** --install-plugins: obtain a missing provider plugin through the Automation API (needs the network). */
  readonly installPlugins?: boolean;
}

export interface InstallResult {
  readonly directory: InstallDirectory;
  readonly ran: Phase[];
  readonly skipped: Phase[];
}

/** The config, checked for itself (every problem with its field path) before anything is created. */
export async function loadInstallConfig(path: string): Promise<ClusterConfig> {
  try {
    // The host's networks are a preflight check, listed with the others.
    return await loadClusterConfig(path, { hostNetworks: [] });
  } catch (error) {
    if (!(error instanceof ClusterConfigError)) throw error;
    throw new InstallConfigError(error.message, { ...error.context }, { cause: error });
  }
}

const RUNNERS: Record<Exclude<Phase, 'summary' | 'destroy'>, (context: PhaseContext) => Promise<PhaseOutcome>> = {
  preflight,
  render,
  provision,
  'wait-api': waitApi,
  bootstrap,
  'wait-nodes': waitNodes,
};

/** Phases that run whatever the journal says: provision reconciles the state with what really runs. */
const ALWAYS_RUN: ReadonlySet<Phase> = new Set(['provision', 'summary']);

class PhaseTimeoutError extends InstallError {}

async function withTimeout<T>(phase: Phase, timeoutMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new PhaseTimeoutError(`the ${phase} phase did not finish within ${formatMs(timeoutMs)}`, {
        phase,
        timeoutMs,
      });
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([work(controller.signal), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

async function fingerprintOf(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

async function diagnosisFor(
  diagnose: Diagnose,
  phase: Phase,
  context: Omit<PhaseContext, 'phase' | 'signal' | 'timeoutMs' | 'progress'>,
): Promise<Diagnosis> {
  const caPem = await clusterCaPem(context.directory).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  });
  return diagnose({
    phase,
    apiServerUrl: context.driver.apiServerUrl(context),
    clusterCaPem: caPem,
    adminKubeconfigPath: context.directory.kubeconfigPath,
    expectedNodes: expectedNodes(context),
    expectedEtcdMembers: context.topology.controllers.map((controller) => ({
      name: controller.name,
      clientUrl: `https://${controller.bindAddress}:2379`,
    })),
    logFiles: await context.driver.logFiles(context.directory),
    signal: AbortSignal.timeout(60_000),
  });
}

/**
 * Runs `strata install`: every phase not yet done for this config, in order.
 * Errors carry their exit code (InstallError.exitCode).
 */
export async function runInstall(options: InstallOptions): Promise<InstallResult> {
  const { events } = options;
  const config = await loadInstallConfig(options.configPath);
  const driver: PlatformDriver = driverFor(options.drivers, config.platform);
  const directory = new InstallDirectory(options.dir(config));
  const topology = clusterTopology(config);
  const fingerprint = await fingerprintOf(options.configPath);
  const existing = await directory.identity();
  const journal = directory.journal;
  const reading = existing === undefined ? { records: [], warnings: [] } : await journal.read();
  for (const warning of reading.warnings) events.emit({ type: 'phase-progress', phase: 'preflight', message: warning });
  const done = phasesDoneAt(reading.records, fingerprint);
  const previousFingerprint = await directory.configFingerprint();
  const configChanged = previousFingerprint !== undefined && previousFingerprint !== fingerprint;

  const ran: Phase[] = [];
  const skipped: Phase[] = [];
  const durations: Record<string, number> = {};
  let identity: DirectoryIdentity | undefined = existing;
  let rerunRest = false;

  const base = {
    config,
    userConfigPath: options.configPath,
    topology,
    directory,
    driver,
    events,
    configChanged,
    confirm: options.confirm,
    installPlugins: options.installPlugins === true,
  };

  const runPhase = async (phase: Phase): Promise<void> => {
    const doneAt = done.get(phase);
    if (!rerunRest && !ALWAYS_RUN.has(phase) && doneAt !== undefined) {
      // Short enough for an 80-column phase line: when, and that the config is the same.
      const when = `${doneAt.slice(0, 19).replace('T', ' ')}Z`;
      events.emit({ type: 'phase-skipped', phase, reason: `done at ${when}, same config (journal)` });
      skipped.push(phase);
      return;
    }
    const timeoutMs = phaseTimeoutMs(config, phase);
    const record = (status: 'started' | 'succeeded' | 'failed') =>
      identity === undefined
        ? Promise.resolve()
        : journal
            .append({ phase, status, fingerprint, platform: config.platform, cluster: config.name })
            .then(() => undefined);
    events.emit({ type: 'phase-started', phase, timeoutMs });
    await record('started');
    const started = performance.now();
    try {
      const outcome = await withTimeout(phase, timeoutMs, (signal) => {
        const context: PhaseContext = {
          ...base,
          identity: identity ?? placeholderIdentity(config),
          phase,
          signal,
          timeoutMs,
          progress: (message, counts) => events.emit({ type: 'phase-progress', phase, message, ...(counts ?? {}) }),
        };
        return phase === 'summary' ? summarize(context, durations) : RUNNERS[phase as keyof typeof RUNNERS](context);
      });
      durations[phase] = performance.now() - started;
      if (outcome.changed) rerunRest = true;
      await record('succeeded');
      events.emit({ type: 'phase-succeeded', phase, durationMs: durations[phase] });
      ran.push(phase);
    } catch (error) {
      const durationMs = performance.now() - started;
      await record('failed');
      const message = error instanceof Error ? error.message : String(error);
      const timedOut = error instanceof PhaseTimeoutError;
      // Preflight lists its own findings; a diagnosis of a cluster not yet created would add nothing.
      const ownExit =
        error instanceof PreflightFailedError ||
        error instanceof InstallUsageError ||
        error instanceof InstallConfigError;
      const diagnosis =
        phase === 'preflight' || identity === undefined || ownExit
          ? undefined
          : await diagnosisFor(options.diagnose, phase, { ...base, identity });
      events.emit({
        type: 'phase-failed',
        phase,
        durationMs,
        error: message,
        timedOut,
        ...(diagnosis === undefined ? {} : { diagnosis }),
      });
      // Errors that end with their own exit code (preflight 4, usage 2, config 3) keep it.
      if (ownExit) throw error;
      throw new PhaseFailedError(`the ${phase} phase failed: ${message}`, { phase, timedOut }, { cause: error });
    }
  };

  // Preflight reads only: a failure leaves no directory behind on a first install.
  await runPhase('preflight');
  const firstRun = identity === undefined;
  identity = await directory.claim(config.name, config.platform, options.backend);
  if (firstRun && ran.includes('preflight')) {
    // Preflight ran before the directory existed; its success goes into the journal now that there is one.
    await journal.append({
      phase: 'preflight',
      status: 'succeeded',
      fingerprint,
      platform: config.platform,
      cluster: config.name,
    });
  }
  return withLockFile(directory.lockPath, async () => {
    await directory.copyConfig(options.configPath);
    for (const phase of INSTALL_PHASES) {
      if (phase === 'preflight') continue;
      await runPhase(phase);
    }
    return { directory, ran, skipped };
  });
}

/** Before the directory is claimed (preflight), phases see the identity it would get. */
function placeholderIdentity(config: ClusterConfig): DirectoryIdentity {
  return { cluster: config.name, platform: config.platform, backend: '', createdAt: new Date().toISOString() };
}
