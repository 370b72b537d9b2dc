/** The `type` of every event this app sends, without the common prefix. */
export const EVENT_TYPES = [
  'run.succeeded',
  'run.partiallySucceeded',
  'run.failed',
  'segment.failed',
  'segment.massRemovalBlocked',
  'quota.exhausted',
  'quota.resumed',
  'connection.reauthorizationRequired',
  'audience.countMismatch',
  'audience.expiringSoon',
  'match.reported',
  'match.dropped',
  'webhook.disabled',
  'webhook.test',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export const EVENT_TYPE_PREFIX = 'rollworks.export.';

/** Values an event may carry: ids, names, counts, codes and sentences; never an email, a hash or a token. */
export type EventValue = string | number | boolean | null | string[];
export type EventData = Record<string, EventValue>;

/** What a service reports happened; the publisher gives it an id, a time and a source. */
export interface AppEvent {
  type: EventType;
  /** The export id (the connection id for connection events, the webhook id for webhook events). */
  subject: string;
  data: EventData;
}
