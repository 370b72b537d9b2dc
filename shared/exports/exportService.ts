import type { Services } from '../services';
import type { ExportConfig } from '../model/export';
import type { Connection } from '../model/connection';
import type { Principal } from '../model/identity';
import { DestinationError } from '../destinations/destinationError';
import {
  ConflictError,
  ForbiddenError,
  InvalidError,
  NotFoundError,
  UnavailableError,
} from '../errors/domainErrors';
import { createExportStore } from './exportStore';
import { checkSegments } from './segmentChecks';
import { isAdmin, mayUseConnection } from './access';
import { randomId } from './ids';
import { hasStatus } from '../storage/tables';
import { DEFAULT_MIN_INTERVAL_MINUTES, type ExportRequest } from './schemas';
import type { AudiencesMode, DiscontinuedAudience } from '../discontinue/schemas';
import { silentLogger, type Logger } from '../logging/logger';

/** What removing an export or some of its segments does at the destination (default keep). */
export interface DiscontinueOptions {
  audiences?: AudiencesMode;
  logger?: Logger;
}

/** An export as one caller sees it. */
export type ExportView = ExportConfig & { canEdit: boolean };

export interface ExportService {
  get(exportId: string): Promise<ExportConfig | null>;
  /** Every export (scheduler). */
  listAll(): Promise<ExportConfig[]>;
  list(principal: Principal): Promise<ExportView[]>;
  /** 404 when missing. */
  view(exportId: string, principal: Principal): Promise<ExportView>;
  /** Validates and saves; never runs the export. */
  create(request: ExportRequest, principal: Principal): Promise<ExportView>;
  /** Segments the request drops are discontinued as `options.audiences` says. */
  update(
    exportId: string,
    request: ExportRequest,
    principal: Principal,
    options?: DiscontinueOptions,
  ): Promise<ExportView>;
  /** Deletes the export and its data; its audiences are kept or deactivated as `options.audiences` says. */
  remove(
    exportId: string,
    principal: Principal,
    options?: DiscontinueOptions,
  ): Promise<DiscontinuedAudience[]>;
  /** Whether the caller may start or cancel runs of the export (Admin, Runner, Contributor with access). */
  mayRun(exportConfig: ExportConfig, principal: Principal): Promise<boolean>;
  listByConnection(connectionId: string): Promise<ExportConfig[]>;
  /** Keeps the connection's exports, without connection and `inactive`. Returns how many. */
  detachConnection(connectionId: string): Promise<number>;
  /** Deletes the connection's exports and their data (audiences kept: the connection goes). Returns how many. */
  removeByConnection(connectionId: string): Promise<number>;
}

/** What a create or update request sets; saving makes the export active again. */
function configuredFields(request: ExportRequest, advertiserName: string) {
  return {
    displayName: request.displayName,
    connectionId: request.connectionId,
    advertiserId: request.advertiserId,
    advertiserName,
    emailField: request.emailField,
    segments: request.segments,
    hashEmails: request.hashEmails,
    replaceStrategy: request.replaceStrategy ?? 'replace',
    schedule:
      request.schedule.trigger === 'segmentUpdated'
        ? {
            ...request.schedule,
            minIntervalMinutes: request.schedule.minIntervalMinutes ?? DEFAULT_MIN_INTERVAL_MINUTES,
          }
        : request.schedule,
    consent: request.consent,
    status: 'active' as const,
  };
}

export function createExportService(services: Services): ExportService {
  const store = createExportStore(services.storage);

  async function connectionOf(exportConfig: ExportConfig): Promise<Connection | null> {
    return exportConfig.connectionId ? services.connections.get(exportConfig.connectionId) : null;
  }

  async function toView(exportConfig: ExportConfig, principal: Principal): Promise<ExportView> {
    const canEdit = isAdmin(principal) || mayUseConnection(principal, await connectionOf(exportConfig));
    return { ...exportConfig, canEdit };
  }

  async function requireExport(exportId: string) {
    const stored = await store.get(exportId);
    if (!stored)
      throw new NotFoundError(`Export "${exportId}" does not exist.`, {
        code: 'EXPORT_NOT_FOUND',
        field: 'id',
      });
    return stored;
  }

  async function requireEditable(exportConfig: ExportConfig, principal: Principal): Promise<void> {
    if (isAdmin(principal)) return;
    if (!mayUseConnection(principal, await connectionOf(exportConfig))) {
      throw new ForbiddenError(
        `Export "${exportConfig.id}" uses a connection that is not shared with contributors; only admins may change it.`,
        { code: 'CONNECTION_NOT_SHARED', field: 'connectionId' },
      );
    }
  }

  /** Every rule of the configuration API; returns the advertiser's display name. */
  async function validate(request: ExportRequest, principal: Principal): Promise<{ advertiserName: string }> {
    const connection = await services.connections.get(request.connectionId);
    if (!connection) {
      throw new InvalidError(`Connection "${request.connectionId}" does not exist.`, {
        code: 'CONNECTION_NOT_FOUND',
        field: 'connectionId',
      });
    }
    if (!mayUseConnection(principal, connection)) {
      throw new ForbiddenError(
        `Connection "${connection.displayName}" is not shared with contributors; ask an admin to share it or to configure this export.`,
        { code: 'CONNECTION_NOT_SHARED', field: 'connectionId' },
      );
    }
    if (connection.status !== 'ready') {
      throw new InvalidError(
        `Connection "${connection.displayName}" is ${connection.status}, not ready: it needs a completed RollWorks authorization and an export user.`,
        {
          code: 'CONNECTION_NOT_READY',
          field: 'connectionId',
          details: { connectionStatus: connection.status },
        },
      );
    }
    const advertiserName = await checkAdvertiser(connection, request.advertiserId);
    await checkSegments(services, connection, request);
    return { advertiserName };
  }

  async function checkAdvertiser(connection: Connection, advertiserId: string): Promise<string> {
    const account = services.destinations
      .get(connection.type)
      .forConnection(services.connections.tokenProvider(connection.id));
    try {
      const ids = (await account.listAdvertisers()).map((advertiser) => advertiser.id);
      if (!ids.includes(advertiserId)) {
        throw new InvalidError(
          `Advertiser ID "${advertiserId}" is not one of the ${ids.length} advertisers the RollWorks account of connection "${connection.displayName}" can write to.`,
          { code: 'ADVERTISER_NOT_ACCESSIBLE', field: 'advertiserId' },
        );
      }
      return (await account.verifyAdvertiser(advertiserId)).name;
    } catch (error) {
      if (!(error instanceof DestinationError)) throw error;
      if (error.kind === 'auth') {
        throw new InvalidError(
          `RollWorks refused the token of connection "${connection.displayName}" (${error.code}); an admin must authorize it again.`,
          { code: 'CONNECTION_REAUTHORIZATION_REQUIRED', field: 'connectionId' },
        );
      }
      if (error.code === 'NOT_FOUND') {
        throw new InvalidError(`RollWorks does not know Advertiser ID "${advertiserId}".`, {
          code: 'ADVERTISER_NOT_ACCESSIBLE',
          field: 'advertiserId',
        });
      }
      throw new UnavailableError(
        `RollWorks could not be asked which advertisers the connection can write to (${error.code}); try again later.`,
        {
          code: 'ROLLWORKS_UNAVAILABLE',
          field: 'advertiserId',
          retryAfterSeconds: Math.ceil((error.retryAfterMs ?? 60_000) / 1000),
        },
      );
    }
  }

  return {
    async get(exportId) {
      return (await store.get(exportId))?.value ?? null;
    },
    listAll: () => store.list(),
    async list(principal) {
      const all = await store.list();
      const connections = new Map<string, Promise<Connection | null>>();
      return Promise.all(
        all.map(async (exportConfig) => {
          if (isAdmin(principal)) return { ...exportConfig, canEdit: true };
          const id = exportConfig.connectionId;
          if (id && !connections.has(id)) connections.set(id, services.connections.get(id));
          const connection = id ? await connections.get(id)! : null;
          return { ...exportConfig, canEdit: mayUseConnection(principal, connection) };
        }),
      );
    },
    async view(exportId, principal) {
      return toView((await requireExport(exportId)).value, principal);
    },
    async create(request, principal) {
      const { advertiserName } = await validate(request, principal);
      const now = services.clock.now().toISOString();
      const exportConfig: ExportConfig = {
        id: randomId('exp'),
        ...configuredFields(request, advertiserName),
        createdAt: now,
        updatedAt: now,
        createdBy: { id: principal.id, name: principal.name },
      };
      await store.create(exportConfig);
      return toView(exportConfig, principal);
    },
    async update(exportId, request, principal, options = {}) {
      const stored = await requireExport(exportId);
      await requireEditable(stored.value, principal);
      const dropped = stored.value.segments.filter((segment) => !request.segments.includes(segment));
      const plan = await services.discontinue.check(
        stored.value,
        dropped,
        options.audiences ?? 'keep',
        false,
      );
      const { advertiserName } = await validate(request, principal);
      const updated: ExportConfig = {
        ...stored.value,
        ...configuredFields(request, advertiserName),
        updatedAt: services.clock.now().toISOString(),
      };
      try {
        await store.replace(updated, stored.etag);
      } catch (error) {
        if (hasStatus(error, 412)) {
          throw new ConflictError(
            `Export "${exportId}" was changed by someone else meanwhile; reload and retry.`,
            {
              code: 'EXPORT_CHANGED',
              field: 'id',
            },
          );
        }
        throw error;
      }
      if (dropped.length > 0)
        await services.discontinue.apply(plan, principal, options.logger ?? silentLogger);
      return toView(updated, principal);
    },
    async remove(exportId, principal, options = {}) {
      const stored = await requireExport(exportId);
      await requireEditable(stored.value, principal);
      const { segments } = stored.value;
      const plan = await services.discontinue.check(
        stored.value,
        segments,
        options.audiences ?? 'keep',
        true,
      );
      await store.remove(exportId);
      return services.discontinue.apply(plan, principal, options.logger ?? silentLogger);
    },
    async mayRun(exportConfig, principal) {
      if (isAdmin(principal) || principal.roles.includes('Exports.Runner')) return true;
      return mayUseConnection(principal, await connectionOf(exportConfig));
    },
    listByConnection: (connectionId) => store.list({ connectionId }),
    async detachConnection(connectionId) {
      const affected = await store.list({ connectionId });
      for (const exportConfig of affected) {
        const now = services.clock.now().toISOString();
        await store.replace({ ...exportConfig, connectionId: null, status: 'inactive', updatedAt: now }, '*');
      }
      return affected.length;
    },
    async removeByConnection(connectionId) {
      const affected = await store.list({ connectionId });
      for (const exportConfig of affected) {
        const plan = await services.discontinue.check(exportConfig, exportConfig.segments, 'keep', true);
        await store.remove(exportConfig.id);
        await services.discontinue.apply(plan, null, silentLogger);
      }
      return affected.length;
    },
  };
}
