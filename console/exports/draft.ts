import type { ExportRequest, ExportView } from '../api/types';

export type ScheduleKind = 'system' | 'custom' | 'off';

/** The Add export form's state. */
export interface Draft {
  connectionId: string;
  displayName: string;
  advertiserId: string;
  emailField: string;
  segments: string[];
  hashEmails: boolean;
  scheduleKind: ScheduleKind;
  cron: string;
  timeZone: string;
}

/** Field names as the API's problems name them, so each message lands next to its control. */
export const DRAFT_FIELDS = [
  'connectionId',
  'displayName',
  'advertiserId',
  'emailField',
  'segments',
  'hashEmails',
  'schedule.cron',
  'schedule.timeZone',
  'schedule',
] as const;

export const emptyDraft = (): Draft => ({
  connectionId: '',
  displayName: '',
  advertiserId: '',
  emailField: '',
  segments: [],
  hashEmails: true,
  scheduleKind: 'system',
  cron: '0 0 6 * * *',
  timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
});

export function draftOf(item: ExportView, displayName = item.displayName): Draft {
  const { schedule } = item;
  return {
    ...emptyDraft(),
    connectionId: item.connectionId ?? '',
    displayName,
    advertiserId: item.advertiserId,
    emailField: item.emailField,
    segments: item.segments,
    hashEmails: item.hashEmails,
    scheduleKind: !schedule.enabled ? 'off' : schedule.cron ? 'custom' : 'system',
    ...(schedule.cron ? { cron: schedule.cron, timeZone: schedule.timeZone ?? 'UTC' } : {}),
  };
}

export function requestOf(draft: Draft): ExportRequest {
  return {
    displayName: draft.displayName,
    connectionId: draft.connectionId,
    advertiserId: draft.advertiserId.trim(),
    emailField: draft.emailField,
    segments: draft.segments,
    hashEmails: draft.hashEmails,
    schedule:
      draft.scheduleKind === 'custom'
        ? { enabled: true, cron: draft.cron, timeZone: draft.timeZone }
        : { enabled: draft.scheduleKind === 'system' },
  };
}

const FIELD_OF: Partial<Record<keyof Draft, string>> = {
  cron: 'schedule.cron',
  timeZone: 'schedule.timeZone',
  scheduleKind: 'schedule',
};

/** A message goes once its field is changed: it was about the old value. */
export function withoutMessagesOf(messages: Map<string, string[]>, changed: string[]): Map<string, string[]> {
  const fields = changed.map((key) => FIELD_OF[key as keyof Draft] ?? key);
  if (!fields.some((field) => messages.has(field))) return messages;
  return new Map([...messages].filter(([field]) => !fields.includes(field)));
}
