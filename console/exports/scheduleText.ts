import type { ExportView } from '../api/types';

export function scheduleText(schedule: ExportView['schedule']): string {
  if (!schedule.enabled) return 'Off';
  if (!schedule.cron) return 'System refresh';
  return `${schedule.cron} (${schedule.timeZone ?? 'UTC'})`;
}
