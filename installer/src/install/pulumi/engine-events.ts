// The Pulumi engine's events, turned into the install's resource-progress
// events: what is in flight and for how long, what is done out of how many,
// and each failure with the provider's message.
import type { EngineEvent, OpType, StepEventMetadata } from '@pulumi/pulumi/automation/index.js';
import type { InstallEvents, Phase, ResourceChange } from '../events.ts';

type Op = ResourceChange['op'];

export function opOf(op: OpType): Op {
  switch (op) {
    case 'create':
    case 'update':
    case 'delete':
    case 'same':
    case 'read':
    case 'refresh':
      return op;
    case 'replace':
    case 'create-replacement':
    case 'delete-replaced':
      return 'replace';
    default:
      return 'other';
  }
}

/** The last segment of a URN: the resource's name in the program. */
export function nameOfUrn(urn: string): string {
  return urn.slice(urn.lastIndexOf('::') + 2);
}

/** Keys Pulumi adds to a dynamic resource's inputs (its serialized provider), not the program's. */
const ENGINE_KEYS = new Set(['__provider']);

/**
 * The input keys that differ between the old and new state: what the engine
 * reports, or, for providers that report no keys (dynamic providers), the
 * comparison of the step's old and new inputs.
 */
function changedKeys(metadata: StepEventMetadata): string[] {
  const reported = metadata.diffs ?? metadata.keys ?? [];
  if (reported.length > 0) return [...reported];
  const olds = metadata.old?.inputs;
  const news = metadata.new?.inputs;
  if (olds === undefined || news === undefined) return [];
  return [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter(
    (key) => !ENGINE_KEYS.has(key) && JSON.stringify(olds[key]) !== JSON.stringify(news[key]),
  );
}

export function changeOf(metadata: StepEventMetadata): ResourceChange {
  return {
    urn: metadata.urn,
    type: metadata.type,
    name: nameOfUrn(metadata.urn),
    op: opOf(metadata.op),
    diffs: changedKeys(metadata).sort(),
  };
}

/** Changes worth showing: the stack itself and unchanged resources are not. */
export function isChange(change: ResourceChange): boolean {
  return (
    change.op !== 'same' &&
    change.op !== 'read' &&
    change.op !== 'refresh' &&
    change.type !== 'pulumi:pulumi:Stack' &&
    !change.type.startsWith('pulumi:providers:')
  );
}

/**
 * An onEvent handler for stack.up/destroy that emits resource-progress
 * events. `total` is the number of changes the preview announced.
 */
export function resourceProgress(
  events: InstallEvents,
  phase: Phase,
  total: number,
): { onEvent: (event: EngineEvent) => void; failures: () => string[] } {
  const started = new Map<string, number>();
  const failures: string[] = [];
  let done = 0;
  const diagnostics = new Map<string, string[]>();
  const onEvent = (event: EngineEvent) => {
    const diagnostic = event.diagnosticEvent;
    if (diagnostic?.urn !== undefined && diagnostic.severity === 'error') {
      diagnostics.set(diagnostic.urn, [...(diagnostics.get(diagnostic.urn) ?? []), diagnostic.message.trim()]);
    }
    const pre = event.resourcePreEvent?.metadata;
    if (pre !== undefined) {
      const change = changeOf(pre);
      if (!isChange(change)) return;
      started.set(change.urn, performance.now());
      events.emit({
        type: 'resource-progress',
        phase,
        urn: change.urn,
        resourceType: change.type,
        name: change.name,
        op: change.op,
        status: 'started',
        elapsedMs: 0,
        done,
        total: Math.max(total, done + 1),
      });
      return;
    }
    const finished = event.resOutputsEvent?.metadata ?? event.resOpFailedEvent?.metadata;
    if (finished === undefined) return;
    const change = changeOf(finished);
    if (!isChange(change)) return;
    const failed = event.resOpFailedEvent !== undefined;
    done += 1;
    const message = failed
      ? (diagnostics.get(change.urn) ?? []).join('\n') || 'the provider reported a failure'
      : undefined;
    if (message !== undefined) failures.push(`${change.name} (${change.type}): ${message}`);
    events.emit({
      type: 'resource-progress',
      phase,
      urn: change.urn,
      resourceType: change.type,
      name: change.name,
      op: change.op,
      status: failed ? 'failed' : 'done',
      elapsedMs: performance.now() - (started.get(change.urn) ?? performance.now()),
      ...(message === undefined ? {} : { message }),
      done,
      total: Math.max(total, done),
    });
  };
  return { onEvent, failures: () => [...failures] };
}
