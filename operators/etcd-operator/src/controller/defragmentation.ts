// The rounds of maintenance the controller keeps per cluster: a round defragments every member once, one per pass
// (the planner orders them), and after a NOSPACE alarm compacts first. A round lives in this replica's memory: a
// replica that takes over starts a new one when the schedule or an alarm still asks, and defragmenting twice is
// harmless.
import { CronExpressionParser } from 'cron-parser';
import { StrataError } from '@strata/api';
import type { MaintenanceView } from '../plan/observed.ts';
import type { Action } from '../plan/plan.ts';

export class DefragmentationScheduleError extends StrataError {}

/** Whether the schedule fired after `lastRun` and by `now`: a round is due. */
export function defragmentationDue(schedule: string, lastRun: Date, now: Date): boolean {
  let previous: Date;
  try {
    // prev() excludes the instant it starts from: a second later includes a firing at `now` itself.
    const from = new Date(now.getTime() + 1000);
    previous = CronExpressionParser.parse(schedule, { currentDate: from, tz: 'UTC' }).prev().toDate();
  } catch (error) {
    throw new DefragmentationScheduleError(
      `spec.defragmentation.schedule "${schedule}" is not a schedule cron-parser reads`,
      { schedule },
      { cause: error },
    );
  }
  return previous.getTime() > lastRun.getTime();
}

interface Round {
  readonly pending: Set<string>;
  compactFirst: boolean;
}

export interface RoundInput {
  readonly alarms: MaintenanceView['alarms'];
  /** The IDs of the cluster's members now. */
  readonly members: readonly string[];
  /** The schedule asks for a round. */
  readonly due: boolean;
}

export class DefragmentationRounds {
  readonly #rounds = new Map<string, Round>();

  /** The maintenance the planner sees for `key`, starting a round when an alarm or the schedule asks for one. */
  view(key: string, input: RoundInput): MaintenanceView {
    let round = this.#rounds.get(key);
    const nospace = input.alarms.some((alarm) => alarm.alarm === 'NOSPACE');
    if (round === undefined && (nospace || input.due)) {
      round = { pending: new Set(input.members), compactFirst: nospace };
      this.#rounds.set(key, round);
    }
    if (round === undefined) return { alarms: input.alarms, defragPending: [], compactFirst: false };
    // A member that left meanwhile is not waited for.
    for (const id of round.pending) if (!input.members.includes(id)) round.pending.delete(id);
    return { alarms: input.alarms, defragPending: [...round.pending], compactFirst: round.compactFirst };
  }

  /**
   * Records a step taken for `key`; true when it finished the round (its last member defragmented with no alarm to
   * disarm, or the alarm disarmed).
   */
  taken(key: string, action: Action, alarms: MaintenanceView['alarms']): boolean {
    const round = this.#rounds.get(key);
    if (round === undefined) return false;
    if (action.kind === 'compact') round.compactFirst = false;
    if (action.kind === 'defragment') round.pending.delete(action.member.id);
    const nospaceLeft = alarms.some((alarm) => alarm.alarm === 'NOSPACE') && action.kind !== 'disarm';
    if (round.pending.size === 0 && !round.compactFirst && !nospaceLeft) {
      this.#rounds.delete(key);
      return true;
    }
    return false;
  }

  forget(key: string): void {
    this.#rounds.delete(key);
  }
}
