import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** The operator's Prometheus metrics, per EtcdCluster (label `cluster`: namespace/name). */
export class EtcdOperatorMetrics {
  readonly registry = new Registry();
  readonly members = new Gauge({
    name: 'strata_etcd_members',
    help: 'Members of the cluster, learners included',
    labelNames: ['cluster'],
    registers: [this.registry],
  });
  readonly healthy = new Gauge({
    name: 'strata_etcd_members_healthy',
    help: 'Members that answer',
    labelNames: ['cluster'],
    registers: [this.registry],
  });
  readonly learners = new Gauge({
    name: 'strata_etcd_learners',
    help: 'Learner members',
    labelNames: ['cluster'],
    registers: [this.registry],
  });
  readonly leaderChanges = new Counter({
    name: 'strata_etcd_leader_changes_total',
    help: 'Leader changes the operator saw',
    labelNames: ['cluster'],
    registers: [this.registry],
  });
  readonly actions = new Counter({
    name: 'strata_etcd_operator_actions_total',
    help: 'Steps taken, by kind',
    labelNames: ['cluster', 'action'],
    registers: [this.registry],
  });
  readonly certificateExpiry = new Gauge({
    name: 'strata_etcd_certificate_expiry_timestamp_seconds',
    help: 'When an automatic TLS certificate expires (Unix time): the client Secret\'s (certificate="client") and each member\'s as it serves it (certificate=<member>)',
    labelNames: ['cluster', 'certificate'],
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: 'strata_etcd_operator_leader',
    help: '1 while this replica leads',
    registers: [this.registry],
  });

  constructor(options: { readonly processMetrics?: boolean } = {}) {
    if (options.processMetrics === true) collectDefaultMetrics({ register: this.registry });
  }
}
