import type { ExportView, Run } from '../api/types';
import { when } from '../ui/format';

export function scheduleText(schedule: ExportView['schedule']): string {
  if (!schedule.enabled) return 'Off';
  if (schedule.trigger === 'segmentUpdated') return 'When the segment data changes';
  if (!schedule.cron) return 'System refresh';
  return `${schedule.cron} (${schedule.timeZone ?? 'UTC'})`;
}

/** Who or what started a run; `detailed` adds the due time or the changed segments. */
export function triggerText(trigger: Run['trigger'], detailed = false): string {
  switch (trigger.type) {
    case 'scheduled':
      return detailed ? `Schedule (due ${when(trigger.dueAt)})` : 'Schedule';
    case 'segmentUpdated':
      return detailed && trigger.segments?.length
        ? `Segment data changed (${trigger.segments.join(', ')})`
        : 'Segment data changed';
    default:
      return trigger.by?.name ?? 'On demand';
  }
}
