import {
  createExport,
  deleteExport,
  getExport,
  listExports,
  updateExport,
} from '../../functions/routes/exportRoutes';
import { ADVERTISER, exportBody, startExportStack, type ExportStack } from './support/exportStack';

let stack: ExportStack;

beforeAll(async () => {
  stack = await startExportStack();
  await stack.writeSegment('newsletter', { rows: 3, manifestRows: 5_000 });
  await stack.writeSegment('vip', { rows: 3, manifestRows: 120_000 });
  await stack.writeSegment('tiny', { rows: 60 }); // no manifest: counted on demand
  await stack.writeSegment('huge', { rows: 3, manifestRows: 250_001 });
  await stack.writeSegment('noemail', { rows: 3, fields: ['mail', 'name'], manifestRows: 5_000 });
  await stack.writeSegment('consenting', {
    rows: 3,
    fields: ['email', 'MarketingConsent'],
    manifestRows: 5_000,
  });
});
afterAll(() => stack?.stop());

const post = (body: unknown, as?: Parameters<ExportStack['call']>[1]['as']) =>
  stack.call(createExport, { method: 'POST', path: '/api/exports', body, as });

describe('POST /api/exports', () => {
  test('saves a valid export with the advertiser name, active, without running it', async () => {
    const connection = stack.connections.add();
    const response = await post(exportBody(connection.id, ['newsletter', 'vip']));
    expect(response.status).toBe(201);
    expect(response.headers.Location).toBe(`/api/exports/${response.body.id}`);
    expect(response.body).toMatchObject({
      displayName: 'Newsletter audiences',
      connectionId: connection.id,
      advertiserId: ADVERTISER.eid,
      advertiserName: ADVERTISER.name,
      segments: ['newsletter', 'vip'],
      hashEmails: true,
      schedule: { enabled: true },
      status: 'active',
      canEdit: true,
    });
    expect(response.body.id).toMatch(/^exp_/);
    expect(await stack.queuedMessages()).toEqual([]);
    const read = await stack.call(getExport, {
      method: 'GET',
      path: `/api/exports/${response.body.id}`,
      params: { id: response.body.id },
      as: 'Exports.Viewer',
    });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      id: response.body.id,
      advertiserName: ADVERTISER.name,
      canEdit: false,
    });
  });

  test('unknown connection → 422 naming connectionId', async () => {
    const response = await post(exportBody('00000000-0000-4000-8000-999999999999', ['newsletter']));
    expect(response.status).toBe(422);
    expect(response.headers['Content-Type']).toBe('application/problem+json');
    expect(response.body).toMatchObject({ code: 'CONNECTION_NOT_FOUND', field: 'connectionId' });
  });

  test('connection that is not ready → 422 naming connectionId and its status', async () => {
    const connection = stack.connections.add({ status: 'authorized' });
    const response = await post(exportBody(connection.id, ['newsletter']));
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'CONNECTION_NOT_READY', field: 'connectionId' });
    expect(response.body.detail).toContain('authorized');
  });

  test('advertiser the token cannot write to → 422 naming advertiserId', async () => {
    const connection = stack.connections.add();
    const response = await post(
      exportBody(connection.id, ['newsletter'], { advertiserId: 'NOTMINE0000000000000000' }),
    );
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'ADVERTISER_NOT_ACCESSIBLE', field: 'advertiserId' });
  });

  test('missing segment → 422 naming the segment', async () => {
    const connection = stack.connections.add();
    const response = await post(exportBody(connection.id, ['newsletter', 'nowhere']));
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'SEGMENT_NOT_FOUND', field: 'segments.1' });
    expect(response.body.detail).toContain('"nowhere"');
  });

  test('segment without the mapped email field → 422 naming emailField', async () => {
    const connection = stack.connections.add();
    const response = await post(exportBody(connection.id, ['noemail']));
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'EMAIL_FIELD_MISSING', field: 'emailField' });
    expect(response.body.detail).toContain('"noemail"');
  });

  test('consent filter: saved and answered; a chosen segment without the field → 422 naming consent.field', async () => {
    const connection = stack.connections.add();
    const consent = { field: 'MarketingConsent', acceptedValues: [' true ', 'yes', '1'] };
    const saved = await post({ ...exportBody(connection.id, ['consenting']), consent });
    expect(saved.status).toBe(201);
    expect(saved.body.consent).toEqual({ field: 'MarketingConsent', acceptedValues: ['true', 'yes', '1'] });

    const missing = await post({ ...exportBody(connection.id, ['consenting', 'newsletter']), consent });
    expect(missing.status).toBe(422);
    expect(missing.body).toMatchObject({ code: 'CONSENT_FIELD_MISSING', field: 'consent.field' });
    expect(missing.body.detail).toContain('"newsletter" has no field "MarketingConsent"');

    for (const acceptedValues of [[], Array.from({ length: 21 }, (_, i) => `v${i}`), ['yes', '  ']]) {
      const invalid = await post({
        ...exportBody(connection.id, ['consenting']),
        consent: { ...consent, acceptedValues },
      });
      expect(invalid.status).toBe(422);
      expect(invalid.body.field).toMatch(/^consent\.acceptedValues/);
    }
  });

  test('segment under 100 profiles (counted, no manifest) → 422 with both numbers', async () => {
    const connection = stack.connections.add();
    const response = await post(exportBody(connection.id, ['newsletter', 'tiny']));
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'SEGMENT_TOO_SMALL', field: 'segments.1' });
    expect(response.body.detail).toContain('"tiny" has 60 profiles');
    expect(response.body.detail).toContain('minimum of 100');
  });

  test('segment over 250,000 → 422 with both numbers', async () => {
    const connection = stack.connections.add();
    const response = await post(exportBody(connection.id, ['huge']));
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'SEGMENT_TOO_LARGE', field: 'segments.0' });
    expect(response.body.detail).toContain('"huge" has 250001 profiles');
    expect(response.body.detail).toContain('250000');
  });

  test("segment over the connection's lower contract limit → 422 with both numbers", async () => {
    const connection = stack.connections.add({ profileLimit: 100_000 });
    const response = await post(exportBody(connection.id, ['newsletter', 'vip']));
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'SEGMENT_TOO_LARGE', field: 'segments.1' });
    expect(response.body.detail).toContain('"vip" has 120000 profiles');
    expect(response.body.detail).toContain('contract limit of 100000');
  });

  test('invalid cron and time zone → 422 naming schedule fields', async () => {
    const connection = stack.connections.add();
    const badCron = await post(
      exportBody(connection.id, ['newsletter'], { schedule: { enabled: true, cron: '0 61 * * * *' } }),
    );
    expect(badCron.status).toBe(422);
    expect(badCron.body.field).toBe('schedule.cron');
    const badZone = await post(
      exportBody(connection.id, ['newsletter'], {
        schedule: { enabled: true, cron: '0 0 6 * * *', timeZone: 'Mars/Olympus' },
      }),
    );
    expect(badZone.status).toBe(422);
    expect(badZone.body.field).toBe('schedule.timeZone');
    expect(badZone.body.detail).toContain('IANA');
    const zoneWithoutCron = await post(
      exportBody(connection.id, ['newsletter'], { schedule: { enabled: true, timeZone: 'Europe/Berlin' } }),
    );
    expect(zoneWithoutCron.status).toBe(422);
    expect(zoneWithoutCron.body.field).toBe('schedule.timeZone');
  });

  test('missing fields → 422 naming each', async () => {
    const response = await post({ displayName: 'x' });
    expect(response.status).toBe(422);
    const fields = response.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(['connectionId', 'advertiserId', 'emailField', 'segments']),
    );
  });

  test('viewers and runners may not create exports', async () => {
    const connection = stack.connections.add();
    expect((await post(exportBody(connection.id, ['newsletter']), 'Exports.Viewer')).status).toBe(403);
    expect((await post(exportBody(connection.id, ['newsletter']), 'Exports.Runner')).status).toBe(403);
    expect((await post(exportBody(connection.id, ['newsletter']), 'none')).status).toBe(401);
  });
});

describe('contributors', () => {
  test('may configure exports on shared connections, not on admin-only ones (403)', async () => {
    const shared = stack.connections.add({ access: 'adminsAndContributors' });
    const adminOnly = stack.connections.add({ access: 'admins' });
    const ok = await post(exportBody(shared.id, ['newsletter']), 'Exports.Contributor');
    expect(ok.status).toBe(201);
    expect(ok.body.canEdit).toBe(true);
    const refused = await post(exportBody(adminOnly.id, ['newsletter']), 'Exports.Contributor');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'CONNECTION_NOT_SHARED', field: 'connectionId' });
  });

  test('see every export with canEdit telling which they may change', async () => {
    const shared = stack.connections.add({ access: 'adminsAndContributors' });
    const adminOnly = stack.connections.add({ access: 'admins' });
    const mine = (await post(exportBody(shared.id, ['newsletter']))).body;
    const adminsOnly = (await post(exportBody(adminOnly.id, ['newsletter']))).body;
    const list = await stack.call(listExports, {
      method: 'GET',
      path: '/api/exports',
      as: 'Exports.Contributor',
    });
    expect(list.status).toBe(200);
    const byId = new Map(list.body.exports.map((e: { id: string; canEdit: boolean }) => [e.id, e.canEdit]));
    expect(byId.get(mine.id)).toBe(true);
    expect(byId.get(adminsOnly.id)).toBe(false);

    const put = (id: string) =>
      stack.call(updateExport, {
        method: 'PUT',
        path: `/api/exports/${id}`,
        params: { id },
        body: exportBody(adminOnly.id, ['newsletter'], { displayName: 'Changed' }),
        as: 'Exports.Contributor',
      });
    expect((await put(adminsOnly.id)).status).toBe(403);
    const del = await stack.call(deleteExport, {
      method: 'DELETE',
      path: `/api/exports/${adminsOnly.id}`,
      params: { id: adminsOnly.id },
      as: 'Exports.Contributor',
    });
    expect(del.status).toBe(403);
    // Moving their own export to an admin-only connection is refused as well.
    expect((await put(mine.id)).status).toBe(403);
  });
});

describe('PUT and DELETE /api/exports/{id}', () => {
  test('update applies the same checks and keeps id and creation', async () => {
    const connection = stack.connections.add();
    const created = (await post(exportBody(connection.id, ['newsletter']))).body;
    const put = (body: unknown) =>
      stack.call(updateExport, {
        method: 'PUT',
        path: `/api/exports/${created.id}`,
        params: { id: created.id },
        body,
      });
    const refused = await put(exportBody(connection.id, ['newsletter', 'tiny']));
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('SEGMENT_TOO_SMALL');
    const updated = await put(
      exportBody(connection.id, ['newsletter', 'vip'], {
        displayName: 'Renamed',
        hashEmails: false,
        schedule: { enabled: true, cron: '0 30 6 * * 1-5', timeZone: 'Europe/Berlin' },
      }),
    );
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      id: created.id,
      createdAt: created.createdAt,
      displayName: 'Renamed',
      hashEmails: false,
      segments: ['newsletter', 'vip'],
      schedule: { enabled: true, cron: '0 30 6 * * 1-5', timeZone: 'Europe/Berlin' },
    });
  });

  test('delete removes the export; a second delete is 404', async () => {
    const connection = stack.connections.add();
    const created = (await post(exportBody(connection.id, ['newsletter']))).body;
    const del = () =>
      stack.call(deleteExport, {
        method: 'DELETE',
        path: `/api/exports/${created.id}`,
        params: { id: created.id },
      });
    expect((await del()).status).toBe(204);
    expect((await del()).status).toBe(404);
    const read = await stack.call(getExport, {
      method: 'GET',
      path: `/api/exports/${created.id}`,
      params: { id: created.id },
    });
    expect(read.status).toBe(404);
  });
});

describe('connection helpers', () => {
  test('detachConnection keeps exports inactive without connection; removeByConnection deletes them', async () => {
    const a = stack.connections.add();
    const b = stack.connections.add();
    const onA = (await post(exportBody(a.id, ['newsletter']))).body;
    const onB = (await post(exportBody(b.id, ['newsletter']))).body;
    expect((await stack.services.exports.listByConnection(a.id)).map((e) => e.id)).toEqual([onA.id]);
    expect(await stack.services.exports.detachConnection(a.id)).toBe(1);
    expect(await stack.services.exports.get(onA.id)).toMatchObject({
      connectionId: null,
      status: 'inactive',
    });
    expect(await stack.services.exports.removeByConnection(b.id)).toBe(1);
    expect(await stack.services.exports.get(onB.id)).toBeNull();
  });
});
