// The read side's memory of what it served to which machine: per MAC, when it
// last answered a boot script (/ipxe, /grub) and an Ignition config
// (/ignition) with a 200. Kept in this process only (a restart forgets it, and
// each replica of a Kubernetes-backed deployment knows its own answers), and
// bounded, the least recently served MAC forgotten first, since anyone on the
// provisioning network can send MACs.
//
// Recording is on the hot path of every answer (ADR 0057). The answer cache
// keeps each answer's record (recordFor), so that a repeated answer updates it
// in place: no query parsed, no MAC looked up, no map re-ordered per request.
// Recency is a counter in the record; the bound is kept by forgetting the
// least recently served records in one pass when it is exceeded.
import type { ServedMachine } from '@strata/api';
import { labelsFromQuery } from '../labels/labels.ts';

export type ServedKind = 'boot-script' | 'ignition';

/** The paths whose 200 answers are recorded, and as what. */
const RECORDED: ReadonlyMap<string, ServedKind> = new Map([
  ['/ipxe', 'boot-script'],
  ['/grub', 'boot-script'],
  ['/ignition', 'ignition'],
]);

export const DEFAULT_MAX_SERVED_MACHINES = 10_000;

/** What is recorded of one MAC; the answer cache holds it to record a repeated answer in place. */
export interface ServedRecord {
  readonly mac: string;
  /**
   * Milliseconds since the epoch, 0 for never; made ISO strings only when listed. Every record has both fields from
   * the start, so that all records share one shape and the hot path's property accesses stay monomorphic.
   */
  bootScriptAt: number;
  ignitionAt: number;
  /** When it was last served, as a count of answers recorded: the order in which records are forgotten. */
  recency: number;
  /** Set when the bound forgot it: a holder records again through `answered`, which makes a new one. */
  forgotten: boolean;
}

function newRecord(mac: string): ServedRecord {
  return { mac, bootScriptAt: 0, ignitionAt: 0, recency: 0, forgotten: false };
}

export class ServedMachines {
  readonly #max: number;
  /** How many more than the bound are held before the least recent are forgotten together. */
  readonly #slack: number;
  readonly #byMac = new Map<string, ServedRecord>();
  #recency = 0;

  constructor(options: { max?: number } = {}) {
    this.#max = options.max ?? DEFAULT_MAX_SERVED_MACHINES;
    // A sort of every record per new MAC once full would cost milliseconds each; a sixteenth more amortizes it.
    this.#slack = Math.floor(this.#max / 16);
  }

  /** Records a 200 answer to `path` for the request's mac label, if the path is one that is recorded and a MAC was sent. */
  answered(path: string, rawQuery: string, at: Date = new Date()): ServedRecord | undefined {
    const record = this.recordFor(path, rawQuery);
    if (record !== undefined) this.answeredTo(path, record, at.getTime());
    return record;
  }

  /**
   * The record a 200 answer to `path` with this query is kept in (made when the MAC is new): undefined for a path
   * that is not recorded or a request without a MAC.
   */
  recordFor(path: string, rawQuery: string): ServedRecord | undefined {
    if (!RECORDED.has(path)) return undefined;
    const { labels } = labelsFromQuery(rawQuery);
    const mac = [...labels.entries()].find(([key]) => key.toLowerCase() === 'mac')?.[1];
    if (mac === undefined) return undefined;
    const known = this.#byMac.get(mac);
    if (known !== undefined) return known;
    const record = newRecord(mac);
    this.#byMac.set(mac, record);
    this.#keepBound(record);
    return record;
  }

  /** Records a 200 answer to `path` in `record` (from recordFor); a forgotten record is made again. */
  answeredTo(path: string, record: ServedRecord, atMs: number = Date.now()): void {
    const kind = RECORDED.get(path);
    if (kind === undefined) return;
    let held = record;
    if (held.forgotten) {
      const again = this.#byMac.get(held.mac);
      if (again === undefined) {
        held = newRecord(held.mac);
        this.#byMac.set(held.mac, held);
        this.#keepBound(held);
      } else held = again;
    }
    this.#recency += 1;
    held.recency = this.#recency;
    if (kind === 'boot-script') held.bootScriptAt = atMs;
    else held.ignitionAt = atMs;
  }

  /** Every machine served, sorted by MAC. */
  list(): ServedMachine[] {
    return [...this.#byMac.values()]
      .filter((record) => record.bootScriptAt !== 0 || record.ignitionAt !== 0)
      .sort((a, b) => (a.mac < b.mac ? -1 : a.mac > b.mac ? 1 : 0))
      .map((record) => ({
        mac: record.mac,
        ...(record.bootScriptAt === 0 ? {} : { bootScriptAt: new Date(record.bootScriptAt).toISOString() }),
        ...(record.ignitionAt === 0 ? {} : { ignitionAt: new Date(record.ignitionAt).toISOString() }),
      }));
  }

  /** Beyond the bound, forgets the least recently served records, never `keep` (the one being recorded). */
  #keepBound(keep: ServedRecord): void {
    if (this.#byMac.size <= this.#max + this.#slack) return;
    const oldestFirst = [...this.#byMac.values()]
      .filter((record) => record !== keep)
      .sort((a, b) => a.recency - b.recency);
    for (const record of oldestFirst) {
      if (this.#byMac.size <= this.#max) break;
      record.forgotten = true;
      this.#byMac.delete(record.mac);
    }
    if (this.#byMac.size > this.#max) {
      keep.forgotten = true;
      this.#byMac.delete(keep.mac);
    }
  }
}
