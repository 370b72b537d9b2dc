import type { AppConfig } from '../config/config';
import type { ExportSchedule } from '../model/export';
import type { CronSchedule } from './cron';

/** The cron and zone an export follows: its own, or the system refresh schedule when it has none. */
export function effectiveSchedule(
  schedule: ExportSchedule,
  config: Pick<AppConfig, 'SYSTEM_REFRESH_CRON' | 'SYSTEM_REFRESH_TIME_ZONE'>,
): CronSchedule {
  if (schedule.cron) return { cron: schedule.cron, timeZone: schedule.timeZone ?? 'UTC' };
  return { cron: config.SYSTEM_REFRESH_CRON, timeZone: config.SYSTEM_REFRESH_TIME_ZONE };
}
