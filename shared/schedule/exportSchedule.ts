import type { AppConfig } from '../config/config';
import type { ExportSchedule, ScheduleTrigger } from '../model/export';
import type { CronSchedule } from './cron';

/** What starts the export's runs; a schedule saved without `trigger` keeps its meaning from `cron`. */
export function scheduleTrigger(schedule: ExportSchedule): ScheduleTrigger {
  return schedule.trigger ?? (schedule.cron ? 'cron' : 'systemRefresh');
}

/**
 * The cron and zone an export follows: its own, or the system refresh schedule when it has none;
 * null for an export that runs when its segments change (it has no due times).
 */
export function effectiveSchedule(
  schedule: ExportSchedule,
  config: Pick<AppConfig, 'SYSTEM_REFRESH_CRON' | 'SYSTEM_REFRESH_TIME_ZONE'>,
): CronSchedule | null {
  const trigger = scheduleTrigger(schedule);
  if (trigger === 'segmentUpdated') return null;
  if (trigger === 'cron' && schedule.cron)
    return { cron: schedule.cron, timeZone: schedule.timeZone ?? 'UTC' };
  return { cron: config.SYSTEM_REFRESH_CRON, timeZone: config.SYSTEM_REFRESH_TIME_ZONE };
}
