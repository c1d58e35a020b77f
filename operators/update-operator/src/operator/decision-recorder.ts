// What the operator tells people about its decisions once they are written:
// a log line, an Event on the Node (and on the UpdatePolicy when it becomes
// Blocked or Degraded), and the counters and latencies of its metrics.
import { UPDATE_POLICY, type UpdatePolicy, type UpdatePolicyStatus } from '@strata/api';
import type { Logger } from 'pino';
import { nodeSubject, type EventSink, type EventSubject } from './events.ts';
import type { OperatorMetrics } from './metrics.ts';
import type { NodeWrite } from './plan.ts';

const policySubject = (policy: UpdatePolicy): EventSubject => ({
  apiVersion: UPDATE_POLICY.apiVersion,
  kind: UPDATE_POLICY.kind,
  name: policy.metadata.name,
  uid: policy.metadata.uid ?? '',
});

export class DecisionRecorder {
  readonly #metrics: OperatorMetrics;
  readonly #events: EventSink;
  readonly #logger: Logger;

  constructor(metrics: OperatorMetrics, events: EventSink, logger: Logger) {
    this.#metrics = metrics;
    this.#events = events;
    this.#logger = logger;
  }

  /** A write of the plan landed at `now`. */
  written(policy: UpdatePolicy, write: NodeWrite, now: number): void {
    const name = policy.metadata.name;
    const metrics = this.#metrics;
    for (const action of write.actions) {
      this.#logger.info({ policy: name, node: write.node, action: action.kind }, action.message);
      switch (action.kind) {
        case 'approve':
        case 'requestBeforeRebootHooks':
        case 'grantFleetLock':
          // The latency of the decision that gave a node its slot (an approval after hooks took its slot earlier):
          // from the change that made it possible, not from when the node started to wait for a slot.
          {
            const from = action.possibleSince ?? action.since;
            if (from !== undefined && (action.takesSlot === true || action.kind === 'grantFleetLock'))
              metrics.decisionLatency.observe({ policy: name }, Math.max(0, now - from) / 1000);
          }
          if (action.kind !== 'requestBeforeRebootHooks')
            metrics.rebootsStarted.inc({
              policy: name,
              source: action.kind === 'grantFleetLock' ? 'fleetlock' : 'agent',
            });
          break;
        case 'complete':
          metrics.rebootsCompleted.inc({ policy: name });
          break;
        case 'markFailed':
          metrics.rebootsFailed.inc({ policy: name, cause: 'timeout' });
          break;
        case 'markRolledBack':
          metrics.rebootsFailed.inc({ policy: name, cause: 'rollback' });
          break;
        case 'revoke':
        case 'requestAfterRebootHooks':
          break;
      }
      void this.#events({
        regarding: nodeSubject(write.node),
        related: policySubject(policy),
        reason: action.reason,
        action: action.kind,
        note: action.message,
        warning: action.warning,
      });
    }
  }

  /** A Warning Event on the policy when Blocked or Degraded turns True or changes its reason. */
  statusWritten(policy: UpdatePolicy, before: UpdatePolicyStatus | undefined, after: UpdatePolicyStatus): void {
    for (const condition of after.conditions ?? []) {
      if (condition.type === 'Progressing' || condition.status !== 'True') continue;
      const previous = before?.conditions?.find((candidate) => candidate.type === condition.type);
      if (previous?.status === condition.status && previous.reason === condition.reason) continue;
      void this.#events({
        regarding: policySubject(policy),
        reason: condition.reason,
        action: condition.type === 'Blocked' ? 'Block' : 'Degrade',
        note: condition.message,
        warning: true,
      });
    }
  }
}
