// When an EtcdBackup is due: pure, from its spec, its status and the clock. cron-parser reads the schedule (UTC).
import { CronExpressionParser } from 'cron-parser';
import type { EtcdBackup } from '@strata/api';

/** The next time `schedule` fires strictly after `after`. */
export function nextRun(schedule: string, after: Date): Date {
  return CronExpressionParser.parse(schedule, { currentDate: after, tz: 'UTC' }).next().toDate();
}

/**
 * When the next backup is due, or undefined when none ever is (a one-shot backup that succeeded). One-shot: at once
 * until one succeeds. Scheduled: the first firing after the last attempt (or after creation), so a missed firing
 * (the operator was down) is taken once, not once per missed tick.
 */
export function dueAt(backup: EtcdBackup): Date | undefined {
  const status = backup.status;
  if (backup.spec.schedule === undefined) {
    return status?.lastSuccess === undefined ? new Date(0) : undefined;
  }
  const lastAttempt = status?.history?.at(-1)?.time ?? backup.metadata.creationTimestamp;
  return nextRun(backup.spec.schedule, lastAttempt === undefined ? new Date(0) : new Date(lastAttempt));
}
