/**
 * What starts the export's runs: the system refresh schedule, its own cron, or a new complete version
 * of any of its segments. Absent: `cron` when a cron is set, else `systemRefresh`.
 */
export type ScheduleTrigger = 'systemRefresh' | 'cron' | 'segmentUpdated';

export interface ExportSchedule {
  enabled: boolean;
  trigger?: ScheduleTrigger;
  /** NCRONTAB (six fields) or five-field cron; absent = follow the system refresh schedule. */
  cron?: string;
  /** IANA time zone of `cron`; default UTC (or the system refresh zone when cron is absent). */
  timeZone?: string;
  /** `segmentUpdated` only: at most one run per this many minutes (saved as 15 when absent). */
  minIntervalMinutes?: number;
}

/** How an audience is written: replaced in place, or created afresh with the old one deleted after. */
export type ReplaceStrategy = 'replace' | 'recreate';

/** Only rows whose `field` holds one of `acceptedValues` (trimmed, case-insensitive) are sent. */
export interface ExportConsent {
  field: string;
  acceptedValues: string[];
}

export interface ExportConfig {
  id: string;
  displayName: string;
  connectionId: string | null;
  advertiserId: string;
  advertiserName: string;
  emailField: string;
  segments: string[];
  hashEmails: boolean;
  /** Absent: `replace`. */
  replaceStrategy?: ReplaceStrategy;
  schedule: ExportSchedule;
  /** Absent: every row is sent. */
  consent?: ExportConsent;
  status: 'active' | 'inactive';
  createdAt: string;
  updatedAt: string;
  createdBy: { id: string; name: string };
}
