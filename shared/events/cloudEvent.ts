import { EVENT_TYPE_PREFIX, type AppEvent, type EventData } from './eventTypes';

/** A CloudEvents 1.0 event in structured mode (the whole event is the JSON body). */
export interface CloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: EventData;
}

export const CLOUD_EVENT_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';

export function toCloudEvent(event: AppEvent, id: string, source: string, time: Date): CloudEvent {
  return {
    specversion: '1.0',
    id,
    source,
    type: `${EVENT_TYPE_PREFIX}${event.type}`,
    subject: event.subject,
    time: time.toISOString(),
    datacontenttype: 'application/json',
    data: event.data,
  };
}
