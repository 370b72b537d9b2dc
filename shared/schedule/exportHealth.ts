import type { Logger } from '../logging/logger';
import type { Run } from '../model/run';
import type { Services } from '../services';
import { ALERT_EVENTS } from '../telemetry/telemetry';
import { dueTimesBetween } from './cron';
import { effectiveSchedule } from './exportSchedule';

const DAY_MS = 24 * 3600_000;
/** RollWorks lets a CRM audience expire this long after its last write. */
const AUDIENCE_LIFETIME_DAYS = 120;

const finished = (run: Run) => Date.parse(run.finishedAt ?? run.createdAt);
const wrote = (run: Run) => run.segments.some((segment) => segment.counts.sent > 0);

/**
 * Two slow failures nobody sees in a single run, checked on the scheduler's tick and told on a change
 * of state only: an enabled export without a success for two of its schedule periods (the
 * `ExportOverdue` alert; never for a `segmentUpdated` export), and audiences not written for RESEND_AFTER_DAYS with no run planned before
 * RollWorks lets them expire (`audience.expiringSoon`).
 */
export function createExportHealth(services: Services) {
  return {
    async check(logger: Logger, now = services.clock.now()): Promise<{ overdue: number; expiring: number }> {
      let overdue = 0;
      let expiring = 0;
      for (const exportConfig of await services.exports.listAll()) {
        if (exportConfig.status !== 'active') continue;
        const ids = { exportId: exportConfig.id };
        const history = await services.runs.history(exportConfig.id, 30);
        const schedule = effectiveSchedule(exportConfig.schedule, services.config);
        const lastSuccess = history.find((run) => run.status === 'succeeded' && !run.dryRun);

        // A segmentUpdated export has no periods: quiet data is not a missed run, so it is never overdue.
        if (exportConfig.schedule.enabled && schedule) {
          const since = lastSuccess ? finished(lastSuccess) : Date.parse(exportConfig.createdAt);
          const missed = dueTimesBetween(schedule, new Date(since), now, 3).length;
          const state = missed >= 3 ? 'overdue' : 'ok'; // two whole periods have passed after a due time
          const { changed } = await services.eventStores.states.change(`overdue|${exportConfig.id}`, state);
          if (changed && state === 'overdue') {
            overdue++;
            services.telemetry.alert(ALERT_EVENTS.exportOverdue, {
              ...ids,
              lastSucceededAt: lastSuccess?.finishedAt ?? 'never',
            });
            logger.warn('export has had no successful run for two schedule periods', ids);
          }
        }

        const lastWrite = history.find((run) => !run.dryRun && wrote(run));
        if (!lastWrite) continue;
        const written = finished(lastWrite);
        const expiresAt = new Date(written + AUDIENCE_LIFETIME_DAYS * DAY_MS);
        const due = now.getTime() - written >= services.config.RESEND_AFTER_DAYS * DAY_MS;
        const planned =
          exportConfig.schedule.enabled &&
          schedule !== null &&
          dueTimesBetween(schedule, now, expiresAt, 1).length > 0;
        const state = due && !planned ? `expiring|${lastWrite.id}` : 'ok';
        const { changed } = await services.eventStores.states.change(`expiring|${exportConfig.id}`, state);
        if (!changed || state === 'ok') continue;
        expiring++;
        const days = Math.max(0, Math.ceil((expiresAt.getTime() - now.getTime()) / DAY_MS));
        await services.events.publish({
          type: 'audience.expiringSoon',
          subject: exportConfig.id,
          data: {
            exportId: exportConfig.id,
            exportName: exportConfig.displayName,
            lastWrittenAt: new Date(written).toISOString(),
            expiresAt: expiresAt.toISOString(),
            message: `The RollWorks audiences of export "${exportConfig.displayName}" were last written ${new Date(written).toISOString().slice(0, 10)} and expire in ${days} days; no run is planned before then. Run the export to keep them.`,
          },
        });
      }
      return { overdue, expiring };
    },
  };
}
