// The install engine's one event stream. Every consumer (the plain-text
// output, --json, the interactive UI) sees the same typed events, so what one
// shows the others can show too.
import { z } from 'zod';

/** The install's phases, in the order they run. */
export const INSTALL_PHASES = [
  'preflight',
  'render',
  'provision',
  'wait-api',
  'bootstrap',
  'wait-nodes',
  'summary',
] as const;
/** Every phase the journal and the events name: the install's, and destroy. */
export const PHASES = [...INSTALL_PHASES, 'destroy'] as const;
export const phaseSchema = z.enum(PHASES);
export type Phase = z.infer<typeof phaseSchema>;

const at = z.iso.datetime();

const diagnosisSchema = z.strictObject({
  checks: z
    .array(
      z.strictObject({
        name: z.enum(['dns', 'tcp', 'tls', 'readyz', 'etcd', 'nodes']),
        status: z.enum(['ok', 'failed', 'skipped']),
        detail: z.string(),
      }),
    )
    .readonly(),
  logTail: z.array(z.string()).readonly(),
  nextStep: z.string(),
});

/** One resource step as the Pulumi engine reports it. */
export const resourceOpSchema = z.enum(['create', 'update', 'replace', 'delete', 'same', 'read', 'refresh', 'other']);

export const resourceChangeSchema = z.strictObject({
  urn: z.string(),
  type: z.string(),
  name: z.string(),
  op: resourceOpSchema,
  /** The input properties that differ, for update and replace. */
  diffs: z.array(z.string()),
});
export type ResourceChange = z.infer<typeof resourceChangeSchema>;

/**
 * What the engine has seen of a machine while it waits for the nodes, in the order a machine goes through them.
 * `unseen`: nothing observed yet; `booting`: the boot server answered its network boot (bare metal);
 * `ignition-fetched`: the boot server served its Ignition config (bare metal); `registered`: its Node object
 * exists; `ready`: its Node is Ready. A platform reports only the states it can observe.
 */
export const MACHINE_STATES = ['unseen', 'booting', 'ignition-fetched', 'registered', 'ready'] as const;
export const machineStateSchema = z.enum(MACHINE_STATES);
export type MachineState = z.infer<typeof machineStateSchema>;

export const installEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('phase-started'), at, phase: phaseSchema, timeoutMs: z.int().positive() }),
  z.strictObject({
    type: z.literal('phase-progress'),
    at,
    phase: phaseSchema,
    message: z.string(),
    done: z.int().nonnegative().optional(),
    total: z.int().nonnegative().optional(),
  }),
  z.strictObject({
    type: z.literal('resource-progress'),
    at,
    phase: phaseSchema,
    urn: z.string(),
    resourceType: z.string(),
    name: z.string(),
    op: resourceOpSchema,
    status: z.enum(['started', 'done', 'failed']),
    elapsedMs: z.number().nonnegative(),
    /** The provider's message, on failure. */
    message: z.string().optional(),
    done: z.int().nonnegative(),
    total: z.int().nonnegative(),
  }),
  z.strictObject({ type: z.literal('phase-succeeded'), at, phase: phaseSchema, durationMs: z.number().nonnegative() }),
  z.strictObject({
    type: z.literal('phase-failed'),
    at,
    phase: phaseSchema,
    durationMs: z.number().nonnegative(),
    error: z.string(),
    timedOut: z.boolean(),
    diagnosis: diagnosisSchema.optional(),
  }),
  z.strictObject({ type: z.literal('phase-skipped'), at, phase: phaseSchema, reason: z.string() }),
  z.strictObject({
    type: z.literal('machine-state'),
    at,
    phase: phaseSchema,
    /** The machine's name in the topology, which is its Node's name. */
    machine: z.string(),
    role: z.enum(['controller', 'worker']),
    state: machineStateSchema,
    /** What the state was read from (the Node object, the boot server's record), for a person. */
    source: z.string(),
  }),
  z.strictObject({ type: z.literal('preview'), at, changes: z.array(resourceChangeSchema) }),
  z.strictObject({
    type: z.literal('summary'),
    at,
    cluster: z.string(),
    platform: z.string(),
    kubeconfig: z.string(),
    apiServerUrl: z.string(),
    /** The web console (console.enabled), its certificate's CA to trust, and the file with a sign-in token (0600). */
    consoleUrl: z.string().optional(),
    consoleCa: z.string().optional(),
    consoleToken: z.string().optional(),
    /** Where the credentials are: the directory of keys and kubeconfigs, never their content. */
    credentials: z.string(),
    phaseDurationsMs: z.record(z.string(), z.number().nonnegative()),
  }),
]);

export type InstallEvent = z.infer<typeof installEventSchema>;
/** An event as a producer gives it; the emitter stamps the time. */
export type InstallEventInput = InstallEvent extends infer E
  ? E extends { at: string }
    ? Omit<E, 'at'>
    : never
  : never;

export type InstallEventListener = (event: InstallEvent) => void;

/**
 * The engine's events: subscribe with a listener, or iterate with `for await`
 * until the engine calls `end()`. Every event is validated against the schema
 * as it is emitted, so a consumer can trust the shape.
 */
export class InstallEvents {
  readonly #listeners = new Set<InstallEventListener>();
  readonly #enders = new Set<() => void>();
  #ended = false;

  emit(input: InstallEventInput): InstallEvent {
    const event = installEventSchema.parse({ ...input, at: new Date().toISOString() });
    for (const listener of this.#listeners) listener(event);
    return event;
  }

  /** Calls `listener` for every later event; returns the unsubscribe function. */
  subscribe(listener: InstallEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** No more events: every iterator finishes. */
  end(): void {
    this.#ended = true;
    for (const wake of this.#enders) wake();
  }

  /** The later events, until `end()`. */
  async *[Symbol.asyncIterator](): AsyncGenerator<InstallEvent> {
    const queue: InstallEvent[] = [];
    let wake: (() => void) | undefined;
    let done = this.#ended;
    const unsubscribe = this.subscribe((event) => {
      queue.push(event);
      wake?.();
    });
    const ended = () => {
      done = true;
      wake?.();
    };
    this.#enders.add(ended);
    try {
      for (;;) {
        const next = queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (done) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      unsubscribe();
      this.#enders.delete(ended);
    }
  }
}
