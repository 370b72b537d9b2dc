export interface ExportSchedule {
  enabled: boolean;
  /** NCRONTAB (six fields) or five-field cron; absent = follow the system refresh schedule. */
  cron?: string;
  /** IANA time zone of `cron`; default UTC (or the system refresh zone when cron is absent). */
  timeZone?: string;
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
  schedule: ExportSchedule;
  status: 'active' | 'inactive';
  createdAt: string;
  updatedAt: string;
  createdBy: { id: string; name: string };
}
