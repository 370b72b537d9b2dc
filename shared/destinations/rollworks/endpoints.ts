import type { AppConfig } from '../../config/config';
import type { AccessTokenProvider, Audience, DestinationAccount, NamedEntity } from '../destination';
import { field } from './json';
import { membersRequestBody } from './membersBody';
import type { RequestSpec, Transport } from './transport';

export type EndpointSettings = Pick<AppConfig, 'ROLLWORKS_API_BASE_URL'>;

/** The account calls, plus RollWorks' own list and delete (exports find audiences by name, never delete). */
export interface RollWorksAccount extends DestinationAccount {
  listAudiences(advertiserId: string): Promise<Audience[]>;
  deleteAudience(audienceId: string): Promise<void>;
}

/**
 * The API calls of `/shared/rollworks-api.md`, made with one connection's tokens. RollWorks calls an
 * audience a segment: `segment_id` on the wire is our `audienceId`, `emails` its `memberCount`.
 */
export function createRollWorksAccount(
  config: EndpointSettings,
  send: Transport,
  tokens: AccessTokenProvider,
): RollWorksAccount {
  const call = (spec: Omit<RequestSpec, 'tokens' | 'budgeted'>) => send({ ...spec, tokens, budgeted: true });
  const api = (path: string) => `${config.ROLLWORKS_API_BASE_URL}${path}`;
  const segmentPath = (audienceId: string) => api(`/audience/v1/segments/${encodeURIComponent(audienceId)}`);

  async function listAudiences(advertiserId: string): Promise<Audience[]> {
    const data = await call({
      operation: 'listAudiences',
      method: 'GET',
      url: api('/audience/v1/segments'),
      query: { advertiser_id: advertiserId, type: 'crm' },
      idempotent: true,
    });
    const list = field(data, 'segments') ?? field(data, 'results') ?? field(data, 'data');
    return Array.isArray(list) ? list.map(toAudience) : [];
  }

  return {
    listAudiences,
    async verifyAccount() {
      const data = await call({
        operation: 'getOrganization',
        method: 'GET',
        url: api('/api/v1/organization/get'),
        idempotent: true,
      });
      return eidAndName(field(data, 'results'));
    },
    async listAdvertisers() {
      const data = await call({
        operation: 'listAdvertisers',
        method: 'GET',
        url: api('/audience/v1/advertisers'),
        idempotent: true,
      });
      const list = field(data, 'data');
      return (Array.isArray(list) ? list : [])
        .map((item) => ({ id: String(field(item, 'advertiser_id') ?? ''), name: field(item, 'name') }))
        .filter((item) => item.id !== '')
        .map(({ id, name }) => ({ id, name: typeof name === 'string' && name ? name : id }));
    },
    async verifyAdvertiser(advertiserId) {
      const data = await call({
        operation: 'getAdvertisable',
        method: 'GET',
        url: api('/api/v1/advertisable/get'),
        query: { advertisable: advertiserId },
        idempotent: true,
      });
      return eidAndName(field(data, 'results'));
    },
    async findAudiences(advertiserId, name) {
      return (await listAudiences(advertiserId)).filter((audience) => audience.name === name);
    },
    async createAudience(advertiserId, name, members, options) {
      const body = membersRequestBody(
        `{"advertiser_id":${JSON.stringify(advertiserId)},"name":${JSON.stringify(name)},"type":"crm","data":`,
        members,
        '}',
      );
      const data = await call({
        operation: 'createAudience',
        method: 'POST',
        url: api('/audience/v1/segments'),
        body,
        idempotent: false,
        onSent: options?.onRequestSent,
      });
      return toAudience(field(data, 'segment') ?? data);
    },
    async replaceAudience(audienceId, name, members, options) {
      const body = membersRequestBody(`{"name":${JSON.stringify(name)},"data":`, members, '}');
      const data = await call({
        operation: 'replaceAudience',
        method: 'POST',
        url: segmentPath(audienceId),
        body,
        idempotent: true,
        onSent: options?.onRequestSent,
      });
      const audience = toAudience(field(data, 'segment') ?? data);
      return { ...audience, audienceId: audience.audienceId || audienceId };
    },
    async readAudience(audienceId) {
      const data = await call({
        operation: 'getAudience',
        method: 'GET',
        url: segmentPath(audienceId),
        idempotent: true,
      });
      return toAudience(field(data, 'segment') ?? field(data, 'results') ?? data);
    },
    async matchedMembers(advertiserId, audienceIds) {
      const ask = (ids: readonly string[]) =>
        call({
          operation: 'getUserListSizes',
          method: 'GET',
          url: api('/user-lists/api/v1/userlists/segment'),
          query: userListQuery(advertiserId, ids),
          idempotent: true,
        });
      const matched = new Map<string, number>();
      const results = field(await ask(audienceIds), 'results');
      const perAudience = field(results, 'segments');
      for (const id of audienceIds) {
        const visitors = Number(field(field(perAudience, id), 'current_visitors'));
        if (Number.isFinite(visitors)) matched.set(id, visitors);
      }
      // The per-audience shape is undocumented: with a summary only, one audience per request.
      if (matched.size === 0 && audienceIds.length === 1) {
        const visitors = Number(field(field(results, 'summary'), 'current_visitors'));
        if (Number.isFinite(visitors)) matched.set(audienceIds[0], visitors);
      } else if (matched.size === 0) {
        for (const id of audienceIds) {
          const summary = field(field(await ask([id]), 'results'), 'summary');
          const visitors = Number(field(summary, 'current_visitors'));
          if (Number.isFinite(visitors)) matched.set(id, visitors);
        }
      }
      return matched;
    },
    async deleteAudience(audienceId) {
      await call({
        operation: 'deleteAudience',
        method: 'DELETE',
        url: segmentPath(audienceId),
        idempotent: true,
      });
    },
  };
}

/** The User Lists API reports over a date range; the last 30 days cover a list written 72 hours ago. */
function userListQuery(advertiserId: string, audienceIds: readonly string[]): Record<string, string> {
  const day = (date: Date) => date.toISOString().slice(0, 10);
  const end = new Date();
  return {
    advertisable_eid: advertiserId,
    segment_eids: audienceIds.join(','),
    breakdowns: 'summary',
    start_date: day(new Date(end.getTime() - 30 * 86_400_000)),
    end_date: day(end),
  };
}

function eidAndName(value: unknown): NamedEntity {
  return { id: String(field(value, 'eid') ?? ''), name: String(field(value, 'name') ?? '') };
}

function toAudience(value: unknown): Audience {
  return {
    audienceId: String(field(value, 'segment_id') ?? field(value, 'id') ?? ''),
    name: String(field(value, 'name') ?? ''),
    type: String(field(value, 'type') ?? 'crm'),
    memberCount: Number(field(value, 'emails') ?? field(value, 'size') ?? 0) || 0,
  };
}
