import type { ExportRequest, ExportView } from '../api/types';

export type ScheduleKind = 'system' | 'custom' | 'segmentUpdated' | 'off';

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
  /** `segmentUpdated`: at most one run per this many minutes (as typed). */
  minIntervalMinutes: string;
  /** Only rows whose consent field holds an accepted value are sent. */
  consentRequired: boolean;
  consentField: string;
  /** Accepted values as typed: comma separated. */
  consentValues: string;
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
  'schedule.minIntervalMinutes',
  'schedule',
  'consent.field',
  'consent.acceptedValues',
  'consent',
  'audiences',
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
  minIntervalMinutes: '15',
  consentRequired: false,
  consentField: '',
  consentValues: 'true, yes, 1',
});

function scheduleKindOf(schedule: ExportView['schedule']): ScheduleKind {
  if (!schedule.enabled) return 'off';
  if (schedule.trigger === 'segmentUpdated') return 'segmentUpdated';
  return schedule.cron ? 'custom' : 'system';
}

function scheduleOf(draft: Draft): ExportRequest['schedule'] {
  switch (draft.scheduleKind) {
    case 'custom':
      return { enabled: true, trigger: 'cron', cron: draft.cron, timeZone: draft.timeZone };
    case 'segmentUpdated': {
      const typed = draft.minIntervalMinutes.trim();
      return {
        enabled: true,
        trigger: 'segmentUpdated',
        ...(typed === '' ? {} : { minIntervalMinutes: Number(typed) }),
      };
    }
    default:
      return { enabled: draft.scheduleKind === 'system' };
  }
}

const splitValues = (text: string) =>
  text
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value !== '');

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
    scheduleKind: scheduleKindOf(schedule),
    ...(schedule.cron ? { cron: schedule.cron, timeZone: schedule.timeZone ?? 'UTC' } : {}),
    ...(schedule.minIntervalMinutes !== undefined
      ? { minIntervalMinutes: String(schedule.minIntervalMinutes) }
      : {}),
    ...(item.consent
      ? {
          consentRequired: true,
          consentField: item.consent.field,
          consentValues: item.consent.acceptedValues.join(', '),
        }
      : {}),
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
    schedule: scheduleOf(draft),
    ...(draft.consentRequired
      ? { consent: { field: draft.consentField, acceptedValues: splitValues(draft.consentValues) } }
      : {}),
  };
}

const FIELD_OF: Partial<Record<keyof Draft, string>> = {
  cron: 'schedule.cron',
  timeZone: 'schedule.timeZone',
  scheduleKind: 'schedule',
  minIntervalMinutes: 'schedule.minIntervalMinutes',
  consentRequired: 'consent',
  consentField: 'consent.field',
  consentValues: 'consent.acceptedValues',
};

/** A message goes once its field is changed: it was about the old value. */
export function withoutMessagesOf(messages: Map<string, string[]>, changed: string[]): Map<string, string[]> {
  const fields = changed.map((key) => FIELD_OF[key as keyof Draft] ?? key);
  if (!fields.some((field) => messages.has(field))) return messages;
  return new Map([...messages].filter(([field]) => !fields.includes(field)));
}
