import { enoughMembers, parseSegmentMembers, uniqueMembers } from './emailRules';
import { drawFault, type InjectedFault } from './faults';
import {
  apiError,
  isJsonContentType,
  parseJsonObject,
  type Parsed,
  type SimRequest,
  type SimResponse,
} from './http';
import type { MemberSet } from './memberSet';
import { scanSegmentBody } from './segmentBody';
import type { SimulatorUser } from './options';
import { newEid, type SimulatorState, type StoredAudience } from './state';
import { userListSizes } from './userLists';

export interface ApiOutcome {
  response: SimResponse;
  clientId?: string;
  fault?: InjectedFault;
}

/**
 * Order of checks: body size (like a front proxy), apikey, daily quota (every counted call costs one,
 * injected faults included), injected faults, bearer token, then the route.
 */
export async function handleApi(state: SimulatorState, request: SimRequest): Promise<ApiOutcome> {
  if (request.bodyTooLarge)
    return { response: apiError(413, `Request body exceeds ${state.maxRequestBytes} bytes`) };

  const clientId = request.url.searchParams.get('apikey') ?? '';
  if (!state.clients.has(clientId)) return { response: apiError(401, 'Missing or unknown apikey') };
  if (!state.consumeQuota(clientId))
    return { clientId, response: apiError(429, 'Daily request quota exceeded for this application') };

  const fault = drawFault(state.faults, state.random);
  if (fault === '429') {
    const headers: Record<string, string> =
      state.faults.retryAfterSeconds !== undefined
        ? { 'retry-after': String(state.faults.retryAfterSeconds) }
        : {};
    return { clientId, fault, response: { ...apiError(429, 'Too many requests (injected)'), headers } };
  }
  if (fault === '500')
    return { clientId, fault, response: apiError(500, 'Internal server error (injected)') };
  if (fault === 'drop' && !state.faults.dropAfterProcessing)
    return { clientId, fault, response: { status: 0, drop: true } };

  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (!bearer) return { clientId, response: apiError(401, 'Missing bearer access token') };
  const user = state.authenticate(bearer[1], clientId);
  if (typeof user === 'string') return { clientId, response: apiError(401, user) };

  const response = route(state, request, user);
  return fault === 'drop'
    ? { clientId, fault, response: { status: response.status, drop: true } }
    : { clientId, response };
}

function route(state: SimulatorState, request: SimRequest, user: SimulatorUser): SimResponse {
  const path = request.url.pathname.replace(/\/+$/, '');
  const method = request.method;
  const only = (allowed: string, handler: () => SimResponse): SimResponse =>
    method === allowed ? handler() : apiError(405, `Method ${method} not allowed`);

  if (path === '/api/v1/organization/get')
    return only('GET', () => ({ status: 200, json: { results: { ...user.organization } } }));
  if (path === '/audience/v1/advertisers')
    return only('GET', () => ({
      status: 200,
      json: { data: user.advertisables.map((a) => ({ advertiser_id: a.eid, name: a.name })) },
    }));
  if (path === '/api/v1/advertisable/get') return only('GET', () => getAdvertisable(state, request, user));
  if (path === '/user-lists/api/v1/userlists/segment')
    return only('GET', () => userListSizes(state, request.url, user));
  if (path === '/audience/v1/segments') {
    if (method === 'POST') return createSegment(state, request, user);
    return only('GET', () => listSegments(state, request, user));
  }
  const segmentPath = /^\/audience\/v1\/segments\/([^/]+)$/.exec(path);
  if (segmentPath) {
    const segmentId = segmentPath[1];
    if (method === 'GET') return withSegment(state, user, segmentId, (a) => segmentBody(a));
    if (method === 'POST')
      return withSegment(state, user, segmentId, (a) => replaceSegment(state, request, a));
    if (method === 'DELETE')
      return withSegment(state, user, segmentId, (a) => {
        a.deleted = true;
        a.updatedAt = state.now();
        return { status: 200, json: { result: 'success' } };
      });
    return apiError(405, `Method ${method} not allowed`);
  }
  return apiError(404, `Unknown endpoint ${path}`);
}

function getAdvertisable(state: SimulatorState, request: SimRequest, user: SimulatorUser): SimResponse {
  const eid = request.url.searchParams.get('advertisable');
  if (!eid) return apiError(400, 'advertisable is required', 'advertisable');
  const advertisable = user.advertisables.find((a) => a.eid === eid);
  if (advertisable)
    return {
      status: 200,
      json: {
        results: { eid: advertisable.eid, name: advertisable.name, organization: user.organization.eid },
      },
    };
  return state.advertisableExists(eid)
    ? apiError(403, 'This token has no access to that advertisable', 'advertisable')
    : apiError(404, 'Unknown advertisable', 'advertisable');
}

function checkAdvertiser(
  state: SimulatorState,
  user: SimulatorUser,
  advertiserId: unknown,
): SimResponse | undefined {
  if (typeof advertiserId !== 'string' || advertiserId === '')
    return apiError(400, 'advertiser_id is required', 'advertiser_id');
  if (state.userOwnsAdvertisable(user, advertiserId)) return undefined;
  return state.advertisableExists(advertiserId)
    ? apiError(403, 'This token has no access to that advertiser', 'advertiser_id')
    : apiError(404, 'Unknown advertiser', 'advertiser_id');
}

function segmentSummary(audience: StoredAudience) {
  return { segment_id: audience.id, type: audience.type, name: audience.name, emails: audience.members.size };
}

function segmentBody(audience: StoredAudience): SimResponse {
  return { status: 200, json: { result: 'success', segment: segmentSummary(audience) } };
}

function validName(name: unknown): name is string {
  return typeof name === 'string' && name.trim() !== '' && name.length <= 255;
}

/** A segment write body: its other fields, and its members (validated when asked, after the fields). */
function readSegmentWrite(
  request: SimRequest,
): Parsed<{ fields: Record<string, unknown>; members: () => Parsed<MemberSet> }> {
  const scanned =
    request.body.length > 0 && isJsonContentType(request.headers) ? scanSegmentBody(request.body) : undefined;
  if (scanned) {
    const { fields, emails, digests } = scanned;
    return {
      ok: true,
      value: { fields, members: () => (digests ? enoughMembers(digests) : uniqueMembers(emails)) },
    };
  }
  const body = parseJsonObject(request);
  if (!body.ok) return body;
  return { ok: true, value: { fields: body.value, members: () => parseSegmentMembers(body.value.data) } };
}

function createSegment(state: SimulatorState, request: SimRequest, user: SimulatorUser): SimResponse {
  const write = readSegmentWrite(request);
  if (!write.ok) return write.response;
  const fields = write.value.fields;
  const advertiserError = checkAdvertiser(state, user, fields.advertiser_id);
  if (advertiserError) return advertiserError;
  if (!validName(fields.name)) return apiError(400, 'name is required (1-255 characters)', 'name');
  if (fields.type !== 'crm') return apiError(400, 'type must be "crm"', 'type');
  const members = write.value.members();
  if (!members.ok) return members.response;
  const now = state.now();
  // Duplicate names are allowed, as in the real API: a retried create makes a second audience.
  const audience: StoredAudience = {
    id: newEid(),
    advertiserId: fields.advertiser_id as string,
    name: fields.name,
    type: 'crm',
    members: members.value,
    createdAt: now,
    updatedAt: now,
    deleted: false,
  };
  state.audiences.set(audience.id, audience);
  return segmentBody(audience);
}

function replaceSegment(state: SimulatorState, request: SimRequest, audience: StoredAudience): SimResponse {
  const write = readSegmentWrite(request);
  if (!write.ok) return write.response;
  const { name, type } = write.value.fields;
  if (name !== undefined && !validName(name)) return apiError(400, 'name must be 1-255 characters', 'name');
  if (type !== undefined && type !== 'crm') return apiError(400, 'type must be "crm"', 'type');
  const members = write.value.members();
  if (!members.ok) return members.response;
  audience.members = state.replaceAppends ? new Set([...audience.members, ...members.value]) : members.value;
  if (name !== undefined) audience.name = name;
  audience.updatedAt = state.now();
  return segmentBody(audience);
}

function withSegment(
  state: SimulatorState,
  user: SimulatorUser,
  segmentId: string,
  handler: (audience: StoredAudience) => SimResponse,
): SimResponse {
  const audience = state.audiences.get(segmentId);
  if (!audience || audience.deleted) return apiError(404, 'Unknown segment', 'segment_id');
  if (!state.userOwnsAdvertisable(user, audience.advertiserId))
    return apiError(403, 'This token has no access to that segment', 'segment_id');
  return handler(audience);
}

function listSegments(state: SimulatorState, request: SimRequest, user: SimulatorUser): SimResponse {
  const advertiserId = request.url.searchParams.get('advertiser_id');
  const advertiserError = checkAdvertiser(state, user, advertiserId);
  if (advertiserError) return advertiserError;
  const type = request.url.searchParams.get('type');
  const segments = [...state.audiences.values()]
    .filter((a) => !a.deleted && a.advertiserId === advertiserId && (!type || a.type === type))
    .map(segmentSummary);
  return { status: 200, json: { segments } };
}
