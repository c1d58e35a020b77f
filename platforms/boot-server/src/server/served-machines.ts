// The read side's memory of what it served to which machine: per MAC, when it
// last answered a boot script (/ipxe, /grub) and an Ignition config
// (/ignition) with a 200. Kept in this process only (a restart forgets it, and
// each replica of a Kubernetes-backed deployment knows its own answers), and
// bounded, the oldest MAC forgotten first, since anyone on the provisioning
// network can send MACs.
import type { ServedMachine } from '@strata/api';
import { labelsFromQuery } from '../labels/labels.ts';

export type ServedKind = 'boot-script' | 'ignition';

/** The paths whose 200 answers are recorded, and as what. */
const RECORDED: Readonly<Record<string, ServedKind>> = {
  '/ipxe': 'boot-script',
  '/grub': 'boot-script',
  '/ignition': 'ignition',
};

export const DEFAULT_MAX_SERVED_MACHINES = 10_000;

export class ServedMachines {
  readonly #max: number;
  /** By MAC; a Map keeps insertion order, and a record is re-inserted when it changes, so the first is the oldest. */
  readonly #byMac = new Map<string, ServedMachine>();

  constructor(options: { max?: number } = {}) {
    this.#max = options.max ?? DEFAULT_MAX_SERVED_MACHINES;
  }

  /** Records a 200 answer to `path` for the request's mac label, if the path is one that is recorded and a MAC was sent. */
  answered(path: string, rawQuery: string, at: Date = new Date()): void {
    const kind = RECORDED[path];
    if (kind === undefined) return;
    const { labels } = labelsFromQuery(rawQuery);
    const mac = [...labels.entries()].find(([key]) => key.toLowerCase() === 'mac')?.[1];
    if (mac === undefined) return;
    const previous = this.#byMac.get(mac) ?? { mac };
    this.#byMac.delete(mac);
    this.#byMac.set(mac, {
      ...previous,
      ...(kind === 'boot-script' ? { bootScriptAt: at.toISOString() } : { ignitionAt: at.toISOString() }),
    });
    for (const oldest of this.#byMac.keys()) {
      if (this.#byMac.size <= this.#max) break;
      this.#byMac.delete(oldest);
    }
  }

  /** Every machine served, sorted by MAC. */
  list(): ServedMachine[] {
    return [...this.#byMac.values()].sort((a, b) => (a.mac < b.mac ? -1 : a.mac > b.mac ? 1 : 0));
  }
}
