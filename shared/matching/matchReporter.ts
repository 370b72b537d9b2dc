import type { AppConfig } from '../config/config';
import type { Clock } from '../clock';
import type { ConnectionService } from '../connections/connectionService';
import type { Destinations } from '../destinations/registry';
import { describeError } from '../errors/describeError';
import type { EventPublisher } from '../events/eventPublisher';
import type { Logger } from '../logging/logger';
import type { MatchDue, MatchPoint, MatchStore } from './matchStore';

const HOUR_MS = 3_600_000;

export interface MatchReporterDeps {
  settings: Pick<AppConfig, 'MATCH_REPORT_DELAY_HOURS' | 'MATCH_DROP_SHARE'>;
  clock: Clock;
  store: MatchStore;
  connections: Pick<ConnectionService, 'get' | 'tokenProvider'>;
  destinations: Pick<Destinations, 'get'>;
  publisher: EventPublisher;
  logger: Logger;
}

/**
 * RollWorks matches a list to browsers and devices within about 72 hours of a write. An audience is
 * due `MATCH_REPORT_DELAY_HOURS` after each write, and then again every as long; due audiences of one
 * advertiser are asked about in one request.
 */
export function createMatchReporter(deps: MatchReporterDeps) {
  const { settings, clock, store, publisher, logger } = deps;
  const delayMs = settings.MATCH_REPORT_DELAY_HOURS * HOUR_MS;

  async function report(group: MatchDue[]): Promise<number> {
    const { connectionId, advertiserId } = group[0];
    const connection = await deps.connections.get(connectionId);
    if (!connection || connection.status !== 'ready') return 0;
    const account = deps.destinations
      .get(connection.type)
      .forConnection(deps.connections.tokenProvider(connection.id));
    if (!account.matchedMembers) return 0;
    const matched = await account.matchedMembers(
      advertiserId,
      group.map((due) => due.audienceId),
    );
    const now = clock.now();
    let reported = 0;
    for (const due of group) {
      const count = matched.get(due.audienceId);
      if (count === undefined) continue;
      const point: MatchPoint = {
        segment: due.segment,
        audienceId: due.audienceId,
        at: now.toISOString(),
        sent: due.sent,
        matched: count,
        rate: due.sent > 0 ? Math.round((count / due.sent) * 10_000) / 10_000 : 0,
      };
      const previous = (await store.history(due.exportId)).filter((p) => p.segment === due.segment).at(-1);
      await store.addPoint(due.exportId, point);
      await store.setDue({ ...due, dueAt: new Date(now.getTime() + delayMs).toISOString() });
      await announce(due, point, previous);
      reported++;
    }
    return reported;
  }

  async function announce(due: MatchDue, point: MatchPoint, previous: MatchPoint | undefined) {
    const data = {
      exportId: due.exportId,
      segment: due.segment,
      audienceId: due.audienceId,
      sent: point.sent,
      matched: point.matched,
      rate: point.rate,
    };
    if (!previous || previous.audienceId !== point.audienceId) {
      await publisher.publish({
        type: 'match.reported',
        subject: due.exportId,
        data: {
          ...data,
          message: `RollWorks matched ${point.matched} of the ${point.sent} members sent to the audience of segment "${due.segment}".`,
        },
      });
      return;
    }
    const fell = previous.matched > 0 ? (previous.matched - point.matched) / previous.matched : 0;
    if (fell > settings.MATCH_DROP_SHARE) {
      await publisher.publish({
        type: 'match.dropped',
        subject: due.exportId,
        data: {
          ...data,
          previousMatched: previous.matched,
          message: `RollWorks now matches ${point.matched} members of the audience of segment "${due.segment}", ${Math.round(fell * 100)}% fewer than the ${previous.matched} it matched before.`,
        },
      });
    }
  }

  return {
    /** After a write: the audience is due for a report once the matching window has passed. */
    async noteWrite(due: Omit<MatchDue, 'dueAt'>): Promise<void> {
      await store.setDue({ ...due, dueAt: new Date(Date.parse(due.writtenAt) + delayMs).toISOString() });
    },

    /** Asks RollWorks about every due audience; answers how many reports were added. */
    async tick(): Promise<number> {
      const groups = new Map<string, MatchDue[]>();
      for (const due of await store.listDue(clock.now())) {
        const key = `${due.connectionId}|${due.advertiserId}`;
        groups.set(key, [...(groups.get(key) ?? []), due]);
      }
      let reported = 0;
      for (const group of groups.values()) {
        try {
          reported += await report(group);
        } catch (error) {
          logger.warn('match report failed; tried again on the next tick', {
            advertiserId: group[0].advertiserId,
            error: describeError(error),
          });
        }
      }
      return reported;
    },

    history: (exportId: string) => store.history(exportId),
  };
}

export type MatchReporter = ReturnType<typeof createMatchReporter>;
