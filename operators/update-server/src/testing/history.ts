import type { HistoryEntry } from '../store/store.ts';

/** A machine's history as `<state> <version>[ <detail>]` lines, for one assertion over a whole update. */
export function historySteps(history: readonly HistoryEntry[]): string[] {
  return history.map((entry) => `${entry.state} ${entry.version}${entry.detail === '' ? '' : ` ${entry.detail}`}`);
}
