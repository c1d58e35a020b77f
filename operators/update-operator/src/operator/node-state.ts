// What the decision core knows of a node: the few fields of the Node object
// that the rollout protocol reads, with this process's own not-yet-observed
// writes laid over them. Everything the operator decides is derived from these
// facts afresh each time, never remembered, so a restart or a failover sees
// exactly what the previous leader left on the nodes.
import type { V1Node, V1NodeSystemInfo } from '@kubernetes/client-node';
import { ANNOTATIONS, LABELS, TRUE } from '@strata/api';

export interface NodeState {
  readonly name: string;
  readonly uid: string;
  readonly resourceVersion: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly unschedulable: boolean;
  /** The Ready condition is True; a node without one (just registered, or its kubelet gone) is not ready. */
  readonly ready: boolean;
  /** nodeInfo.machineID: what FleetLock client ids are derived from. */
  readonly machineId: string | undefined;
  /** nodeInfo.osImage (os-release's PRETTY_NAME): whether the node runs Zincati. */
  readonly osImage: string | undefined;
  /** The InternalIP and ExternalIP addresses in status.addresses: where the node's own FleetLock requests come from. */
  readonly ipAddresses: readonly string[];
}

/**
 * A write to one node in JSON merge patch terms: null removes a key. The
 * operator writes only these three places of a Node.
 */
export interface NodePatch {
  readonly annotations?: Readonly<Record<string, string | null>>;
  readonly labels?: Readonly<Record<string, string | null>>;
  readonly unschedulable?: boolean;
}

export function nodeStateOf(node: V1Node): NodeState {
  const ready = node.status?.conditions?.find((condition) => condition.type === 'Ready');
  return {
    name: node.metadata?.name ?? '',
    uid: node.metadata?.uid ?? '',
    resourceVersion: node.metadata?.resourceVersion ?? '',
    labels: node.metadata?.labels ?? {},
    annotations: node.metadata?.annotations ?? {},
    unschedulable: node.spec?.unschedulable === true,
    ready: ready?.status === 'True',
    machineId: node.status?.nodeInfo?.machineID,
    osImage: node.status?.nodeInfo?.osImage,
    ipAddresses: (node.status?.addresses ?? [])
      .filter((address) => address.type === 'InternalIP' || address.type === 'ExternalIP')
      .map((address) => address.address),
  };
}

/**
 * The part of a Node that nodeStateOf reads, for the informer to cache instead of the whole object: a Node also
 * carries its images, capacity, daemon endpoints and every condition with its heartbeat, which at 1000 nodes is most
 * of what the leader held (ADR 0075). nodeStateOf(projectNode(node)) equals nodeStateOf(node).
 */
export function projectNode(node: V1Node): V1Node {
  const metadata = node.metadata ?? {};
  const status = node.status ?? {};
  const ready = status.conditions?.find((condition) => condition.type === 'Ready');
  const nodeInfo = status.nodeInfo;
  return {
    metadata: {
      ...(metadata.name === undefined ? {} : { name: metadata.name }),
      ...(metadata.uid === undefined ? {} : { uid: metadata.uid }),
      ...(metadata.resourceVersion === undefined ? {} : { resourceVersion: metadata.resourceVersion }),
      ...(metadata.labels === undefined ? {} : { labels: metadata.labels }),
      ...(metadata.annotations === undefined ? {} : { annotations: metadata.annotations }),
    },
    ...(node.spec?.unschedulable === undefined ? {} : { spec: { unschedulable: node.spec.unschedulable } }),
    status: {
      // Ready's status only: its heartbeat and message change with every report and are never read.
      ...(ready === undefined ? {} : { conditions: [{ type: ready.type, status: ready.status }] }),
      ...(status.addresses === undefined
        ? {}
        : {
            addresses: status.addresses
              .filter((address) => address.type === 'InternalIP' || address.type === 'ExternalIP')
              .map(({ type, address }) => ({ type, address })),
          }),
      // V1NodeSystemInfo's other fields are required by its type; the planner reads only these two.
      ...(nodeInfo === undefined
        ? {}
        : { nodeInfo: { machineID: nodeInfo.machineID, osImage: nodeInfo.osImage } as V1NodeSystemInfo }),
    },
  };
}

function mergeStrings(
  base: Readonly<Record<string, string>>,
  patch: Readonly<Record<string, string | null>> | undefined,
): Readonly<Record<string, string>> {
  if (patch === undefined) return base;
  const merged: Record<string, string> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/** The node as it will be once `patch` lands. */
export function applyPatch(node: NodeState, patch: NodePatch): NodeState {
  return {
    ...node,
    annotations: mergeStrings(node.annotations, patch.annotations),
    labels: mergeStrings(node.labels, patch.labels),
    unschedulable: patch.unschedulable ?? node.unschedulable,
  };
}

/** Two patches as one, the later winning key by key. */
export function combinePatches(first: NodePatch, second: NodePatch): NodePatch {
  const unschedulable = second.unschedulable ?? first.unschedulable;
  return {
    annotations: { ...first.annotations, ...second.annotations },
    labels: { ...first.labels, ...second.labels },
    ...(unschedulable === undefined ? {} : { unschedulable }),
  };
}

/** Whether every key of `patch` already has the value it sets (or is absent when it removes). */
export function patchIsReflected(node: NodeState, patch: NodePatch): boolean {
  const reflected = (
    current: Readonly<Record<string, string>>,
    wanted: Readonly<Record<string, string | null>> | undefined,
  ): boolean =>
    Object.entries(wanted ?? {}).every(([key, value]) => (value === null ? !(key in current) : current[key] === value));
  return (
    reflected(node.annotations, patch.annotations) &&
    reflected(node.labels, patch.labels) &&
    (patch.unschedulable === undefined || patch.unschedulable === node.unschedulable)
  );
}

export const isTrue = (record: Readonly<Record<string, string>>, key: string): boolean => record[key] === TRUE;

export type ProtocolFacts = ReturnType<typeof readProtocolFacts>;

/**
 * Facts already read, by state: a pass asks for each node's facts in several places, and a node's state is the same
 * object from pass to pass until the node changes (the controller keeps one state per cached Node), so a pass over
 * 1000 unchanged nodes reads no annotation twice. States are never changed once made (applyPatch makes a new one).
 */
const factsByState = new WeakMap<NodeState, ProtocolFacts>();

/** The protocol facts of one node, named. */
export function protocolFacts(node: NodeState): ProtocolFacts {
  let facts = factsByState.get(node);
  if (facts === undefined) {
    facts = readProtocolFacts(node);
    factsByState.set(node, facts);
  }
  return facts;
}

function readProtocolFacts(node: NodeState) {
  const a = node.annotations;
  return {
    rebootNeeded: isTrue(a, ANNOTATIONS.rebootNeeded),
    rebootOk: isTrue(a, ANNOTATIONS.rebootOk),
    inProgress: isTrue(a, ANNOTATIONS.rebootInProgress),
    failed: isTrue(a, ANNOTATIONS.rebootFailed),
    beforeReboot: isTrue(node.labels, LABELS.beforeReboot),
    afterReboot: isTrue(node.labels, LABELS.afterReboot),
    fleetLockHolder: a[ANNOTATIONS.fleetLockHolder],
    /** A Zincati client whose slot waits for before-reboot hooks. */
    fleetLockRequester: a[ANNOTATIONS.fleetLockRequester],
    grantedAt: parseTime(a[ANNOTATIONS.rebootGrantedAt]),
    drainFailedAt: parseTime(a[ANNOTATIONS.drainFailed]),
    drainFailures: parseCount(a[ANNOTATIONS.drainFailures]),
    /** The version the node's last reboot fell back from (the agent clears it when a reboot lands where meant). */
    rolledBackFrom: a[ANNOTATIONS.rolledBack] === '' ? undefined : a[ANNOTATIONS.rolledBack],
  };
}

/** A count the operator wrote; anything else (absent, edited by hand) counts as none. */
function parseCount(value: string | undefined): number {
  const count = Number(value);
  return value !== undefined && /^\d{1,6}$/.test(value) ? count : 0;
}

function parseTime(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}
