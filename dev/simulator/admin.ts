import { parseFaults } from './faults';
import { apiError, parseJsonObject, type SimRequest, type SimResponse } from './http';
import type { SimulatorState } from './state';

/** Test-only inspection and control; never faulted, never counted, never logged. */
export function handleAdmin(state: SimulatorState, request: SimRequest): SimResponse {
  const path = request.url.pathname.replace(/\/+$/, '');
  const { method } = request;
  if (path === '/__admin/state' && method === 'GET')
    return { status: 200, json: state.snapshot(request.url.searchParams.get('members') !== 'false') };

  const members = /^\/__admin\/audiences\/([^/]+)\/members$/.exec(path);
  if (members && method === 'GET') {
    const audience = state.audiences.get(members[1]);
    if (!audience) return apiError(404, 'Unknown audience');
    return {
      status: 200,
      json: { id: audience.id, deleted: audience.deleted, members: [...audience.members] },
    };
  }

  if (method !== 'POST') return apiError(404, `Unknown admin endpoint ${method} ${path}`);
  const body = parseJsonObject(request, true);
  if (!body.ok) return body.response;

  switch (path) {
    case '/__admin/reset':
      state.reset();
      return { status: 200, json: { result: 'reset' } };
    case '/__admin/faults': {
      const faults = parseFaults(body.value);
      if (typeof faults === 'string') return apiError(400, faults);
      state.setFaults(faults);
      return { status: 200, json: { faults } };
    }
    case '/__admin/quota':
      return setQuota(state, body.value);
    case '/__admin/expire-tokens':
      return { status: 200, json: { expired: state.expireAccessTokens() } };
    default:
      return apiError(404, `Unknown admin endpoint ${method} ${path}`);
  }
}

/** Body `{dailyQuota?, used?, clientId?}`; `used` applies to `clientId`, or to every client when omitted. */
function setQuota(state: SimulatorState, body: Record<string, unknown>): SimResponse {
  const { dailyQuota, used, clientId } = body;
  const isCount = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 0;
  if (dailyQuota !== undefined && !isCount(dailyQuota))
    return apiError(400, 'dailyQuota must be an integer >= 0');
  if (used !== undefined && !isCount(used)) return apiError(400, 'used must be an integer >= 0');
  if (clientId !== undefined && (typeof clientId !== 'string' || !state.clients.has(clientId)))
    return apiError(400, 'clientId must be a known client id');
  if (dailyQuota !== undefined) state.dailyQuota = dailyQuota as number;
  if (used !== undefined) {
    const targets = clientId !== undefined ? [clientId as string] : [...state.clients.keys()];
    for (const target of targets) state.setQuotaUsed(target, used as number);
  }
  return { status: 200, json: state.quotaSnapshot() };
}
