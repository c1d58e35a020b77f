import { CoreV1Api, CustomObjectsApi, KubeConfig, type V1Node } from '@kubernetes/client-node';
import { pino, type Logger } from 'pino';
import { z } from 'zod';
import type { NodeOperatingSystem, OsRelease, UpdateEngineStatus } from '@strata/api';
import { untilAborted } from '@strata/host';
import {
  describeApiError,
  EventRecorder,
  ExponentialBackoffRateLimiter,
  Informer,
  nodeEventObject,
  WorkQueue,
  runWorkers,
} from '@strata/kube';
import { cordonNode, drainNode, DrainRefusedError, DrainTimeoutError, type DrainEvent } from '../drain/index.ts';
import { mergePatch } from '../drain/kube-api.ts';
import { ANNOTATIONS, TRUE } from '@strata/api';
import { policyDrainSettings, type PolicyDrainSettings } from './drain-policy.ts';
import { AgentConfigError, NodeWriteError, UpdateEngineUnavailableError } from './errors.ts';
import { AGENT_COMPONENT, AGENT_EVENT_ACTIONS, AGENT_EVENT_REASONS, type AgentEventReason } from './events.ts';
import {
  abandonRebootPatch,
  agentNodeState,
  beginRebootPatch,
  completeRebootPatch,
  decideRebootStep,
  mergeStringPatches,
  rebootOutcome,
  reportPatch,
  withReport,
  type AgentNodeState,
  type ReportPatch,
  type StringPatch,
} from './node-state.ts';

export interface RunAgentOptions {
  readonly kubeConfig: KubeConfig;
  /** The Node this agent runs on (the DaemonSet passes spec.nodeName as NODE_NAME). */
  readonly nodeName: string;
  /** The machine: DbusOperatingSystem on a real host, SimulatedOperatingSystem on the local platform. */
  readonly os: NodeOperatingSystem;
  /** Default: silent. */
  readonly logger?: Logger;
  /** Aborting stops the agent wherever it is; everything it did is on the Node, so a new agent carries on from there. */
  readonly signal: AbortSignal;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const optionsSchema = z.object({
  kubeConfig: z.instanceof(KubeConfig, { message: 'must be a KubeConfig from @kubernetes/client-node' }),
  nodeName: z
    .string()
    .max(253)
    .regex(DNS_SUBDOMAIN, 'must be the name of a Node (a DNS subdomain); the DaemonSet sets it from spec.nodeName'),
  os: z.custom<NodeOperatingSystem>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      'updateEngine' in value &&
      typeof (value as { bootId?: unknown }).bootId === 'function',
    { message: 'must implement NodeOperatingSystem (SimulatedOperatingSystem or DbusOperatingSystem)' },
  ),
  signal: z.instanceof(AbortSignal, { message: 'must be an AbortSignal' }),
});

/** How often an agent whose machine is down (a simulated reboot) looks again. */
const MACHINE_DOWN_RECHECK_MS = 250;

/**
 * The update agent of one node: the node's side of the protocol in @strata/api's
 * node-protocol.ts. It reports what the OS says (labels and annotations); when
 * granted reboot-ok it cordons, drains and reboots; after the boot it clears its
 * marks and uncordons; and it gives up a drain that fails by setting drain-failed.
 * It reacts to its Node (an informer on that one object)
 * and to update_engine's StatusUpdate signals, and keeps all of its state on
 * the Node, so that an agent killed at any point and started again neither
 * reboots twice (the boot id recorded before the drain tells whether the
 * reboot happened) nor leaves the node cordoned (a finished reboot always
 * uncordons what the agent cordoned; an unfinished one is resumed). Resolves
 * once `signal` aborts and the agent has stopped.
 */
export async function runAgent(options: RunAgentOptions): Promise<void> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new AgentConfigError(`invalid agent options: ${issues.join('; ')}`, { issues });
  }
  if (options.signal.aborted) return;
  await new Agent(options).run();
}

class Agent {
  readonly #options: RunAgentOptions;
  readonly #os: NodeOperatingSystem;
  readonly #nodeName: string;
  readonly #signal: AbortSignal;
  readonly #log: Logger;
  readonly #core: CoreV1Api;
  readonly #custom: CustomObjectsApi;
  readonly #events: EventRecorder;
  readonly #queue = new WorkQueue({
    rateLimiter: new ExponentialBackoffRateLimiter({ baseDelayMs: 250, maxDelayMs: 30_000 }),
  });
  readonly #nodes: Informer<V1Node>;
  #status: UpdateEngineStatus | undefined;
  /** Bumped by every StatusUpdate, so that a slower GetStatus answer never overwrites a newer signal. */
  #statusSerial = 0;
  /** The boot in which this process asked for the reboot; it must not ask again before the machine goes down. */
  #rebootRequestedInBoot: string | undefined;

  constructor(options: RunAgentOptions) {
    this.#options = options;
    this.#os = options.os;
    this.#nodeName = options.nodeName;
    this.#signal = options.signal;
    this.#log = (options.logger ?? pino({ level: 'silent' })).child({ node: options.nodeName });
    this.#core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.#custom = options.kubeConfig.makeApiClient(CustomObjectsApi);
    this.#events = new EventRecorder(options.kubeConfig, {
      reportingController: AGENT_COMPONENT,
      reportingInstance: options.nodeName,
    });
    const fieldSelector = `metadata.name=${this.#nodeName}`;
    this.#nodes = new Informer<V1Node>({
      kubeConfig: options.kubeConfig,
      path: '/api/v1/nodes',
      list: (selectors) => this.#core.listNode(selectors),
      fieldSelector,
      onChange: () => this.#wake(),
      onError: (error, retryInMs) =>
        this.#log.warn(
          { err: describeApiError(error), retryInMs },
          'watching the node failed; watching again with back-off',
        ),
      backoff: { baseDelayMs: 500, maxDelayMs: 30_000 },
    });
  }

  async run(): Promise<void> {
    const stopStatus = this.#os.updateEngine.onStatusUpdate((status) => {
      this.#status = status;
      this.#statusSerial += 1;
      this.#wake();
    });
    const stopBoot = this.#os.onBoot(() => {
      // A fresh update_engine after boot: ask it again rather than trust what the last boot said.
      this.#status = undefined;
      this.#wake();
      return Promise.resolve();
    });
    const workers = runWorkers(this.#queue, 1, () => this.#reconcile(), {
      onError: (error) => {
        if (this.#signal.aborted) return;
        this.#log.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'reconcile failed; trying again with back-off',
        );
      },
    });
    const stopped = new Promise<void>((resolve) =>
      this.#signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    try {
      this.#log.info({ bootId: this.#os.bootId(), release: this.#os.release() }, 'update agent starting');
      await Promise.race([this.#nodes.start(), stopped]);
      this.#wake();
      await stopped;
    } finally {
      stopStatus();
      stopBoot();
      await this.#queue.shutDown();
      await this.#nodes.stop();
      await workers;
      this.#log.info('update agent stopped');
    }
  }

  #wake(): void {
    this.#queue.add(this.#nodeName);
  }

  async #reconcile(): Promise<void> {
    if (this.#signal.aborted) return;
    if (!this.#os.isUp()) {
      // A real agent does not run while its machine is down; an in-process one waits for the boot.
      this.#queue.addAfter(this.#nodeName, MACHINE_DOWN_RECHECK_MS);
      return;
    }
    const node = this.#nodes.get(this.#nodeName);
    if (node === undefined) {
      this.#log.debug('the node is not registered yet');
      return;
    }
    const release = this.#os.release();
    const bootId = this.#os.bootId();
    const status = await this.#currentStatus();
    // The report goes out in the same write as the step it comes with (the boot's first write completes the reboot,
    // a grant's first write begins it), so each step costs one round trip: the step is decided on the node as the
    // report leaves it.
    const report = reportPatch(node, release, status);
    const state = agentNodeState(withReport(node, report));
    const step = decideRebootStep(state, release, bootId, this.#rebootRequestedInBoot);
    switch (step.kind) {
      case 'complete':
        await this.#completeReboot(step.uncordon, release, bootId, state, report);
        break;
      case 'begin': {
        this.#log.info({ bootId, policy: state.policy }, 'reboot granted: draining and rebooting');
        const begin = beginRebootPatch(state, bootId, status?.newVersion);
        // The policy's drain settings are read while the reboot is recorded: both before the drain, neither waits.
        const [begun, drainSettings] = await Promise.all([
          this.#patchNode(
            {
              annotations: mergeStringPatches(report?.annotations, begin.annotations),
              ...(report === undefined ? {} : { labels: report.labels }),
              ...(begin.unschedulable === undefined ? {} : { unschedulable: true }),
              resourceVersion: state.resourceVersion,
            },
            'record the reboot in progress and cordon',
          ),
          policyDrainSettings(this.#custom, state.policy),
        ]);
        if (begin.unschedulable === true) this.#log.info('cordoned the node');
        await this.#drainAndReboot(begun, bootId, status, drainSettings);
        break;
      }
      case 'resume': {
        const current =
          report === undefined ? node : await this.#patchNode({ ...report }, 'report the OS and update status');
        this.#log.info({ bootId }, 'a reboot was in progress in this boot: resuming the drain and the reboot');
        await this.#drainAndReboot(current, bootId, status);
        break;
      }
      case 'await-reboot':
      case 'none':
        if (report !== undefined) await this.#patchNode({ ...report }, 'report the OS and update status');
        break;
    }
    // Fedora CoreOS has no update_engine on a real host (Zincati updates it): nothing to wait for there.
    if (status === undefined && release.id !== 'fedora-coreos') {
      // Reported once update_engine answers; the queue's back-off paces the retries.
      throw new UpdateEngineUnavailableError('update_engine has not answered yet; its status is not reported', {
        node: this.#nodeName,
      });
    }
  }

  async #currentStatus(): Promise<UpdateEngineStatus | undefined> {
    if (this.#status !== undefined) return this.#status;
    const serial = this.#statusSerial;
    try {
      const status = await this.#os.updateEngine.getStatus();
      if (this.#statusSerial === serial) this.#status = status;
      return this.#status;
    } catch (error) {
      this.#log.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'update_engine status unavailable',
      );
      return undefined;
    }
  }

  async #drainAndReboot(
    current: V1Node,
    bootId: string,
    status: UpdateEngineStatus | undefined,
    known?: PolicyDrainSettings,
  ): Promise<void> {
    let node = current;
    let state = agentNodeState(node);
    if (!state.unschedulable) {
      // One patch, conditional on the node as read: the annotation exists exactly when the agent's cordon does.
      node = await cordonNode(this.#core, this.#nodeName, {
        annotations: { [ANNOTATIONS.agentMadeUnschedulable]: TRUE },
        resourceVersion: state.resourceVersion,
      });
      state = agentNodeState(node);
      this.#log.info('cordoned the node');
    } else if (!state.agentMadeUnschedulable) {
      this.#log.info('the node was cordoned by someone else; it stays cordoned after the reboot');
    }

    const { drain, settings, fallback } = known ?? (await policyDrainSettings(this.#custom, state.policy));
    if (fallback !== undefined) this.#log.warn(`${fallback}: draining with the default settings`);
    // Events are for people: each is written beside the step it announces rather than before it, so that its round
    // trip is not part of every node's reboot (#event logs a failure and never rejects).
    const drainStarted = this.#event(
      'Normal',
      AGENT_EVENT_REASONS.drainStarted,
      `Draining the node before rebooting into ${status?.newVersion || 'the new version'}`,
    );
    try {
      const result = await drainNode({
        kubeConfig: this.#options.kubeConfig,
        nodeName: this.#nodeName,
        settings: drain,
        signal: this.#signal,
        onEvent: (event) => this.#logDrainEvent(event),
      });
      this.#log.info({ removed: result.removed.length, durationMs: result.durationMs }, 'drained the node');
    } catch (error) {
      if (this.#signal.aborted) throw error;
      const timedOut = error instanceof DrainTimeoutError;
      if (timedOut && settings.onTimeout === 'Reboot') {
        await this.#event(
          'Warning',
          AGENT_EVENT_REASONS.drainFailed,
          `${error.message}; rebooting anyway (drain.onTimeout is Reboot)`,
        );
      } else if (timedOut || error instanceof DrainRefusedError) {
        // The slot goes back to the operator, which revokes reboot-ok and retries later.
        const abandon = abandonRebootPatch(state.agentMadeUnschedulable, new Date());
        await this.#patchNode(
          {
            annotations: abandon.annotations,
            ...(abandon.unschedulable === undefined ? {} : { unschedulable: false }),
          },
          'give up the reboot',
        );
        this.#log.warn({ err: error.message }, 'the drain failed; gave the reboot up');
        await this.#event(
          'Warning',
          AGENT_EVENT_REASONS.drainFailed,
          `${error.message}; the node ${state.agentMadeUnschedulable ? 'was uncordoned and ' : ''}will be retried later`,
        );
        return;
      } else {
        throw error;
      }
    } finally {
      await drainStarted;
    }

    const rebootStarted = this.#event(
      'Normal',
      AGENT_EVENT_REASONS.rebootStarted,
      `Rebooting into ${status?.newVersion || 'the new version'} (boot ${bootId})`,
    );
    this.#log.info({ bootId }, 'rebooting');
    this.#rebootRequestedInBoot = bootId;
    try {
      await untilAborted(this.#os.reboot(), this.#signal);
    } catch (error) {
      if (!this.#signal.aborted) this.#rebootRequestedInBoot = undefined;
      throw error;
    } finally {
      await rebootStarted;
    }
    // A machine that came back while this process lived (a simulated one does) is looked at again.
    this.#wake();
  }

  async #completeReboot(
    uncordon: boolean,
    release: OsRelease,
    bootId: string,
    state: AgentNodeState,
    report: ReportPatch | undefined,
  ): Promise<void> {
    const outcome = rebootOutcome(state, release);
    const patch = completeRebootPatch(uncordon, outcome);
    await this.#patchNode(
      {
        annotations: mergeStringPatches(report?.annotations, patch.annotations),
        labels: mergeStringPatches(report?.labels, patch.labels),
        ...(patch.unschedulable === undefined ? {} : { unschedulable: false }),
      },
      'complete the reboot',
    );
    this.#rebootRequestedInBoot = undefined;
    this.#log.info(
      { bootId, previousBootId: state.rebootBootId, version: release.version, uncordoned: uncordon },
      'the reboot is complete',
    );
    if (outcome.kind === 'rolled-back') {
      this.#log.warn(outcome, 'the new version failed to boot; the machine fell back to its previous one');
      await this.#event(
        'Warning',
        AGENT_EVENT_REASONS.updateRolledBack,
        `${outcome.targetVersion} failed to boot and the machine fell back to ${outcome.runningVersion} (boot ${bootId})` +
          `${uncordon ? '; uncordoned' : ''}. update_engine reports the rollback to its update server, which does not offer ${outcome.targetVersion} to this node again`,
      );
      return;
    }
    await this.#event(
      'Normal',
      AGENT_EVENT_REASONS.rebootCompleted,
      `Rebooted into ${release.version} (boot ${bootId})${uncordon ? '; uncordoned' : ''}`,
    );
  }

  async #patchNode(
    patch: { annotations?: StringPatch; labels?: StringPatch; unschedulable?: boolean; resourceVersion?: string },
    purpose: string,
  ): Promise<V1Node> {
    const metadata = {
      ...(patch.annotations === undefined ? {} : { annotations: patch.annotations }),
      ...(patch.labels === undefined ? {} : { labels: patch.labels }),
      ...(patch.resourceVersion === undefined ? {} : { resourceVersion: patch.resourceVersion }),
    };
    const body = {
      metadata,
      ...(patch.unschedulable === undefined ? {} : { spec: { unschedulable: patch.unschedulable } }),
    };
    try {
      return await this.#core.patchNode({ name: this.#nodeName, body }, mergePatch());
    } catch (error) {
      throw new NodeWriteError(
        `could not ${purpose} on node ${this.#nodeName}: ${describeApiError(error)}`,
        { node: this.#nodeName, purpose },
        { cause: error },
      );
    }
  }

  /** Events are for people; a failure to write one is logged and the work goes on. */
  async #event(type: 'Normal' | 'Warning', reason: AgentEventReason, message: string): Promise<void> {
    try {
      await this.#events.record({
        regarding: nodeEventObject(this.#nodeName),
        type,
        reason,
        action: AGENT_EVENT_ACTIONS[reason],
        note: message,
      });
    } catch (error) {
      this.#log.warn({ err: describeApiError(error), reason }, 'could not record an Event');
    }
  }

  #logDrainEvent(event: DrainEvent): void {
    switch (event.type) {
      case 'started':
        this.#log.info(
          { evicting: event.evicting.length, awaiting: event.awaiting.length, skipped: event.skipped.length },
          'drain started',
        );
        break;
      case 'evicted':
      case 'deleted':
        this.#log.debug({ pod: `${event.pod.namespace}/${event.pod.name}` }, `pod ${event.type}`);
        break;
      case 'forced':
        this.#log.warn(
          { pod: `${event.pod.namespace}/${event.pod.name}`, budget: event.budget },
          'drain timeout reached: force deletes the pod despite its PodDisruptionBudget',
        );
        break;
      case 'blocked':
        this.#log.info(
          { pod: `${event.pod.namespace}/${event.pod.name}`, budget: event.budget, retryInMs: event.retryInMs },
          event.message,
        );
        break;
      case 'watch-error':
        this.#log.warn({ err: describeApiError(event.error) }, 'watching the pods failed; watching again');
        break;
    }
  }
}
