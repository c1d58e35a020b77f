// The events as lines for a person, on stderr: one line per phase start and
// end, progress as it comes, each resource as it starts and finishes, and a
// reminder of what is in flight when a step runs long.
import type { InstallEvent, InstallEvents, MachineState, ResourceChange } from '../events.ts';
import { formatMs } from '../format.ts';

const SLOW_MS = 10_000;

/** A machine's state as words, shared by the plain lines and the live view. */
export const MACHINE_STATE_WORDS: Readonly<Record<MachineState, string>> = {
  unseen: 'not seen yet',
  booting: 'booting',
  'ignition-fetched': 'Ignition fetched',
  registered: 'kubelet registered',
  ready: 'Ready',
};

export function describeChange(change: ResourceChange): string {
  const what = `${change.op.padEnd(7)} ${change.type} ${change.name}`;
  return change.diffs.length > 0 ? `${what} (changes: ${change.diffs.join(', ')})` : what;
}

/** One event as the lines a person reads; empty for events that say nothing new. */
export function plainLines(event: InstallEvent): string[] {
  switch (event.type) {
    case 'phase-started':
      return [`==> ${event.phase} (timeout ${formatMs(event.timeoutMs)})`];
    case 'phase-progress':
      return [`    ${event.total === undefined ? '' : `[${event.done ?? 0}/${event.total}] `}${event.message}`];
    case 'resource-progress': {
      const counts = `[${event.done}/${event.total}]`;
      if (event.status === 'started') return [`    ${counts} ${event.op} ${event.name} (${event.resourceType}) …`];
      if (event.status === 'done')
        return [`    ${counts} ${event.op} ${event.name}: done in ${formatMs(event.elapsedMs)}`];
      return [
        `    ${counts} ${event.op} ${event.name} FAILED after ${formatMs(event.elapsedMs)}: ${event.message ?? ''}`,
      ];
    }
    case 'phase-succeeded':
      return [`    ${event.phase} done in ${formatMs(event.durationMs)}`];
    case 'phase-skipped':
      return [`==> ${event.phase}: skipped, ${event.reason}`];
    case 'machine-state':
      return [
        `    machine ${event.machine} (${event.role}): ${MACHINE_STATE_WORDS[event.state]} (from ${event.source})`,
      ];
    case 'preview':
      return event.changes.length === 0
        ? ['    no change to the infrastructure']
        : [
            `    ${event.changes.length} change(s):`,
            ...event.changes.map((change) => `      ${describeChange(change)}`),
          ];
    case 'phase-failed': {
      const lines = [
        `==> ${event.phase} ${event.timedOut ? 'TIMED OUT' : 'FAILED'} after ${formatMs(event.durationMs)}:`,
        ...event.error.split('\n').map((line) => `    ${line}`),
      ];
      if (event.diagnosis !== undefined) {
        lines.push('    diagnosis:');
        for (const check of event.diagnosis.checks)
          lines.push(`      ${check.status.padEnd(7)} ${check.name}: ${check.detail}`);
        if (event.diagnosis.logTail.length > 0) {
          lines.push('    last log lines:');
          for (const line of event.diagnosis.logTail) lines.push(`      ${line}`);
        }
        lines.push(`    next step: ${event.diagnosis.nextStep}`);
      }
      return lines;
    }
    case 'summary':
      return [
        '',
        `Cluster "${event.cluster}" (${event.platform}) is installed.`,
        `  kubeconfig:   ${event.kubeconfig}`,
        `  try:          kubectl --kubeconfig ${event.kubeconfig} get nodes`,
        `  API server:   ${event.apiServerUrl}`,
        ...(event.consoleUrl === undefined
          ? []
          : [
              `  console:      ${event.consoleUrl}`,
              ...(event.consoleCa === undefined
                ? []
                : [`                (trust the cluster CA ${event.consoleCa} for it)`]),
              ...(event.consoleToken === undefined
                ? []
                : [`  sign in:      with the token in ${event.consoleToken} (it reads nodes and UpdatePolicies)`]),
            ]),
        `  credentials:  ${event.credentials}`,
        `  phases:       ${Object.entries(event.phaseDurationsMs)
          .map(([phase, ms]) => `${phase} ${formatMs(ms)}`)
          .join(', ')}`,
      ];
  }
}

/** Writes the events to `write` (stderr by default); returns the unsubscribe function. */
export function plainOutput(
  events: InstallEvents,
  write: (text: string) => void = (text) => process.stderr.write(text),
): () => void {
  const inFlight = new Map<string, { name: string; since: number }>();
  const timer = setInterval(() => {
    const now = performance.now();
    for (const { name, since } of inFlight.values()) {
      if (now - since > SLOW_MS) write(`    … ${name} still in progress (${formatMs(now - since)})\n`);
    }
  }, SLOW_MS);
  timer.unref();
  const unsubscribe = events.subscribe((event) => {
    if (event.type === 'resource-progress') {
      if (event.status === 'started') inFlight.set(event.urn, { name: event.name, since: performance.now() });
      else inFlight.delete(event.urn);
    }
    if (event.type === 'phase-started')
      inFlight.set(`phase:${event.phase}`, { name: `the ${event.phase} phase`, since: performance.now() });
    if (event.type === 'phase-succeeded' || event.type === 'phase-failed') inFlight.delete(`phase:${event.phase}`);
    for (const line of plainLines(event)) write(`${line}\n`);
  });
  return () => {
    clearInterval(timer);
    unsubscribe();
  };
}
