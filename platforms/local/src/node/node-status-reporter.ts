import {
  PatchStrategy,
  setHeaderOptions,
  type CoreV1Api,
  type V1Node,
  type V1NodeStatus,
} from '@kubernetes/client-node';
import { nodeStatusPatch, statusFingerprint } from './node-object.ts';

export interface NodeStatusReporterOptions {
  readonly client: Pick<CoreV1Api, 'patchNodeStatus'>;
  readonly nodeName: string;
  /** The status the node would report now, given the conditions it last reported. */
  readonly compute: (previous: V1NodeStatus | undefined) => V1NodeStatus;
  /** nodeStatusReportFrequency: how long an unchanged status may go unreported. */
  readonly reportIntervalMs: number;
  /** Sees the Node each write returns (the node learns spec.podCIDR from it). */
  readonly onNode: (node: V1Node) => void;
  readonly onError: (error: unknown) => void;
}

const RETRY_MS = 1_000;

/**
 * Writes Node status the way a kubelet does since leases took over the
 * heartbeat: at once when something changed, otherwise only every report
 * interval, so that a healthy idle node leaves its Node object alone.
 */
export class NodeStatusReporter {
  readonly #options: NodeStatusReporterOptions;
  #reported: V1NodeStatus | undefined;
  #reportedAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #chain: Promise<void> = Promise.resolve();
  #writes = 0;

  constructor(options: NodeStatusReporterOptions) {
    this.#options = options;
  }

  get writes(): number {
    return this.#writes;
  }

  /** The status the Node was registered with counts as reported. */
  registered(node: V1Node, status: V1NodeStatus): void {
    this.#reported = status;
    this.#reportedAt = performance.now();
    this.#options.onNode(node);
  }

  /** Periodic reports; `firstDelayMs` spreads a fleet's reports over the interval. */
  start(firstDelayMs = this.#options.reportIntervalMs): void {
    this.#running = true;
    this.#schedule(firstDelayMs);
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#chain;
  }

  /** Something the status shows may have changed (readiness, boot ID, OS version): report it now if so. */
  changed(): Promise<void> {
    const run = this.#chain.then(() => this.#report());
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #report(): Promise<void> {
    const status = this.#options.compute(this.#reported);
    // Timers may fire a hair early; a report a moment before its time is still the periodic one.
    const due = this.#sinceReportMs() >= this.#options.reportIntervalMs * 0.99;
    const unchanged = this.#reported !== undefined && statusFingerprint(status) === statusFingerprint(this.#reported);
    if (unchanged && !due) return;
    const node = await this.#options.client.patchNodeStatus(
      { name: this.#options.nodeName, body: nodeStatusPatch(status) },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    this.#writes += 1;
    this.#reported = status;
    this.#reportedAt = performance.now();
    this.#options.onNode(node);
  }

  #sinceReportMs(): number {
    return performance.now() - this.#reportedAt;
  }

  #schedule(delayMs: number): void {
    if (!this.#running) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.changed().then(
        // A write in between (a reboot) restarts the interval.
        () =>
          this.#schedule(
            Math.max(this.#options.reportIntervalMs / 100, this.#options.reportIntervalMs - this.#sinceReportMs()),
          ),
        (error: unknown) => {
          this.#options.onError(error);
          this.#schedule(RETRY_MS);
        },
      );
    }, delayMs);
  }
}
