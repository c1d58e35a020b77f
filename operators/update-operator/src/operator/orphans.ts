// Nodes that no UpdatePolicy selects any more, typically because their policy
// was deleted while they rebooted. No policy's reconcile plans them, so their
// reboot-ok would outlive the reboot, and the agent would take it as leave to
// reboot again, uncounted, the next time an update is staged. Once such a node
// is back, its grant is cleared here. A node still on its way (approved, in
// progress, or holding a FleetLock lock) is left alone: clearing reboot-ok
// under a running agent would not stop it, and a FleetLock holder releases
// its lock itself.
import { ANNOTATIONS, LABELS } from '@strata/api';
import { protocolFacts, type NodePatch, type NodeState } from './node-state.ts';

/** What the controller's caches know of the policies. */
export interface PolicyLookup {
  /** Whether a policy that parses selects nodes with these labels. */
  readonly selectedByAny: (labels: NodeState['labels']) => boolean;
  /** Whether a policy of this name exists at all, even one that does not parse (its reconcile reports that). */
  readonly exists: (name: string) => boolean;
}

export interface OrphanCompletion {
  readonly node: string;
  readonly basedOn: string;
  readonly patch: NodePatch;
}

/** Whether `node` is back from a reboot that no existing policy would finish. */
export function isFinishedOrphan(node: NodeState, policies: PolicyLookup): boolean {
  const facts = protocolFacts(node);
  const granter = node.annotations[ANNOTATIONS.policy];
  return (
    facts.rebootOk &&
    !facts.rebootNeeded &&
    !facts.inProgress &&
    facts.fleetLockHolder === undefined &&
    (granter === undefined || !policies.exists(granter)) &&
    !policies.selectedByAny(node.labels)
  );
}

/** The clean-up of every finished orphan: what a policy's completion removes, but the policy's own hook annotations. */
export function orphanCompletions(nodes: readonly NodeState[], policies: PolicyLookup): OrphanCompletion[] {
  return nodes
    .filter((node) => isFinishedOrphan(node, policies))
    .map((node) => ({
      node: node.name,
      basedOn: node.resourceVersion,
      patch: {
        annotations: {
          [ANNOTATIONS.rebootOk]: null,
          [ANNOTATIONS.rebootGrantedAt]: null,
          [ANNOTATIONS.policy]: null,
          [ANNOTATIONS.rebootFailed]: null,
          [ANNOTATIONS.drainFailed]: null,
          [ANNOTATIONS.drainFailures]: null,
        },
        labels: { [LABELS.beforeReboot]: null, [LABELS.afterReboot]: null },
      },
    }));
}
