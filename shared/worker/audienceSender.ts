import type { Logger, LogFields } from '../logging/logger';
import type { ExportConfig } from '../model/export';
import type { Audience, DestinationAccount } from '../destinations/destination';
import { DestinationError } from '../destinations/destinationError';
import type { AudienceRegistry } from './audienceRegistry';

/** Creates made per attempt when each outcome is unknown (the audience is looked up in between). */
const MAX_CREATE_ATTEMPTS = 3;

export interface SendContext {
  /** An earlier attempt may have created the audience (redelivery, re-enqueue): look it up first. */
  lookUpFirst: boolean;
  logger: Logger;
  ids: LogFields;
  /** Called when a members request has been sent (the caller may use the wait for the answer). */
  onRequestSent?: () => void;
}

/**
 * Makes the (export, segment) audience hold exactly `members`: replace when its id is recorded,
 * otherwise create it, recording the id at once, and look it up by name instead whenever an
 * earlier create may have happened (its outcome unknown, or a crash before the id was recorded).
 */
export function createAudienceSender(registry: AudienceRegistry, now: () => Date) {
  /** A fresh audience with the whole list, recorded at once; then the old one is deleted. */
  async function recreate(
    api: DestinationAccount,
    exportConfig: ExportConfig,
    segment: string,
    name: string,
    members: string[],
    oldAudienceId: string,
    context: SendContext,
  ): Promise<Audience> {
    const created = await api.createAudience(exportConfig.advertiserId, name, members, {
      onRequestSent: context.onRequestSent,
    });
    await registry.recordAudience(exportConfig.id, segment, created.audienceId, name);
    try {
      await api.deleteAudience!(oldAudienceId);
    } catch (error) {
      if (!(error instanceof DestinationError && error.code === 'NOT_FOUND'))
        context.logger.warn('could not delete the audience a recreate replaced', {
          ...context.ids,
          code: error instanceof DestinationError ? error.code : 'unknown',
        });
    }
    context.logger.info('audience recreated', context.ids);
    return created;
  }

  return async function sendAudience(
    api: DestinationAccount,
    exportConfig: ExportConfig,
    segment: string,
    name: string,
    members: string[],
    context: SendContext,
  ): Promise<Audience> {
    const exportId = exportConfig.id;
    const writeOptions = { onRequestSent: context.onRequestSent };
    const record = await registry.get(exportId, segment);
    if (record?.audienceId && exportConfig.replaceStrategy === 'recreate' && api.deleteAudience) {
      return recreate(api, exportConfig, segment, name, members, record.audienceId, context);
    }
    if (record?.audienceId) {
      try {
        const replaced = await api.replaceAudience(record.audienceId, name, members, writeOptions);
        if (record.name !== name) await registry.recordAudience(exportId, segment, record.audienceId, name);
        return { ...replaced, audienceId: record.audienceId };
      } catch (error) {
        if (!(error instanceof DestinationError && error.code === 'NOT_FOUND')) throw error;
        context.logger.warn('recorded audience no longer exists; creating a new one', context.ids);
        await registry.forget(exportId, segment);
      }
    }

    const adopt = async (found: Audience): Promise<Audience> => {
      context.logger.info('found the audience of an earlier create by name', context.ids);
      await registry.recordAudience(exportId, segment, found.audienceId, name);
      if (found.memberCount === members.length) return found;
      const replaced = await api.replaceAudience(found.audienceId, name, members, writeOptions);
      return { ...replaced, audienceId: found.audienceId };
    };
    const findByName = async (): Promise<Audience | undefined> => {
      const matches = await api.findAudiences(exportConfig.advertiserId, name);
      if (matches.length > 1) {
        context.logger.warn('several audiences share this name', { ...context.ids, count: matches.length });
      }
      return matches[0];
    };

    if (record?.createStartedAt || context.lookUpFirst) {
      const found = await findByName();
      if (found) return adopt(found);
    }
    for (let attempt = 1; ; attempt++) {
      await registry.markCreateStarted(exportId, segment, name, now());
      try {
        const created = await api.createAudience(exportConfig.advertiserId, name, members, writeOptions);
        await registry.recordAudience(exportId, segment, created.audienceId, name);
        return created;
      } catch (error) {
        const unknownOutcome = error instanceof DestinationError && error.kind === 'outcomeUnknown';
        if (!unknownOutcome || attempt >= MAX_CREATE_ATTEMPTS) throw error;
        context.logger.warn('create outcome unknown; looking the audience up by name', context.ids);
        const found = await findByName();
        if (found) return adopt(found);
      }
    }
  };
}
