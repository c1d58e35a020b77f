// Typed builders of install events for the live view's tests: each event is
// parsed by the engine's own schema, so a fixture cannot drift from what the
// engine emits. Times come from a clock the test moves.
import {
  installEventSchema,
  type InstallEvent,
  type InstallEventInput,
  type MachineState,
  type Phase,
  type ResourceChange,
} from '../../install/events.ts';

export const T0 = Date.parse('2026-12-04T12:00:00.000Z');

export class EventScript {
  #now = T0;
  readonly events: InstallEvent[] = [];

  /** The script's clock, in milliseconds since the epoch. */
  get now(): number {
    return this.#now;
  }

  advance(ms: number): this {
    this.#now += ms;
    return this;
  }

  emit(input: InstallEventInput): this {
    this.events.push(installEventSchema.parse({ ...input, at: new Date(this.#now).toISOString() }));
    return this;
  }

  started(phase: Phase, timeoutMs = 600_000): this {
    return this.emit({ type: 'phase-started', phase, timeoutMs });
  }

  succeeded(phase: Phase, durationMs: number): this {
    return this.advance(durationMs).emit({ type: 'phase-succeeded', phase, durationMs });
  }

  /** A phase that starts and succeeds after `durationMs`. */
  ran(phase: Phase, durationMs: number): this {
    return this.started(phase).succeeded(phase, durationMs);
  }

  skipped(phase: Phase, reason: string): this {
    return this.emit({ type: 'phase-skipped', phase, reason });
  }

  /** A machine reported in `state` during the wait for the nodes. */
  machine(name: string, state: MachineState, role: 'controller' | 'worker' = 'worker'): this {
    return this.emit({
      type: 'machine-state',
      phase: 'wait-nodes',
      machine: name,
      role,
      state,
      source: state === 'ready' || state === 'registered' ? 'Node object' : 'boot server',
    });
  }

  resource(
    name: string,
    status: 'started' | 'done' | 'failed',
    counts: { done: number; total: number },
    extra: { elapsedMs?: number; message?: string } = {},
  ): this {
    return this.emit({
      type: 'resource-progress',
      phase: 'provision',
      urn: `urn:pulumi:stack::strata::local:Process::${name}`,
      resourceType: 'local:Process',
      name,
      op: 'create',
      status,
      elapsedMs: extra.elapsedMs ?? 0,
      ...(extra.message === undefined ? {} : { message: extra.message }),
      ...counts,
    });
  }

  failed(
    phase: Phase,
    durationMs: number,
    error: string,
    diagnosis?: { failing: string; logTail: readonly string[]; nextStep: string },
  ): this {
    return this.advance(durationMs).emit({
      type: 'phase-failed',
      phase,
      durationMs,
      error,
      timedOut: false,
      ...(diagnosis === undefined
        ? {}
        : {
            diagnosis: {
              checks: [
                { name: 'dns', status: 'ok', detail: 'resolves' },
                { name: 'tcp', status: 'failed', detail: diagnosis.failing },
                { name: 'readyz', status: 'skipped', detail: 'no connection' },
              ],
              logTail: diagnosis.logTail,
              nextStep: diagnosis.nextStep,
            },
          }),
    });
  }

  preview(changes: readonly ResourceChange[]): this {
    return this.emit({ type: 'preview', changes: [...changes] });
  }

  summary(cluster: string, durations: Partial<Record<Phase, number>>): this {
    return this.emit({
      type: 'summary',
      cluster,
      platform: 'local',
      kubeconfig: `/data/${cluster}/auth/kubeconfig`,
      apiServerUrl: 'https://127.0.0.2:6443',
      credentials: `/data/${cluster}/auth`,
      phaseDurationsMs: durations,
    });
  }
}

export function change(name: string, op: ResourceChange['op'], diffs: readonly string[] = []): ResourceChange {
  return {
    urn: `urn:pulumi:stack::strata::local:Process::${name}`,
    type: 'local:Process',
    name,
    op,
    diffs: [...diffs],
  };
}
