import { z } from 'zod';
import { int, share } from './settingTypes';

/** Settings of the export rules, the worker's recovery, and how long run data lives. */
export const runSettings = {
  SEGMENT_MIN_PROFILES: int(100, 1, 'Fewest unique valid emails a segment may export.'),
  SEGMENT_MAX_PROFILES: int(250_000, 1, 'Most profiles per segment per export (a connection may set lower).'),
  RESEND_AFTER_DAYS: int(
    90,
    1,
    'Re-send an unchanged audience after this many days (RollWorks expires them after 120).',
  ),
  MASS_REMOVAL_MAX_SHARE: share(0.2, 'Largest share of an audience one run may remove without `force`.'),
  MASS_REMOVAL_MIN_COUNT: int(100, 0, 'Removals below this count never trigger the mass-removal guard.'),
  SUPPRESSION_MAX_BYTES: int(
    200 * 1024 * 1024,
    1024,
    'Largest suppression list upload (PUT /connections/{id}/suppressions), in bytes; larger ones are refused with 413.',
  ),
  RUN_STALE_AFTER_SECONDS: int(
    120,
    30,
    'A segment whose worker sent no heartbeat for this long is `stalled`: the watchdog hands it to a new worker.',
  ),
  WATCHDOG_CRON: z
    .string()
    .default('*/30 * * * * *')
    .describe(
      'NCRONTAB (six fields) of the timer that finds stalled segments and hands them to a new worker.',
    ),
  RETENTION_CRON: z
    .string()
    .default('0 30 3 * * *')
    .describe(
      'NCRONTAB (six fields) of the daily timer that deletes run data and reports past their retention.',
    ),
  RUN_RETENTION_DAYS: int(
    90,
    1,
    'Runs (with their segment rows), webhook deliveries and events older than this many days are deleted; an export keeps its latest RUN_RETENTION_MIN_RUNS runs whatever their age.',
  ),
  RUN_RETENTION_MIN_RUNS: int(
    10,
    0,
    'Latest runs of each export kept whatever their age, so its history shows how it last ran.',
  ),
  REJECTION_RETENTION_DAYS: int(14, 1, 'Rejection reports older than this many days are deleted.'),
  DEACTIVATION_QUEUE_NAME: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$/)
    .default('audience-deactivations')
    .describe(
      'Queue of audiences to deactivate at RollWorks after an export or segment was removed (its poison queue is <name>-poison).',
    ),
  MATCH_REPORT_DELAY_HOURS: int(
    72,
    1,
    'Hours after a write before RollWorks is asked how many members of the audience it matched.',
  ),
  MATCH_DROP_SHARE: share(0.3, 'Fall of matched members between two match reports that fires match.dropped.'),
};
