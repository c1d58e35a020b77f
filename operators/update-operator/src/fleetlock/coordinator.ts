// What FleetLock requests mean for the cluster: a Zincati
// client is mapped to its Kubernetes node through its app-specific machine id;
// a lock is a slot of the node's UpdatePolicy, granted by the operator's own
// reconcile (same budget, same fair order, same windows) and held through the
// fleetlock-holder annotation; before success is answered the node is
// cordoned and drained with the agent's drain code. Zincati asks again until
// it gets a 200, so a long drain answers "drain_in_progress" meanwhile.
import type { KubeConfig } from '@kubernetes/client-node';
import type { UpdatePolicy } from '@strata/api';
import type { Logger } from 'pino';
import { DrainRefusedError, DrainTimeoutError, drainNode } from '../drain/index.ts';
import type { RolloutController } from '../operator/controller.ts';
import { nodeSubject, type EventSink } from '../operator/events.ts';
import type { OperatorMetrics } from '../operator/metrics.ts';
import { protocolFacts, type NodePatch, type NodeState } from '../operator/node-state.ts';
import { EVENT_REASONS } from '../operator/reasons.ts';
import { ANNOTATIONS, LABELS, TRUE } from '@strata/api';
import { rfc3339 } from '@strata/kube';
import { normaliseClientId, zincatiClientId } from './app-specific-id.ts';
import type { FleetLockClientParams, FleetLockErrorKind } from './protocol.ts';
import { RefusalEventLimiter, type RefusalEventLimits } from './refusal-events.ts';
import {
  refuse,
  type FleetLockAnswer,
  type FleetLockCaller,
  type FleetLockEndpoint,
  type FleetLockHandler,
} from './server.ts';
import { isNodeAddress, runsZincati } from './zincati-node.ts';

export interface FleetLockCoordinatorOptions {
  readonly controller: RolloutController;
  readonly kubeConfig: KubeConfig;
  readonly logger: Logger;
  readonly metrics: OperatorMetrics;
  readonly events: EventSink;
  /** Aborts when leadership ends: drains stop at once. */
  readonly signal: AbortSignal;
  /** How long a pre-reboot waits for the node's drain before answering "drain_in_progress" (Zincati asks again). */
  readonly drainWaitMs?: number;
  readonly now?: () => number;
  /** How many FleetLockRefused Events may be written; a flood of refused requests must not become one of Events. */
  readonly refusalEventLimits?: RefusalEventLimits;
}

type DrainState =
  { readonly state: 'running' } | { readonly state: 'done' } | { readonly state: 'failed'; readonly reason: string };

interface DrainTask {
  readonly clientId: string;
  status: DrainState;
  readonly finished: Promise<void>;
  readonly abort: AbortController;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export class FleetLockCoordinator implements FleetLockHandler {
  readonly #options: FleetLockCoordinatorOptions;
  readonly #drains = new Map<string, DrainTask>();
  readonly #ids = new Map<string, string | undefined>();
  readonly #now: () => number;
  readonly #refusalEvents: RefusalEventLimiter;

  constructor(options: FleetLockCoordinatorOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#refusalEvents = new RefusalEventLimiter(options.refusalEventLimits, this.#now);
    options.signal.addEventListener('abort', () => {
      for (const task of this.#drains.values()) task.abort.abort(options.signal.reason);
      this.#drains.clear();
    });
  }

  #clientIdOf(machineId: string | undefined): string | undefined {
    if (machineId === undefined) return undefined;
    if (!this.#ids.has(machineId)) {
      let id: string | undefined;
      try {
        id = zincatiClientId(machineId);
      } catch {
        // A machine id that is not 128 bits of hex (some platforms report other things) maps to no FleetLock client.
        id = undefined;
      }
      this.#ids.set(machineId, id);
    }
    return this.#ids.get(machineId);
  }

  /**
   * The node a request may act on: the one node whose Zincati id is the
   * client's, if that node runs Zincati and the request comes from one of the
   * node's own addresses. The id alone proves nothing (anyone who may read
   * Nodes can compute it from nodeInfo.machineID); the connection's source
   * address is what ties the request to the machine.
   */
  #authorisedNode(
    client: FleetLockClientParams,
    caller: FleetLockCaller,
    endpoint: FleetLockEndpoint,
  ): NodeState | FleetLockAnswer {
    // Until the caches are complete an unknown id proves nothing, and no slot can be counted.
    if (!this.#options.controller.synced)
      return refuse(503, 'not_ready', 'the leader is still reading the cluster; retry');
    const id = normaliseClientId(client.id);
    if (id === undefined)
      return refuse(
        422,
        'unknown_client',
        `client_params.id ${JSON.stringify(client.id)} is not a 128-bit id; Zincati sends the node's app-specific machine id as 32 hex digits`,
      );
    const matches = this.#options.controller.findNodes((node) => this.#clientIdOf(node.machineId) === id);
    const [only] = matches;
    if (only === undefined) {
      return refuse(
        422,
        'unknown_client',
        `no Kubernetes node has FleetLock id ${id}: the node must be registered and report nodeInfo.machineID (the id is systemd's app-specific id of /etc/machine-id for Zincati)`,
      );
    }
    if (matches.length > 1) {
      const names = matches.map((node) => node.name).sort();
      const value = `FleetLock id ${id} belongs to ${names.length} nodes (${names.join(', ')}), which share a machine id; give each machine its own /etc/machine-id`;
      for (const node of matches) this.#refused(node.name, caller, endpoint, 'ambiguous_client', value);
      return refuse(409, 'ambiguous_client', value);
    }
    if (!runsZincati(only.osImage)) {
      const value = `node ${only.name} runs ${JSON.stringify(only.osImage ?? 'an unreported OS')}, not Fedora CoreOS: only Zincati speaks FleetLock, and this node's reboots go through the update agent`;
      this.#refused(only.name, caller, endpoint, 'not_zincati_node', value);
      return refuse(403, 'not_zincati_node', value);
    }
    if (!isNodeAddress(caller.source, only.ipAddresses)) {
      const value = `a FleetLock request for node ${only.name} must come from one of its addresses (${only.ipAddresses.join(', ') || 'none reported'}), not from ${caller.source}`;
      this.#refused(only.name, caller, endpoint, 'wrong_source_address', value);
      return refuse(403, 'wrong_source_address', value);
    }
    const current = this.#options.controller.currentNode(only.name);
    if (current === undefined)
      return refuse(422, 'unknown_client', `node ${only.name} is gone; FleetLock id ${id} names no node now`);
    return current;
  }

  /** An Event on the node a refused request named, within the limiter's bounds. */
  #refused(
    nodeName: string,
    caller: FleetLockCaller,
    endpoint: FleetLockEndpoint,
    kind: FleetLockErrorKind,
    value: string,
  ): void {
    if (!this.#refusalEvents.allow(`${nodeName}|${kind}|${caller.source}`)) return;
    void this.#options.events({
      regarding: nodeSubject(nodeName),
      reason: EVENT_REASONS.fleetLockRefused,
      action: endpoint === 'pre-reboot' ? 'Lock' : 'Unlock',
      note: `FleetLock ${endpoint} from ${caller.source} refused (${kind}): ${value}`,
      warning: true,
    });
  }

  async preReboot(client: FleetLockClientParams, caller: FleetLockCaller): Promise<FleetLockAnswer> {
    const found = this.#authorisedNode(client, caller, 'pre-reboot');
    if ('ok' in found) return found;
    const id = normaliseClientId(client.id) ?? client.id;
    const facts = protocolFacts(found);
    if (facts.fleetLockHolder === id && facts.afterReboot)
      return refuse(
        409,
        'failed_lock',
        `node ${found.name} is back from its reboot and waits for its after-reboot hooks; it may lock again once they are "true"`,
      );
    if (facts.fleetLockHolder !== id) {
      const decision = await this.#options.controller.requestFleetLock(found.name, id);
      if (!decision.granted) return refuse(409, 'failed_lock', decision.reason);
    }
    return this.#drained(found.name, id);
  }

  async steadyState(client: FleetLockClientParams, caller: FleetLockCaller): Promise<FleetLockAnswer> {
    const found = this.#authorisedNode(client, caller, 'steady-state');
    if ('ok' in found) return found;
    const id = normaliseClientId(client.id) ?? client.id;
    const facts = protocolFacts(found);
    const cordonedByUs = found.annotations[ANNOTATIONS.fleetLockMadeUnschedulable] === TRUE;
    if (facts.fleetLockHolder !== id && !(facts.fleetLockHolder === undefined && cordonedByUs)) {
      return { ok: true, message: `node ${found.name}: no lock held by ${id}` };
    }
    this.#drains.get(found.name)?.abort.abort(new Error('the lock was released'));
    this.#drains.delete(found.name);
    const afterRebootHooks = facts.fleetLockHolder === id ? this.#afterRebootHooksOf(found) : [];
    if (afterRebootHooks.length > 0) return this.#awaitAfterRebootHooks(found, id, afterRebootHooks);
    try {
      await this.#options.controller.writer.write(found.name, this.#releasePatch(found), found.resourceVersion);
    } catch (error) {
      return refuse(409, 'failed_unlock', `releasing the lock of node ${found.name} failed (${message(error)}); retry`);
    }
    this.#options.controller.touch(found.name);
    if (facts.fleetLockHolder === id) {
      void this.#options.events({
        regarding: nodeSubject(found.name),
        reason: EVENT_REASONS.fleetLockReleased,
        action: 'Unlock',
        note: `FleetLock client ${id} released its slot on node ${found.name}`,
        warning: false,
      });
    }
    return { ok: true, message: `node ${found.name}: lock released` };
  }

  /** The after-reboot hooks of the policy that granted the node's lock (or, if it is gone, of the one selecting it now). */
  #afterRebootHooksOf(node: NodeState): readonly string[] {
    const { controller } = this.#options;
    const policyName = node.annotations[ANNOTATIONS.policy] ?? controller.policyOfNode(node.name);
    return (policyName === undefined ? undefined : controller.policy(policyName))?.spec.hooks.afterReboot ?? [];
  }

  /**
   * Zincati is back and steady, and the policy has after-reboot hooks: the node is uncordoned (if the server
   * cordoned it) and labelled after-reboot, and its lock keeps the slot until the operator's reconcile sees every
   * hook "true" and clears it, as an agent-driven node keeps reboot-ok meanwhile. Zincati is answered 200 at once:
   * its part is done, and a pre-reboot it sends meanwhile is refused.
   */
  async #awaitAfterRebootHooks(node: NodeState, clientId: string, hooks: readonly string[]): Promise<FleetLockAnswer> {
    const held = `its slot is held until after-reboot hooks ${hooks.join(', ')} are "true"`;
    const waiting = `node ${node.name} is back; ${held}`;
    if (protocolFacts(node).afterReboot) return { ok: true, message: waiting };
    const cordonedByUs = node.annotations[ANNOTATIONS.fleetLockMadeUnschedulable] === TRUE;
    try {
      await this.#options.controller.writer.write(
        node.name,
        {
          labels: { [LABELS.afterReboot]: TRUE },
          annotations: { [ANNOTATIONS.fleetLockMadeUnschedulable]: null },
          ...(cordonedByUs ? { unschedulable: false } : {}),
        },
        node.resourceVersion,
      );
    } catch (error) {
      return refuse(
        409,
        'failed_unlock',
        `marking node ${node.name} back from its reboot failed (${message(error)}); retry`,
      );
    }
    this.#options.controller.touch(node.name);
    void this.#options.events({
      regarding: nodeSubject(node.name),
      reason: EVENT_REASONS.afterRebootHooksPending,
      action: 'Unlock',
      note: `FleetLock client ${clientId} of node ${node.name} is back; ${held}`,
      warning: false,
    });
    return { ok: true, message: waiting };
  }

  #releasePatch(node: NodeState, drainFailedAt?: number): NodePatch {
    const cordonedByUs = node.annotations[ANNOTATIONS.fleetLockMadeUnschedulable] === TRUE;
    return {
      annotations: {
        [ANNOTATIONS.fleetLockHolder]: null,
        [ANNOTATIONS.rebootGrantedAt]: null,
        [ANNOTATIONS.policy]: null,
        [ANNOTATIONS.rebootFailed]: null,
        [ANNOTATIONS.fleetLockMadeUnschedulable]: null,
        ...(drainFailedAt === undefined ? {} : { [ANNOTATIONS.drainFailed]: rfc3339(drainFailedAt) }),
      },
      ...(cordonedByUs ? { unschedulable: false } : {}),
    };
  }

  /** Waits (a while) for the node's drain, starting it if no drain of this lock runs here yet. */
  async #drained(nodeName: string, clientId: string): Promise<FleetLockAnswer> {
    let task = this.#drains.get(nodeName);
    if (task === undefined || task.clientId !== clientId || task.status.state === 'failed') {
      task?.abort.abort(new Error('superseded'));
      task = this.#startDrain(nodeName, clientId);
      this.#drains.set(nodeName, task);
    }
    const waitMs = this.#options.drainWaitMs ?? 20_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([task.finished, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
    const status = task.status;
    switch (status.state) {
      case 'done':
        return { ok: true, message: `node ${nodeName} is drained; the lock is held by ${clientId}` };
      case 'failed':
        this.#drains.delete(nodeName);
        return refuse(409, 'failed_lock', status.reason);
      case 'running':
        return refuse(409, 'drain_in_progress', `node ${nodeName} holds a slot and is being drained; ask again`);
    }
  }

  #startDrain(nodeName: string, clientId: string): DrainTask {
    const abort = new AbortController();
    const onLeadershipLost = (): void => abort.abort(this.#options.signal.reason);
    this.#options.signal.addEventListener('abort', onLeadershipLost, { once: true });
    const task: DrainTask = {
      clientId,
      status: { state: 'running' },
      abort,
      finished: this.#drain(nodeName, clientId, abort.signal)
        .then((status) => {
          task.status = status;
        })
        .finally(() => this.#options.signal.removeEventListener('abort', onLeadershipLost)),
    };
    return task;
  }

  async #drain(nodeName: string, clientId: string, signal: AbortSignal): Promise<DrainState> {
    const { controller, metrics, logger } = this.#options;
    const started = this.#now();
    const node = controller.currentNode(nodeName);
    const policyName = node?.annotations[ANNOTATIONS.policy] ?? controller.policyOfNode(nodeName);
    const policy: UpdatePolicy | undefined = policyName === undefined ? undefined : controller.policy(policyName);
    if (node === undefined || policy === undefined)
      return { state: 'failed', reason: `node ${nodeName} or its UpdatePolicy is gone` };
    const event = (reason: string, note: string, warning: boolean): void =>
      void this.#options.events({ regarding: nodeSubject(nodeName), reason, action: 'Drain', note, warning });
    try {
      if (!node.unschedulable) {
        await controller.writer.write(
          nodeName,
          { unschedulable: true, annotations: { [ANNOTATIONS.fleetLockMadeUnschedulable]: TRUE } },
          node.resourceVersion,
        );
      }
      event(EVENT_REASONS.drainStarted, `draining node ${nodeName} for FleetLock client ${clientId}`, false);
      await drainNode({ kubeConfig: this.#options.kubeConfig, nodeName, settings: policy.spec.drain, signal });
      metrics.drainDuration.observe({ source: 'fleetlock', outcome: 'succeeded' }, (this.#now() - started) / 1000);
      event(
        EVENT_REASONS.drainSucceeded,
        `node ${nodeName} is drained; FleetLock client ${clientId} may reboot it`,
        false,
      );
      return { state: 'done' };
    } catch (error) {
      if (signal.aborted)
        return {
          state: 'failed',
          reason: `the drain of node ${nodeName} was stopped (${message(signal.reason)}); ask again`,
        };
      metrics.drainDuration.observe({ source: 'fleetlock', outcome: 'failed' }, (this.#now() - started) / 1000);
      const drainProblem = error instanceof DrainTimeoutError || error instanceof DrainRefusedError;
      if (error instanceof DrainTimeoutError && policy.spec.drain.onTimeout === 'Reboot') {
        event(EVENT_REASONS.drainFailed, `${error.message}; rebooting anyway (drain.onTimeout Reboot)`, true);
        return { state: 'done' };
      }
      logger.warn({ err: error, node: nodeName }, 'FleetLock drain failed; releasing the slot');
      event(
        EVENT_REASONS.drainFailed,
        `${message(error)}; the slot is released and the node retried after a back-off`,
        true,
      );
      if (drainProblem) await this.#giveBack(nodeName);
      return { state: 'failed', reason: `the drain of node ${nodeName} failed: ${message(error)}` };
    }
  }

  /** A drain given up for a FleetLock client: uncordon (if we cordoned), release the slot, and mark when, for the back-off. */
  async #giveBack(nodeName: string): Promise<void> {
    const node = this.#options.controller.currentNode(nodeName);
    if (node === undefined) return;
    try {
      await this.#options.controller.writer.write(
        nodeName,
        this.#releasePatch(node, this.#now()),
        node.resourceVersion,
      );
      this.#options.controller.touch(nodeName);
    } catch (error) {
      this.#options.logger.warn(
        { err: error, node: nodeName },
        'could not release the slot after a failed drain; the next request retries',
      );
    }
  }
}
