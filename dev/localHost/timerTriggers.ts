import { Cron } from 'croner';
import type { Timer } from '@azure/functions';
import type { FunctionRegistration } from './functionsCore';
import { parseTimeSpan, resolveSettingExpression } from './hostConfig';
import type { HostLog, Invoker } from './invoker';

export interface ScheduledTimer {
  functionName: string;
  /** The schedule after %SETTING% resolution. */
  schedule: string;
  nextRun(): Date | null;
  stop(): void;
}

/**
 * Schedules one timer trigger: six-field NCRONTAB (`{second} {minute} {hour} {day} {month} {day-of-week}`)
 * in UTC (or WEBSITE_TIME_ZONE, an IANA name as on Linux plans), or a TimeSpan (`hh:mm:ss`) interval.
 */
export function scheduleTimer(
  registration: FunctionRegistration,
  invoker: Invoker,
  settings: Record<string, string | undefined>,
  log: HostLog,
): ScheduledTimer {
  const name = registration.metadata.name;
  const trigger = invoker.triggerOf(registration);
  const schedule = resolveSettingExpression(
    String(trigger.schedule ?? ''),
    settings,
    `Function ${name} schedule`,
  ).trim();
  let last: Date | undefined;
  let running = false;

  const fire = async (next: () => Date | null) => {
    if (running) {
      log('warn', `Timer ${name} is still running; this occurrence is skipped`, name);
      return;
    }
    running = true;
    const now = new Date();
    const timer: Timer = {
      isPastDue: false,
      schedule: { adjustForDST: true },
      scheduleStatus: {
        last: (last ?? now).toISOString(),
        next: (next() ?? now).toISOString(),
        lastUpdated: now.toISOString(),
      },
    };
    last = now;
    try {
      await invoker.invoke(registration, timer);
    } catch {
      // logged by the invoker; a failed timer run waits for its next occurrence, as in Azure
    } finally {
      running = false;
    }
  };

  if (/^(\d+\.)?\d{1,2}:\d{1,2}:\d{1,2}$/.test(schedule)) {
    const intervalMs = parseTimeSpan(schedule, `Function ${name} schedule`);
    let nextAt = Date.now() + intervalMs;
    const handle = setInterval(() => {
      nextAt = Date.now() + intervalMs;
      void fire(() => new Date(nextAt));
    }, intervalMs);
    if (trigger.runOnStartup) void fire(() => new Date(nextAt));
    return {
      functionName: name,
      schedule,
      nextRun: () => new Date(nextAt),
      stop: () => clearInterval(handle),
    };
  }

  const fields = schedule.split(/\s+/);
  if (fields.length !== 6) {
    throw new Error(`Function ${name}: schedule "${schedule}" is not a six-field NCRONTAB expression`);
  }
  let job: Cron;
  try {
    job = new Cron(schedule, { timezone: settings.WEBSITE_TIME_ZONE || 'UTC' }, () =>
      fire(() => job.nextRun()),
    );
  } catch (error) {
    throw new Error(`Function ${name}: schedule "${schedule}" is invalid: ${(error as Error).message}`);
  }
  if (trigger.runOnStartup) void fire(() => job.nextRun());
  return { functionName: name, schedule, nextRun: () => job.nextRun(), stop: () => job.stop() };
}
