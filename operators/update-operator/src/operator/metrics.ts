// The operator's Prometheus metrics, on a registry of its own (so that two
// operators in one process, as in the failover tests, never collide).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { NODE_PHASES, type NodePhase } from './phase.ts';

const PREFIX = 'strata_update_operator_';

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly nodes: Gauge<'policy' | 'phase'>;
  readonly rebootsStarted: Counter<'policy' | 'source'>;
  readonly rebootsCompleted: Counter<'policy'>;
  readonly rebootsFailed: Counter<'policy' | 'cause'>;
  readonly drainDuration: Histogram<'source' | 'outcome'>;
  readonly decisionLatency: Histogram<'policy'>;
  readonly leader: Gauge;
  readonly fleetLockRequests: Counter<'endpoint' | 'outcome'>;
  readonly reconciles: Counter<'outcome'>;
  readonly passPhase: Histogram<'phase'>;

  constructor(options: { readonly processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.processMetrics === true) collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
    this.nodes = new Gauge({
      name: `${PREFIX}nodes`,
      help: 'Nodes selected by each UpdatePolicy, per rollout phase.',
      labelNames: ['policy', 'phase'],
      registers,
    });
    this.rebootsStarted = new Counter({
      name: `${PREFIX}reboots_started_total`,
      help: 'Reboots let go: reboot-ok given to an agent-driven node, or a FleetLock slot granted.',
      labelNames: ['policy', 'source'],
      registers,
    });
    this.rebootsCompleted = new Counter({
      name: `${PREFIX}reboots_completed_total`,
      help: 'Nodes that came back and were cleared.',
      labelNames: ['policy'],
      registers,
    });
    this.rebootsFailed = new Counter({
      name: `${PREFIX}reboots_failed_total`,
      help: 'Nodes marked reboot-failed: cause timeout (rebootTimeout passed) or rollback (the new version failed to boot).',
      labelNames: ['policy', 'cause'],
      registers,
    });
    this.drainDuration = new Histogram({
      name: `${PREFIX}drain_duration_seconds`,
      help: 'Drain durations: measured by the FleetLock server, or for agents from reboot-in-progress to the node going NotReady as the informer saw it.',
      labelNames: ['source', 'outcome'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 3600],
      registers,
    });
    this.decisionLatency = new Histogram({
      name: `${PREFIX}decision_latency_seconds`,
      help: 'From the change that made a grant possible (a node needing a reboot, or a FleetLock client asking, while a slot is free; for a node that waited, the first change seen after the pass that left it waiting: a slot freed, the budget raised, a window opened) to the write granting its slot.',
      labelNames: ['policy'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    });
    this.leader = new Gauge({ name: `${PREFIX}leader`, help: '1 while this replica leads, 0 otherwise.', registers });
    this.fleetLockRequests = new Counter({
      name: `${PREFIX}fleetlock_requests_total`,
      help: 'FleetLock requests by endpoint and outcome (ok or the error kind).',
      labelNames: ['endpoint', 'outcome'],
      registers,
    });
    this.reconciles = new Counter({
      name: `${PREFIX}reconciles_total`,
      help: 'Reconciles of UpdatePolicies by outcome.',
      labelNames: ['outcome'],
      registers,
    });
    this.passPhase = new Histogram({
      name: `${PREFIX}reconcile_phase_seconds`,
      help: "Where a pass of an UpdatePolicy spends its time: plan (reading the cache and planning), node-writes (the grants and clean-ups, answered), status (the policy's status written, answered: off the pass's path since the pass only submits it, so it times the write alone). A pass that wrote nothing has no node-writes or status observation.",
      labelNames: ['phase'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.leader.set(0);
  }

  setPhaseCounts(policy: string, counts: Readonly<Record<NodePhase, number>>): void {
    for (const phase of NODE_PHASES) this.nodes.set({ policy, phase }, counts[phase]);
  }

  forgetPolicy(policy: string): void {
    for (const phase of NODE_PHASES) this.nodes.remove({ policy, phase });
  }
}
