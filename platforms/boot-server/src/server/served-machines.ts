// The read side's memory of what it served to which machine: per MAC, when it
// last answered a boot script (/ipxe, /grub) and an Ignition config
// (/ignition) with a 200. Kept in this process only (a restart forgets it, and
// each replica of a Kubernetes-backed deployment knows its own answers), and
// bounded, the least recently served MAC forgotten first, since anyone on the
// provisioning network can send MACs.
//
// Recording is on the hot path of every answer (ADR 0057, ADR 0074). The
// answer cache keeps, with each answer, the MAC's slot in a dense table
// (recordFor), so that a repeated answer writes two numbers into one typed
// array: no query parsed, no MAC looked up, no object per machine touched or
// allocated. A slot holds the two times, a recency count (the order in which
// MACs are forgotten) and a generation, bumped when the slot is given to
// another MAC, so that a holder of a forgotten slot records under its own MAC
// again rather than into someone else's.
import type { ServedMachine } from '@strata/api';
import { labelsFromQuery } from '../labels/labels.ts';

export type ServedKind = 'boot-script' | 'ignition';

/** How a kind is written in a slot: the offset of its time among the slot's fields. */
const BOOT_SCRIPT_AT = 0;
const IGNITION_AT = 1;
const RECENCY = 2;
const GENERATION = 3;
/** Numbers per slot: the two times (milliseconds since the epoch, 0 for never), the recency and the generation. */
const FIELDS = 4;

/** The paths whose 200 answers are recorded, and where in a slot. */
const RECORDED: ReadonlyMap<string, typeof BOOT_SCRIPT_AT | typeof IGNITION_AT> = new Map([
  ['/ipxe', BOOT_SCRIPT_AT],
  ['/grub', BOOT_SCRIPT_AT],
  ['/ignition', IGNITION_AT],
]);

export const DEFAULT_MAX_SERVED_MACHINES = 10_000;

/** Slots made when the table is first needed; it doubles from there up to the bound and its slack. */
const INITIAL_SLOTS = 64;

/**
 * Where a 200 answer is recorded, found once per answer kept (recordFor). Plain numbers and the MAC, so that the
 * answer cache can hold them in its own entry and record a repeated answer without an object of its own.
 */
export interface ServedRecord {
  readonly mac: string;
  /** The MAC's slot, and the offset of the kind's time in it (0 boot script, 1 Ignition): slot × 4 + offset. */
  readonly field: number;
  /** The slot's generation when it was found: another means the MAC was forgotten and the slot reused. */
  readonly generation: number;
}

export class ServedMachines {
  readonly #max: number;
  /** How many more than the bound are held before the least recent are forgotten together. */
  readonly #slack: number;
  readonly #slotOf = new Map<string, number>();
  /** The MAC in each slot, undefined for a free one. */
  #macs: (string | undefined)[] = [];
  /** FIELDS numbers per slot (see the constants above). */
  #table = new Float64Array(0);
  /** Slots freed by forgetting, given out before the table grows. */
  readonly #free: number[] = [];
  #recency = 0;

  constructor(options: { max?: number } = {}) {
    this.#max = options.max ?? DEFAULT_MAX_SERVED_MACHINES;
    // A sort of every slot per new MAC once full would cost milliseconds each; a sixteenth more amortizes it.
    this.#slack = Math.floor(this.#max / 16);
  }

  /** Records a 200 answer to `path` for the request's mac label, if the path is one that is recorded and a MAC was sent. */
  answered(path: string, rawQuery: string, at: Date = new Date()): ServedRecord | undefined {
    const record = this.recordFor(path, rawQuery);
    if (record !== undefined) this.answeredTo(record.field, record.generation, record.mac, at.getTime());
    return record;
  }

  /**
   * Where a 200 answer to `path` with this query is recorded (a slot made when the MAC is new): undefined for a path
   * that is not recorded or a request without a MAC.
   */
  recordFor(path: string, rawQuery: string): ServedRecord | undefined {
    const offset = RECORDED.get(path);
    if (offset === undefined) return undefined;
    const { labels } = labelsFromQuery(rawQuery);
    const mac = [...labels.entries()].find(([key]) => key.toLowerCase() === 'mac')?.[1];
    if (mac === undefined) return undefined;
    const slot = this.#slotOf.get(mac) ?? this.#take(mac);
    return { mac, field: slot * FIELDS + offset, generation: this.#table[slot * FIELDS + GENERATION] ?? 0 };
  }

  /**
   * Records a 200 answer in the field of a record (from recordFor, its fields passed as they are held); a record whose
   * slot was since given to another MAC is recorded under its own MAC again.
   */
  answeredTo(field: number, generation: number, mac: string, atMs: number = Date.now()): void {
    const base = field - (field % FIELDS);
    if (this.#table[base + GENERATION] === generation) this.#record(field, atMs);
    else this.#record((this.#slotOf.get(mac) ?? this.#take(mac)) * FIELDS + (field % FIELDS), atMs);
  }

  /** Every machine served, sorted by MAC. */
  list(): ServedMachine[] {
    const table = this.#table;
    const served: ServedMachine[] = [];
    for (const [mac, slot] of this.#slotOf) {
      const bootScriptAt = table[slot * FIELDS + BOOT_SCRIPT_AT] ?? 0;
      const ignitionAt = table[slot * FIELDS + IGNITION_AT] ?? 0;
      if (bootScriptAt === 0 && ignitionAt === 0) continue;
      served.push({
        mac,
        ...(bootScriptAt === 0 ? {} : { bootScriptAt: new Date(bootScriptAt).toISOString() }),
        ...(ignitionAt === 0 ? {} : { ignitionAt: new Date(ignitionAt).toISOString() }),
      });
    }
    return served.sort((a, b) => (a.mac < b.mac ? -1 : a.mac > b.mac ? 1 : 0));
  }

  /** How many MACs are held (answered or only found), and how many slots the table has room for. */
  get stats(): { readonly held: number; readonly slots: number } {
    return { held: this.#slotOf.size, slots: this.#macs.length };
  }

  #record(field: number, atMs: number): void {
    const base = field - (field % FIELDS);
    this.#recency += 1;
    this.#table[base + RECENCY] = this.#recency;
    this.#table[field] = atMs;
  }

  /** A slot for a new MAC: a freed one, or a new one (the table doubled when full); then the bound is kept. */
  #take(mac: string): number {
    let slot = this.#free.pop();
    if (slot === undefined) {
      slot = this.#macs.length;
      if ((slot + 1) * FIELDS > this.#table.length) {
        const grown = new Float64Array(Math.max(INITIAL_SLOTS, slot * 2) * FIELDS);
        grown.set(this.#table);
        this.#table = grown;
      }
      this.#macs.push(undefined);
    }
    const base = slot * FIELDS;
    // A new generation, so that a holder of the slot's previous MAC can tell (#forget bumped it already; once more
    // costs nothing and keeps the rule local).
    this.#table[base + GENERATION] = (this.#table[base + GENERATION] ?? 0) + 1;
    this.#table[base + BOOT_SCRIPT_AT] = 0;
    this.#table[base + IGNITION_AT] = 0;
    this.#recency += 1;
    this.#table[base + RECENCY] = this.#recency;
    this.#macs[slot] = mac;
    this.#slotOf.set(mac, slot);
    this.#keepBound(slot);
    return slot;
  }

  /** Beyond the bound, forgets the least recently served MACs, never the one in `keep` (being recorded). */
  #keepBound(keep: number): void {
    if (this.#slotOf.size <= this.#max + this.#slack) return;
    const table = this.#table;
    const oldestFirst = [...this.#slotOf.values()]
      .filter((slot) => slot !== keep)
      .sort((a, b) => (table[a * FIELDS + RECENCY] ?? 0) - (table[b * FIELDS + RECENCY] ?? 0));
    for (const slot of oldestFirst) {
      if (this.#slotOf.size <= this.#max) break;
      this.#forget(slot);
    }
    if (this.#slotOf.size > this.#max) this.#forget(keep);
  }

  #forget(slot: number): void {
    const mac = this.#macs[slot];
    if (mac === undefined) return;
    this.#slotOf.delete(mac);
    this.#macs[slot] = undefined;
    // A holder of this slot's record now finds another generation, even before the slot is reused.
    this.#table[slot * FIELDS + GENERATION] = (this.#table[slot * FIELDS + GENERATION] ?? 0) + 1;
    this.#table[slot * FIELDS + BOOT_SCRIPT_AT] = 0;
    this.#table[slot * FIELDS + IGNITION_AT] = 0;
    this.#free.push(slot);
  }
}
