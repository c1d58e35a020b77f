// The machines' lines under the wait for the nodes: one per machine when they
// fit the rows left, otherwise a count per state and the laggards (the least
// advanced machines, longest in their state first).
import { MACHINE_STATES, type MachineState } from '../../install/events.ts';
import { formatMs } from '../../install/format.ts';
import { MACHINE_STATE_WORDS } from '../../install/output/plain.ts';
import type { MachineView } from './install-state.ts';

export type MachineTone = 'green' | 'cyan' | 'yellow' | 'gray';

export type MachineLine =
  | { readonly kind: 'machine'; readonly name: string; readonly machine: MachineView; readonly elapsed: string }
  | { readonly kind: 'counts'; readonly text: string }
  | { readonly kind: 'more'; readonly text: string };

export const MACHINE_SYMBOLS: Readonly<Record<MachineState, { symbol: string; tone: MachineTone }>> = {
  unseen: { symbol: '○', tone: 'gray' },
  booting: { symbol: '◔', tone: 'yellow' },
  'ignition-fetched': { symbol: '◑', tone: 'yellow' },
  registered: { symbol: '◕', tone: 'cyan' },
  ready: { symbol: '✔', tone: 'green' },
};

const rank = (state: MachineState): number => MACHINE_STATES.indexOf(state);

/** At most `rows` lines for the machines (none when rows < 1). */
export function machineLines(machines: ReadonlyMap<string, MachineView>, rows: number, now: number): MachineLine[] {
  if (rows < 1 || machines.size === 0) return [];
  const entries = [...machines.entries()];
  const line = ([name, machine]: [string, MachineView]): MachineLine => ({
    kind: 'machine',
    name,
    machine,
    elapsed: formatMs(Math.max(0, now - machine.since)),
  });
  if (entries.length <= rows) return entries.map(line);
  const counts = [...MACHINE_STATES]
    .reverse()
    .map((state) => ({ state, count: entries.filter(([, machine]) => machine.state === state).length }))
    .filter(({ count }) => count > 0)
    .map(({ state, count }) => `${count} ${MACHINE_STATE_WORDS[state]}`);
  const summary: MachineLine = { kind: 'counts', text: `${entries.length} machines: ${counts.join(', ')}` };
  const laggards = entries
    .filter(([, machine]) => machine.state !== 'ready')
    .sort(([, a], [, b]) => rank(a.state) - rank(b.state) || a.since - b.since);
  const room = rows - 1;
  if (laggards.length <= room) return [summary, ...laggards.map(line)];
  if (room < 1) return [summary];
  return [
    summary,
    ...laggards.slice(0, room - 1).map(line),
    { kind: 'more', text: `… and ${laggards.length - (room - 1)} more not Ready` },
  ];
}
