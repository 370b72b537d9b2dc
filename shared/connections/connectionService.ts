import { randomUUID } from 'node:crypto';
import type { Services } from '../services';
import type { Connection } from '../model/connection';
import type { IdentityRef, Principal } from '../model/identity';
import type { AccessTokenProvider } from '../destinations/destination';
import { ConflictError, NotFoundError } from '../errors/domainErrors';
import { silentLogger, type Logger } from '../logging/logger';
import { isAdmin, mayUseConnection } from '../exports/access';
import type { AuthorizationOutcome } from './authorizationOutcome';
import {
  CONNECTION_TYPE,
  CONNECTIONS_TABLE,
  createConnectionRecords,
  toConnection,
  type ConnectionRecord,
} from './connectionRecords';
import { createConnectionTokens, REAUTHORIZATION_MESSAGE } from './connectionTokens';
import { exportLinks } from './exportLinks';
import { createAuthorizationCallback } from './authorizationCallback';
import { createOAuthStates, OAUTH_STATES_TABLE } from './oauthStates';
import { createRefreshLeases, TOKEN_LEASES_TABLE } from './refreshLease';
import type {
  ConnectionSummary,
  CreateConnectionInput,
  DeleteConnectionQuery,
  OAuthCallbackQuery,
  PatchConnectionInput,
} from './schemas';

export type ConnectionView = Connection | ConnectionSummary;

export interface ConnectionService {
  get(connectionId: string): Promise<Connection | null>;
  /** Access tokens of a connection, refreshed before expiry and serialized across instances. */
  tokenProvider(connectionId: string, log?: Logger): AccessTokenProvider;

  create(input: CreateConnectionInput, by: IdentityRef, log?: Logger): Promise<Connection>;
  /** Every connection, admins' view. */
  list(): Promise<Connection[]>;
  /** The connections a caller may see, in the view their role allows (admins: all; contributors: shared ones, summary). */
  listFor(viewer: Principal): Promise<ConnectionView[]>;
  /** One connection in the caller's view; NotFoundError when it does not exist or is not visible to them. */
  getFor(viewer: Principal, connectionId: string): Promise<ConnectionView>;
  update(connectionId: string, patch: PatchConnectionInput): Promise<Connection>;
  /** ConflictError listing the exports using it unless `exports` says what to do with them. */
  remove(connectionId: string, options?: DeleteConnectionQuery, log?: Logger): Promise<void>;
  /** RollWorks' sign-in URL with a fresh single-use state bound to the connection and the admin. */
  startAuthorization(
    connectionId: string,
    admin: IdentityRef,
    log?: Logger,
  ): Promise<{ authorizeUrl: string; expiresAt: string }>;
  /** Completes RollWorks' redirect back to the app. Never throws for a bad or abusive request. */
  completeAuthorization(query: OAuthCallbackQuery, log?: Logger): Promise<AuthorizationOutcome>;
  /** Records the identity exports on this connection run under. */
  setExportUser(connectionId: string, user: IdentityRef, log?: Logger): Promise<Connection>;
}

export const OAUTH_CALLBACK_PATH = '/api/oauth/rollworks/callback';

export interface ConnectionServiceOptions {
  logger?: Logger;
  /** How long one instance waits for another's token refresh, in ms. */
  refreshWaitTimeoutMs?: number;
}

export function createConnectionService(
  services: Services,
  options: ConnectionServiceOptions = {},
): ConnectionService {
  const { config, clock } = services;
  const logger = options.logger ?? silentLogger;
  const records = createConnectionRecords(services.storage.table(CONNECTIONS_TABLE));
  const states = createOAuthStates(
    services.storage.table(OAUTH_STATES_TABLE),
    clock,
    config.OAUTH_STATE_TTL_SECONDS,
  );
  const redirectUri = `${config.PUBLIC_BASE_URL}${OAUTH_CALLBACK_PATH}`;
  const links = exportLinks(services);
  const now = () => clock.now().toISOString();
  const destination = () => services.destinations.get(CONNECTION_TYPE);

  const leases = createRefreshLeases(services.storage.table(TOKEN_LEASES_TABLE), clock, {
    leaseSeconds: Math.ceil(config.ROLLWORKS_REQUEST_TIMEOUT_MS / 1000) + 30,
    waitTimeoutMs: options.refreshWaitTimeoutMs ?? config.ROLLWORKS_REQUEST_TIMEOUT_MS + 60_000,
  });
  const tokens = createConnectionTokens({
    secrets: services.secrets,
    leases,
    signIn: () => destination().signIn,
    clock,
    logger,
    onRefreshRejected: async (connectionId) => {
      await records.update(connectionId, (record) => ({
        ...record,
        reauthorizationRequired: true,
        lastError: { code: 'REAUTHORIZATION_REQUIRED', message: REAUTHORIZATION_MESSAGE },
        updatedAt: now(),
      }));
    },
  });

  const mustExist = (connectionId: string, record: ConnectionRecord | null): ConnectionRecord => {
    if (!record) throw notFound(connectionId);
    return record;
  };

  const viewFor = (viewer: Principal, record: ConnectionRecord): ConnectionView | null => {
    const connection = toConnection(record);
    if (isAdmin(viewer)) return connection;
    if (mayUseConnection(viewer, record)) {
      const { id, displayName, type, status } = connection;
      return { id, displayName, type, status };
    }
    return null;
  };

  const recordFailure = async (connectionId: string, code: string, message: string) => {
    await records.update(connectionId, (record) => ({
      ...record,
      lastError: { code, message },
      updatedAt: now(),
    }));
  };

  const callback = createAuthorizationCallback({
    records,
    states,
    tokens,
    clock,
    destination,
    redirectUri,
    stateTtlSeconds: config.OAUTH_STATE_TTL_SECONDS,
    recordFailure,
  });

  return {
    async get(connectionId) {
      const record = await records.read(connectionId);
      return record ? toConnection(record) : null;
    },

    tokenProvider: (connectionId, log = logger) => tokens.provider(connectionId, log),

    async create(input, by, log = logger) {
      const at = now();
      const record: ConnectionRecord = {
        id: randomUUID(),
        displayName: input.displayName,
        access: input.access,
        consent: { by: { id: by.id, name: by.name }, at },
        account: null,
        exportUser: null,
        profileLimit: input.profileLimit ?? null,
        authorization: null,
        reauthorizationRequired: false,
        lastError: null,
        createdAt: at,
        updatedAt: at,
      };
      await records.insert(record);
      log.info('connection created', { connectionId: record.id });
      return toConnection(record);
    },

    list: async () => (await records.list()).map(toConnection),

    async listFor(viewer) {
      const all = await records.list();
      return all
        .map((record) => viewFor(viewer, record))
        .filter((view): view is ConnectionView => view !== null);
    },

    async getFor(viewer, connectionId) {
      const record = await records.read(connectionId);
      const view = record ? viewFor(viewer, record) : null;
      if (!view) throw notFound(connectionId);
      return view;
    },

    async update(connectionId, patch) {
      const updated = await records.update(connectionId, (record) => ({
        ...record,
        displayName: patch.displayName ?? record.displayName,
        access: patch.access ?? record.access,
        profileLimit: patch.profileLimit === undefined ? record.profileLimit : patch.profileLimit,
        updatedAt: now(),
      }));
      return toConnection(mustExist(connectionId, updated));
    },

    async remove(connectionId, options = {}, log = logger) {
      mustExist(connectionId, await records.read(connectionId));
      const using = await links.using(connectionId);
      if (using.length > 0) {
        if (!options.exports) {
          const names = using.map((e) => `${e.displayName} (${e.id})`).join(', ');
          throw new ConflictError(
            `Connection ${connectionId} is used by ${using.length} export(s): ${names}. Delete with ?exports=detach to keep them inactive without a connection, or ?exports=remove to delete them.`,
            { code: 'CONNECTION_IN_USE', field: 'exports', details: { exports: using } },
          );
        }
        await links.release(connectionId, options.exports);
      }
      // Everything kept per connection is deleted here, the record last (a failure leaves it to retry).
      await tokens.remove(connectionId);
      await states.removeFor(connectionId);
      await leases.remove(connectionId);
      await services.suppressions.remove(connectionId);
      await records.remove(connectionId);
      log.info('connection deleted', { connectionId, exports: using.length, mode: options.exports });
    },

    async startAuthorization(connectionId, admin, log = logger) {
      mustExist(connectionId, await records.read(connectionId));
      const { state, expiresAt } = await states.issue(connectionId, admin);
      const authorizeUrl = destination().signIn.authorizeUrl(state, redirectUri);
      log.info('authorization started', { connectionId });
      return { authorizeUrl, expiresAt };
    },

    completeAuthorization: (query, log = logger) => callback.complete(query, log),

    async setExportUser(connectionId, user, log = logger) {
      const updated = await records.update(connectionId, (record) => ({
        ...record,
        exportUser: { id: user.id, name: user.name },
        updatedAt: now(),
      }));
      const connection = toConnection(mustExist(connectionId, updated));
      log.info('export user set', { connectionId, status: connection.status });
      return connection;
    },
  };
}

const notFound = (connectionId: string) =>
  new NotFoundError(`Connection ${connectionId} does not exist.`, {
    code: 'CONNECTION_NOT_FOUND',
    field: 'id',
  });
