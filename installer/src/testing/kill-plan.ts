// Where the resume tests kill the installer: seeded random moments along one
// install, spread over its phases, and the switch that sends SIGKILL when a
// run reaches its moment. A moment is a phase and a time into it rather than
// a time since the start: every rerun skips the phases the journal has done
// and provisions again, so only the phases say how far an install has come.
import type { ChildProcess } from 'node:child_process';
import { INSTALL_PHASES, type InstallEvent, type Phase } from '../install/events.ts';
import { seededRandom } from './install-invariants.ts';

export type InstallPhase = (typeof INSTALL_PHASES)[number];

export interface KillMoment {
  readonly phase: InstallPhase;
  /** How long after the phase starts the kill comes; sooner if the phase ends first. */
  readonly offsetMs: number;
  /** Where the moment falls on the install's nominal timeline. */
  readonly atMs: number;
}

/**
 * `kills` moments, the i-th at a random point of the i-th equal slice of the
 * install's nominal timeline (the phases' typical durations on this machine,
 * in order): every part of the install gets its kill, and a seed replays them.
 */
export function killPlan(options: {
  readonly seed: number;
  readonly kills: number;
  readonly phaseMs: Readonly<Partial<Record<InstallPhase, number>>>;
}): KillMoment[] {
  const random = seededRandom(options.seed);
  const spans: { phase: InstallPhase; start: number; ms: number }[] = [];
  let total = 0;
  for (const phase of INSTALL_PHASES) {
    const ms = options.phaseMs[phase] ?? 0;
    if (ms <= 0) continue;
    spans.push({ phase, start: total, ms });
    total += ms;
  }
  if (spans.length === 0) throw new Error('a kill plan needs at least one phase with a duration');
  return Array.from({ length: options.kills }, (_, slice) => {
    const atMs = ((slice + random()) * total) / options.kills;
    const span = spans.findLast((candidate) => candidate.start <= atMs) ?? spans[0];
    if (span === undefined) throw new Error('unreachable: spans is not empty');
    return { phase: span.phase, offsetMs: Math.round(atMs - span.start), atMs: Math.round(atMs) };
  });
}

export const describeMoment = (moment: KillMoment): string => `${moment.phase} +${moment.offsetMs} ms`;

const order = (phase: Phase): number => INSTALL_PHASES.indexOf(phase as InstallPhase);

/**
 * Watches one run's events and kills it with SIGKILL at `moment`: `offsetMs`
 * after its phase starts, or at once when the phase ends, is skipped, or a
 * later phase begins (a resumed run skips what the journal has done).
 */
export class KillSwitch {
  readonly #moment: KillMoment;
  readonly #started = performance.now();
  #child: ChildProcess | undefined;
  #timer: NodeJS.Timeout | undefined;
  #phase: Phase | undefined;
  #phaseStarted = 0;
  #killed: { phase: Phase | undefined; intoPhaseMs: number; afterMs: number } | undefined;

  /** Made just before the run starts: the run's time counts from here. */
  constructor(moment: KillMoment) {
    this.#moment = moment;
  }

  /** Where the run was when it was killed, or undefined if it was not (it ended first). */
  get killed(): { phase: Phase | undefined; intoPhaseMs: number; afterMs: number } | undefined {
    return this.#killed;
  }

  /** Called with each event `child` prints, in order. */
  observe(event: InstallEvent, child: ChildProcess): void {
    if (this.#child === undefined) {
      this.#child = child;
      child.once('exit', () => clearTimeout(this.#timer));
    }
    if (this.#killed !== undefined || !('phase' in event) || event.phase === 'destroy') return;
    if (event.type === 'phase-started') {
      this.#phase = event.phase;
      this.#phaseStarted = performance.now();
    }
    const target = order(this.#moment.phase);
    const now = order(event.phase);
    if (now > target) {
      this.#kill();
      return;
    }
    if (now < target) return;
    if (event.type === 'phase-started') this.#timer = setTimeout(() => this.#kill(), this.#moment.offsetMs);
    else if (event.type === 'phase-succeeded' || event.type === 'phase-skipped' || event.type === 'phase-failed')
      this.#kill();
  }

  #kill(): void {
    const child = this.#child;
    if (this.#killed !== undefined || child === undefined || child.exitCode !== null || child.signalCode !== null)
      return;
    clearTimeout(this.#timer);
    child.kill('SIGKILL');
    const now = performance.now();
    this.#killed = {
      phase: this.#phase,
      intoPhaseMs: Math.round(now - this.#phaseStarted),
      afterMs: Math.round(now - this.#started),
    };
  }
}

/** Whether a run's event shows it got past provision's recovery of what killed runs left (engine processes, lock). */
export function showsRecovery(event: InstallEvent): boolean {
  if (!('phase' in event) || event.phase === 'destroy') return false;
  if (order(event.phase) > order('provision')) return true;
  return event.type === 'phase-progress' && event.phase === 'provision' && event.message === 'previewing the changes';
}

/**
 * The orphans killed runs left, remembered from kill to kill: the next run
 * must stop them before it updates, so an orphan still there after a run that
 * got past its recovery is one the installer leaked.
 */
export class OrphanLedger {
  #remembered = new Map<string, string>();

  /** Records the orphans seen after a kill; returns those that outlived a run's recovery. */
  record(orphans: ReadonlyMap<string, string>, recovered: boolean): string[] {
    const survivors = recovered ? [...orphans].filter(([id]) => this.#remembered.has(id)).map(([, what]) => what) : [];
    this.#remembered = recovered ? new Map(orphans) : new Map([...this.#remembered, ...orphans]);
    return survivors;
  }
}
