import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { registry } from '../../dev/localHost/functionsCore';
import { createServices, disposeApp, startApp } from '../../shared/services';
import { UnauthenticatedError } from '../../shared/errors/domainErrors';
import type { Principal, Role } from '../../shared/model/identity';
import { generateSegment } from '../../dev/segmentGenerator';
import { gzipSync } from 'node:zlib';
import { putBlob, startSegmentTestEnv, type SegmentTestEnv } from './support';
import '../../functions/http';

let env: SegmentTestEnv;

const principals: Record<string, Principal> = {
  viewer: { id: 'u-viewer', name: 'Viewer', roles: ['Exports.Viewer'] },
  runner: { id: 'u-runner', name: 'Runner', roles: ['Exports.Runner'] },
  nobody: { id: 'u-nobody', name: 'Nobody', roles: [] as Role[] },
};

beforeAll(async () => {
  env = await startSegmentTestEnv();
  startApp(
    createServices(env.config, {
      authenticator: {
        authenticate: async (header) => {
          const principal = header ? principals[header.replace(/^Bearer /, '')] : undefined;
          if (!principal) throw new UnauthenticatedError('A bearer token is required.');
          return principal;
        },
      },
    }),
  );
  await generateSegment(env.container, 'vip-customers', 500, { seed: 3 });
  await generateSegment(env.container, 'lapsed', 300, { format: 'jsonl', gzip: true, writeManifest: true });
  await putBlob(env.container, 'broken/model.json', '{"entities": []}');
});

afterAll(async () => {
  disposeApp();
  await env?.azurite.stop();
});

/** Calls the handler registered for `name`, as the Functions host would. */
async function call(name: string, url: string, token?: string, params: Record<string, string> = {}) {
  const registration = registry.functions.find((entry) => entry.metadata.name === name);
  if (!registration) throw new Error(`function ${name} is not registered`);
  const request = new HttpRequest({
    method: 'GET',
    url: `http://127.0.0.1:7071${url}`,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    params,
  });
  const response = (await registration.handler(
    request,
    new InvocationContext({ functionName: name }),
  )) as HttpResponseInit;
  return {
    status: response.status ?? 200,
    body: response.jsonBody as Record<string, unknown>,
    headers: response.headers,
  };
}

describe('GET /api/segments', () => {
  it('is registered anonymous at host level on route segments and segments/{name}', () => {
    const routes = registry.functions
      .filter((entry) => ['listSegments', 'getSegment'].includes(entry.metadata.name))
      .map((entry) =>
        Object.values(entry.metadata.bindings).find((binding) => binding.type === 'httpTrigger'),
      )
      .map((binding) => [binding?.route, binding?.authLevel, binding?.methods]);
    expect(routes).toEqual([
      ['segments', 'anonymous', ['GET']],
      ['segments/{name}', 'anonymous', ['GET']],
    ]);
  });

  it('lists segments with counted sizes, fields and last change for every role', async () => {
    for (const token of ['viewer', 'runner']) {
      const { status, body } = await call('listSegments', '/api/segments', token);
      expect(status).toBe(200);
      const segments = body.segments as Record<string, unknown>[];
      expect(segments.map((segment) => segment.name)).toEqual(['broken', 'lapsed', 'vip-customers']);
      expect(segments[2]).toMatchObject({
        name: 'vip-customers',
        rowCount: 500,
        fields: [
          'CustomerId',
          'FirstName',
          'LastName',
          'Email',
          'City',
          'Country',
          'LoyaltyTier',
          'LastPurchaseDate',
        ],
        lastModified: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      expect(segments[1]).toMatchObject({ name: 'lapsed', rowCount: 300 });
      expect(segments[0]).toMatchObject({
        name: 'broken',
        rowCount: null,
        error: { code: 'MODEL_JSON_INVALID' },
      });
    }
  });

  it('answers without counting when count=false', async () => {
    await generateSegment(env.container, 'fresh', 120, { seed: 9 });
    const { body } = await call('listSegments', '/api/segments?count=false', 'viewer');
    const fresh = (body.segments as Record<string, unknown>[]).find((segment) => segment.name === 'fresh');
    expect(fresh).toMatchObject({ rowCount: null, fields: expect.arrayContaining(['Email']) });
  });

  it('needs a token and one of the roles', async () => {
    expect((await call('listSegments', '/api/segments')).status).toBe(401);
    const forbidden = await call('listSegments', '/api/segments', 'nobody');
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers).toMatchObject({ 'Content-Type': 'application/problem+json' });
  });
});

describe('GET /api/segments/{name}', () => {
  it('describes one segment', async () => {
    const { status, body } = await call('getSegment', '/api/segments/vip-customers', 'viewer', {
      name: 'vip-customers',
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ name: 'vip-customers', rowCount: 500, format: 'csv' });
  });

  it('answers problem+json naming the segment for a missing or broken one', async () => {
    const missing = await call('getSegment', '/api/segments/nope', 'viewer', { name: 'nope' });
    expect(missing.status).toBe(404);
    expect(missing.headers).toMatchObject({ 'Content-Type': 'application/problem+json' });
    expect(missing.body).toMatchObject({
      code: 'SEGMENT_NOT_FOUND',
      field: 'name',
      detail: expect.stringContaining("'nope'"),
    });
    const broken = await call('getSegment', '/api/segments/broken', 'viewer', { name: 'broken' });
    expect(broken.status).toBe(422);
    expect(broken.body).toMatchObject({ code: 'MODEL_JSON_INVALID', field: 'name' });
  });

  it('describes a segment with damaged partitions as its own problem (422 naming it), never a 5xx', async () => {
    const csv = 'Email,Name\n' + Array.from({ length: 50 }, (_, i) => `p${i}@example.com,P${i}`).join('\n');
    const gzipped = gzipSync(Buffer.from(csv));
    const badCrc = Buffer.from(gzipped);
    badCrc.writeUInt32LE(badCrc.readUInt32LE(badCrc.length - 8) ^ 0xffff, badCrc.length - 8);
    const broken: Record<string, Buffer> = {
      'not-gzip/part-00000.csv.gz': Buffer.from(csv),
      'truncated/part-00000.csv.gz': gzipped.subarray(0, Math.floor(gzipped.length / 2)),
      'bad-crc/part-00000.csv.gz': badCrc,
      'long-field/part-00000.csv': Buffer.from(`Email,Name\n"${'x'.repeat(20 * 1024 * 1024)}`),
    };
    for (const [blob, body] of Object.entries(broken)) {
      await env.container.getBlockBlobClient(blob).upload(body, body.length);
    }
    for (const name of ['not-gzip', 'truncated', 'bad-crc', 'long-field']) {
      const { status, body } = await call('getSegment', `/api/segments/${name}`, 'viewer', { name });
      expect({ name, status }).toEqual({ name, status: 422 });
      expect(body).toMatchObject({ code: 'SEGMENT_DATA_INVALID', field: 'name' });
      expect(body.detail).not.toMatch(/store|storage/i);
    }
  });
});
