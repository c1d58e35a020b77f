// --json: every event as one JSON object on its own line, on stdout.
import type { InstallEvents } from '../events.ts';

export function jsonOutput(
  events: InstallEvents,
  write: (text: string) => void = (text) => process.stdout.write(text),
): () => void {
  return events.subscribe((event) => write(`${JSON.stringify(event)}\n`));
}
