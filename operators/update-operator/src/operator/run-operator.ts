// One operator replica: metrics and health, the FleetLock server, and a
// campaign for the Lease. The standby only answers probes and FleetLock
// clients (with "not the leader"); on leading it starts a fresh controller
// (informers, sync, then decisions); on losing the lease every write stops at
// once (the fence) and the term's work is torn down before it campaigns again.
import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { UPDATE_OPERATOR_NAMES } from '@strata/assets';
import { Health, LeaderElector, startMetricsServer, type MetricsServer } from '@strata/kube';
import { pino, type Logger } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';
import { FleetLockCoordinator } from '../fleetlock/coordinator.ts';
import { LeaderGatedHandler } from '../fleetlock/leader-gate.ts';
import { startFleetLockServer, type RunningFleetLockServer } from '../fleetlock/server.ts';
import { parseListenAddress } from './listen-address.ts';
import { RolloutController, systemClock, type Clock } from './controller.ts';
import { apiEventSink } from './events.ts';
import { OperatorMetrics } from './metrics.ts';

export interface RunOperatorOptions {
  readonly kubeConfig: KubeConfig;
  /** Where the Lease lives (strata-system in a cluster). */
  readonly namespace: string;
  /** Unique per replica (the pod name). */
  readonly identity: string;
  /** The Node this replica runs on ($NODE_NAME from spec.nodeName): while leading, it reboots its own node last. */
  readonly nodeName?: string;
  readonly leaseName?: string;
  /** host:port for /metrics, /healthz and /readyz (port 0 picks one). */
  readonly metricsAddress?: string;
  /** host:port of the FleetLock server (port 0 picks one). */
  readonly fleetLockAddress?: string;
  /** Serve FleetLock over HTTPS with this certificate and key (PEM). */
  readonly fleetLockTls?: { readonly certPem: string; readonly keyPem: string };
  readonly logger?: Logger;
  /** Aborting stops the replica: it releases the Lease (so a standby takes over at once) and closes its servers. */
  readonly signal: AbortSignal;
  readonly clock?: Clock;
  /** Manage only UpdatePolicies / watch only Nodes with these labels (label selectors), e.g. several operators on one cluster. */
  readonly policyLabelSelector?: string;
  readonly nodeLabelSelector?: string;
  /** Lease timing (client-go's defaults: 15 s, 10 s, 2 s). */
  readonly leaseDurationSeconds?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  /** How long a FleetLock pre-reboot waits for the node's drain before answering "drain_in_progress". */
  readonly fleetLockDrainWaitMs?: number;
}

export interface RunningOperator {
  readonly metricsPort: number | undefined;
  readonly fleetLockPort: number | undefined;
  readonly metrics: OperatorMetrics;
  isLeader(): boolean;
  /** Resolves once the replica has stopped (its signal aborted). */
  readonly stopped: Promise<void>;
}

/** Runs a replica until `signal` aborts. */
export async function runOperator(options: RunOperatorOptions): Promise<void> {
  const running = await startOperator(options);
  await running.stopped;
}

/** Starts a replica; resolves once its servers listen, with their ports. */
export async function startOperator(options: RunOperatorOptions): Promise<RunningOperator> {
  const logger = options.logger ?? pino({ enabled: false });
  const metrics = new OperatorMetrics({ processMetrics: true });
  let elector: LeaderElector | undefined;
  const health = new Health({ isLeader: () => elector?.isLeader ?? false });
  const gate = new LeaderGatedHandler(() => elector?.leader);

  let metricsServer: MetricsServer | undefined;
  let fleetLockServer: RunningFleetLockServer | undefined;
  const closeServers = async (): Promise<void> => {
    await Promise.all([metricsServer?.close(), fleetLockServer?.close()]);
  };
  try {
    if (options.metricsAddress !== undefined) {
      const { host, port } = parseListenAddress(options.metricsAddress, '--metrics-address');
      metricsServer = await startMetricsServer({ host, port, registry: metrics.registry, health });
    }
    if (options.fleetLockAddress !== undefined) {
      const { host, port } = parseListenAddress(options.fleetLockAddress, '--fleetlock-address');
      fleetLockServer = await startFleetLockServer({
        host,
        port,
        handler: gate,
        logger: logger.child({ component: 'fleetlock' }),
        ...(options.fleetLockTls === undefined ? {} : { tls: options.fleetLockTls }),
        onAnswer: (endpoint, outcome) => metrics.fleetLockRequests.inc({ endpoint, outcome }),
      });
    }
  } catch (error) {
    await closeServers();
    throw error;
  }
  // A standby is as ready as the leader: it answers probes and FleetLock (with "not the leader").
  health.markReady();

  const stopped = campaign({ ...options, logger, metrics, gate, setElector: (next) => (elector = next) }).finally(
    closeServers,
  );
  return {
    metricsPort: metricsServer?.port,
    fleetLockPort: fleetLockServer?.port,
    metrics,
    isLeader: () => elector?.isLeader ?? false,
    stopped,
  };
}

interface CampaignOptions extends RunOperatorOptions {
  readonly logger: Logger;
  readonly metrics: OperatorMetrics;
  readonly gate: LeaderGatedHandler;
  readonly setElector: (elector: LeaderElector) => void;
}

/** Campaigns, leads, and after a lost lease campaigns again, until the replica's signal aborts. */
async function campaign(options: CampaignOptions): Promise<void> {
  const { logger, signal } = options;
  const leases = options.kubeConfig.makeApiClient(CoordinationV1Api);
  while (!signal.aborted) {
    let term: Promise<void> = Promise.resolve();
    const elector: LeaderElector = new LeaderElector({
      client: leases,
      namespace: options.namespace,
      name: options.leaseName ?? UPDATE_OPERATOR_NAMES.lease,
      identity: options.identity,
      ...(options.leaseDurationSeconds === undefined ? {} : { leaseDurationSeconds: options.leaseDurationSeconds }),
      ...(options.renewDeadlineMs === undefined ? {} : { renewDeadlineMs: options.renewDeadlineMs }),
      ...(options.retryPeriodMs === undefined ? {} : { retryPeriodMs: options.retryPeriodMs }),
      onStartedLeading: (leadership) => {
        term = lead(options, () => elector.isLeader, AbortSignal.any([leadership, signal]));
      },
      onNewLeader: (identity) =>
        logger.info(
          { leader: identity },
          identity === options.identity ? 'this replica leads' : 'another replica leads',
        ),
      onError: (error) => logger.warn({ err: error }, 'leader election'),
    });
    options.setElector(elector);
    const stop = (): void => void elector.stop();
    signal.addEventListener('abort', stop, { once: true });
    await elector.run();
    signal.removeEventListener('abort', stop);
    // The term's writes stopped with the fence; wait for its work to wind down before campaigning again.
    await term;
    if (!signal.aborted) logger.warn('lost the lease; campaigning again');
  }
}

/** One term of leadership: a fresh controller and FleetLock coordinator, restarted if they fail, until `leadership` aborts. */
async function lead(options: CampaignOptions, isLeader: () => boolean, leadership: AbortSignal): Promise<void> {
  const { logger, metrics, gate, kubeConfig } = options;
  metrics.leader.set(1);
  const mayWrite = (): boolean => isLeader() && !leadership.aborted;
  const events = apiEventSink(kubeConfig, options.identity, mayWrite, logger);
  try {
    while (!leadership.aborted) {
      const controller = new RolloutController({
        kubeConfig,
        identity: options.identity,
        ...(options.nodeName === undefined ? {} : { nodeName: options.nodeName }),
        logger: logger.child({ component: 'controller' }),
        metrics,
        events,
        clock: options.clock ?? systemClock,
        isLeader: mayWrite,
        ...(options.policyLabelSelector === undefined ? {} : { policyLabelSelector: options.policyLabelSelector }),
        ...(options.nodeLabelSelector === undefined ? {} : { nodeLabelSelector: options.nodeLabelSelector }),
      });
      gate.current = new FleetLockCoordinator({
        controller,
        kubeConfig,
        logger: logger.child({ component: 'fleetlock' }),
        metrics,
        events,
        signal: leadership,
        ...(options.fleetLockDrainWaitMs === undefined ? {} : { drainWaitMs: options.fleetLockDrainWaitMs }),
      });
      try {
        await controller.run(leadership);
      } catch (error) {
        logger.error({ err: error }, 'the controller failed; starting it again');
        await sleep(2000, undefined, { signal: leadership }).catch(() => undefined);
      }
    }
  } finally {
    gate.current = undefined;
    metrics.leader.set(0);
  }
}
