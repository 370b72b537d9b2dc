import { Cron } from 'croner';

/**
 * Schedules are NCRONTAB (`second minute hour day month day-of-week`, as Azure Functions timers use)
 * or classic five-field cron, evaluated in an IANA time zone by the app itself (Linux plans ignore
 * WEBSITE_TIME_ZONE). Croner handles daylight-saving changes: a local time that does not exist
 * (spring forward) fires at the shifted instant, one that exists twice (fall back) fires once.
 */
export interface CronSchedule {
  cron: string;
  timeZone: string;
}

export function isValidTimeZone(timeZone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(timeZone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone }).format(0);
    return true;
  } catch {
    return false;
  }
}

/** Null when the expression is valid, else why not. */
export function cronProblem(expression: string): string | null {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    return `must have six fields (second minute hour day month day-of-week) or five (without seconds); found ${fields.length}`;
  }
  try {
    const cron = new Cron(expression.trim(), { paused: true, timezone: 'UTC' });
    if (!cron.nextRun(new Date(0))) return 'never fires';
    return null;
  } catch (error) {
    return `is not a valid cron expression (${error instanceof Error ? error.message : 'unknown error'})`;
  }
}

function compile(schedule: CronSchedule): Cron {
  return new Cron(schedule.cron.trim(), { paused: true, timezone: schedule.timeZone });
}

/**
 * Croner resolves a local time that daylight saving skips only when it walks across the jump, so
 * the answer for a window could depend on where the walk starts. Walking always from this far before
 * the window makes every window agree with one continuous walk (offset changes are at most 1 hour).
 */
const WALK_LEAD_MS = 2 * 3600 * 1000;

/** Due times in (after, until], oldest first, at most `limit` of them. */
export function dueTimesBetween(schedule: CronSchedule, after: Date, until: Date, limit = 1000): Date[] {
  const cron = compile(schedule);
  const due: Date[] = [];
  const anchor = new Date(after.getTime() - WALK_LEAD_MS);
  const first = cron.nextRun(anchor);
  const second = first && cron.nextRun(first);
  // A schedule firing more often than the lead has no skipped slot worth finding: walk from `after`.
  const frequent = first && second && second.getTime() - first.getTime() < WALK_LEAD_MS;
  let cursor: Date | null = frequent ? after : anchor;
  for (let steps = 0; due.length < limit && steps < 1_000_000; steps++) {
    cursor = cron.nextRun(cursor);
    if (!cursor || cursor.getTime() > until.getTime()) break;
    if (cursor.getTime() > after.getTime()) due.push(cursor);
  }
  return due;
}

/**
 * The latest due time in (after, until], or null. Searches backwards from `until` in growing windows
 * so that a long outage with a frequent cron costs little.
 */
export function latestDueTime(schedule: CronSchedule, after: Date, until: Date): Date | null {
  if (until.getTime() <= after.getTime()) return null;
  let windowMs = 60_000;
  for (;;) {
    const start = new Date(Math.max(after.getTime(), until.getTime() - windowMs));
    const due = dueTimesBetween(schedule, start, until, Number.MAX_SAFE_INTEGER);
    if (due.length > 0) return due[due.length - 1];
    if (start.getTime() === after.getTime()) return null;
    windowMs *= 16;
  }
}

/** The next due time strictly after `after`. */
export function nextDueTime(schedule: CronSchedule, after: Date): Date | null {
  return compile(schedule).nextRun(after);
}
