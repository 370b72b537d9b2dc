import { createSegmentSource } from '../../shared/segments/blobSegmentSource';
import { SegmentSourceError, type SegmentSource } from '../../shared/segments/segmentSource';
import { generateSegment } from '../../dev/segmentGenerator';
import { putBlob, readRows, rejectionOf, startSegmentTestEnv, type SegmentTestEnv } from './support';

let env: SegmentTestEnv;
let source: SegmentSource;

beforeAll(async () => {
  env = await startSegmentTestEnv();
  source = createSegmentSource(env.config, env.storage);
});

afterAll(async () => {
  await env?.azurite.stop();
});

const normalized = (email: string) => email.trim().toLowerCase();
const looksValid = (email: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(normalized(email));

describe('generated segments in every format', () => {
  it.each([
    ['csv', false],
    ['csv', true],
    ['jsonl', false],
    ['jsonl', true],
    ['cdm', false],
    ['cdm', true],
  ] as const)('reads %s (gzip %s) in three partitions, every row once', async (format, gzip) => {
    const name = `gen-${format}${gzip ? '-gz' : ''}`;
    const generated = await generateSegment(env.container, name, 1500, {
      format,
      gzip,
      partitions: 3,
      seed: 11,
      invalidEmailShare: 0.03,
      duplicateShare: 0.02,
      collectEmails: true,
    });
    const items = await readRows(source, name, generated.fields);
    expect(items.every((item) => item.kind === 'record')).toBe(true);
    expect(items).toHaveLength(generated.rowCount);
    const partitionOrder = items.map((item) => item.blob).filter((blob, i, all) => blob !== all[i - 1]);
    expect(partitionOrder).toEqual([...partitionOrder].sort());
    expect(partitionOrder).toHaveLength(3);
    const emails = new Set<string>();
    for (const item of items)
      if (item.kind === 'record' && looksValid(item.fields.Email)) emails.add(normalized(item.fields.Email));
    expect(emails).toEqual(generated.emails);
    expect(generated.uniqueEmails).toBe(
      generated.rowCount - generated.invalidEmails - generated.duplicateEmails,
    );
    const first = items[0];
    expect(first.kind === 'record' && Object.keys(first.fields)).toEqual(generated.fields);
    const info = await source.describe(name, { count: true });
    expect(info).toMatchObject({ name, rowCount: generated.rowCount, fields: generated.fields, format });
  });
});

describe('CSV', () => {
  it('reads partitions in name order and ignores marker and checksum blobs', async () => {
    await putBlob(env.container, 'order/part-00002.csv', 'Email,N\nc@example.com,3\n');
    await putBlob(env.container, 'order/part-00001.csv.gz', 'Email,N\na@example.com,1\nb@example.com,2\n');
    await putBlob(env.container, 'order/_SUCCESS', '');
    await putBlob(env.container, 'order/.part-00001.csv.crc', 'junk');
    await putBlob(env.container, 'order/notes.txt', 'junk');
    const items = await readRows(source, 'order', ['Email', 'N']);
    expect(items).toEqual([
      { kind: 'record', blob: 'order/part-00001.csv.gz', row: 2, fields: { Email: 'a@example.com', N: '1' } },
      { kind: 'record', blob: 'order/part-00001.csv.gz', row: 3, fields: { Email: 'b@example.com', N: '2' } },
      { kind: 'record', blob: 'order/part-00002.csv', row: 2, fields: { Email: 'c@example.com', N: '3' } },
    ]);
  });

  it('reads quotes, embedded newlines, BOM, CRLF and empty lines; ragged rows are invalid with their line', async () => {
    const blob = 'tricky/data.csv';
    await putBlob(
      env.container,
      blob,
      '\uFEFFEmail,Name,Note\r\n' +
        'a@example.com,"Doe, Jane","said ""hi"""\r\n' +
        '\r\n' +
        'b@example.com,"Multi\r\nline",x\r\n' +
        'c@example.com,only two\r\n' +
        'd@example.com,Zoë,ok,extra\r\n' +
        'e@example.com,"bad"quote,y\r\n' +
        'f@example.com,Last,no newline at end',
    );
    const items = await readRows(source, 'tricky', ['Email', 'Name', 'Note']);
    expect(items).toEqual([
      {
        kind: 'record',
        blob,
        row: 2,
        fields: { Email: 'a@example.com', Name: 'Doe, Jane', Note: 'said "hi"' },
      },
      { kind: 'record', blob, row: 4, fields: { Email: 'b@example.com', Name: 'Multi\r\nline', Note: 'x' } },
      { kind: 'invalid', blob, row: 6, reason: 'expected 3 fields, found 2' },
      { kind: 'invalid', blob, row: 7, reason: 'expected 3 fields, found 4' },
      { kind: 'invalid', blob, row: 8, reason: expect.stringMatching(/after a closing quote/) },
      {
        kind: 'record',
        blob,
        row: 9,
        fields: { Email: 'f@example.com', Name: 'Last', Note: 'no newline at end' },
      },
    ]);
    expect((await source.describe('tricky')).fields).toEqual(['Email', 'Name', 'Note']);
  });

  it('fails with a clear error on a .gz blob that is not gzip', async () => {
    await putBlob(env.container, 'notgzip/part-0.csv', 'Email\na@example.com\n');
    await env.container.getBlockBlobClient('notgzip/part-1.csv.gz').upload('Email\nplain', 11);
    const error = await rejectionOf(readRows(source, 'notgzip', ['Email']));
    expect(error).toBeInstanceOf(SegmentSourceError);
    expect(error.code).toBe('SEGMENT_DATA_INVALID');
    expect(error.message).toMatch(/notgzip\/part-1\.csv\.gz is not valid gzip/);
  });
});

describe('JSON Lines', () => {
  it('reads objects and reports unparseable lines with their line number', async () => {
    const blob = 'lines/part-0.ndjson';
    await putBlob(
      env.container,
      blob,
      '{"Email":"a@example.com","Age":41,"Vip":true,"Tags":["x"],"Nick":null}\r\n' +
        '\n' +
        'not json at all\n' +
        '[1,2]\n' +
        '{"Email":"b@example.com",\n' +
        '   \n' +
        '{"Email":"c@example.com"}\n' +
        '{"Name":"no email"}',
    );
    await putBlob(env.container, 'lines/part-1.jsonl.gz', '{"Email":"d@example.com"}\n');
    const items = await readRows(source, 'lines', ['Email', 'Age', 'Vip', 'Tags', 'Nick']);
    // A JSON object without a field reads it as a blank value, like an empty CSV cell.
    const blank = { Age: '', Vip: '', Tags: '', Nick: '' };
    expect(items).toEqual([
      {
        kind: 'record',
        blob,
        row: 1,
        fields: { Email: 'a@example.com', Age: '41', Vip: 'true', Tags: '["x"]', Nick: '' },
      },
      { kind: 'invalid', blob, row: 3, reason: expect.stringMatching(/^not valid JSON/) },
      { kind: 'invalid', blob, row: 4, reason: 'expected a JSON object, found an array' },
      { kind: 'invalid', blob, row: 5, reason: expect.stringMatching(/^not valid JSON/) },
      { kind: 'record', blob, row: 7, fields: { Email: 'c@example.com', ...blank } },
      { kind: 'record', blob, row: 8, fields: { Email: '', ...blank } },
      { kind: 'record', blob: 'lines/part-1.jsonl.gz', row: 1, fields: { Email: 'd@example.com', ...blank } },
    ]);
    const reasons = items.flatMap((item) => (item.kind === 'invalid' ? [item.reason] : []));
    expect(reasons.join(' ')).not.toMatch(/example\.com|not json at all/);
  });
});

describe('CDM folder', () => {
  const model = (partitions: unknown[], attributes: unknown = [{ name: 'CustomerId' }, { name: 'Email' }]) =>
    JSON.stringify({
      name: 'cdm',
      version: '1.0',
      entities: [{ $type: 'LocalEntity', name: 'Customers', attributes, partitions }],
    });

  it('resolves absolute and relative partition locations and reads headerless partitions', async () => {
    const account = `https://acct.dfs.core.windows.net/${env.container.containerName}`;
    await putBlob(env.container, 'cdm-ok/Customers/p1.csv', '"1","a@example.com"\n"2","b@example.com"\n');
    await putBlob(env.container, 'cdm-ok/Customers/p2.csv.gz', '3,c@example.com\n');
    await putBlob(env.container, 'cdm-ok/Customers/p3.csv', 'CustomerId,Email\n4,d@example.com\n');
    await putBlob(
      env.container,
      'cdm-ok/model.json',
      model([
        { name: 'p1', location: `${account}/cdm-ok/Customers/p1.csv` },
        { name: 'p2', location: `${env.container.url}/cdm-ok/Customers/p2.csv.gz` },
        { name: 'p3', location: 'Customers/p3.csv', fileFormatSettings: { columnHeaders: true } },
      ]),
    );
    const items = await readRows(source, 'cdm-ok', ['CustomerId', 'Email']);
    expect(items.map((item) => item.kind === 'record' && [item.blob, item.row, item.fields])).toEqual([
      ['cdm-ok/Customers/p1.csv', 1, { CustomerId: '1', Email: 'a@example.com' }],
      ['cdm-ok/Customers/p1.csv', 2, { CustomerId: '2', Email: 'b@example.com' }],
      ['cdm-ok/Customers/p2.csv.gz', 1, { CustomerId: '3', Email: 'c@example.com' }],
      ['cdm-ok/Customers/p3.csv', 2, { CustomerId: '4', Email: 'd@example.com' }],
    ]);
    expect(await source.describe('cdm-ok', { count: true })).toMatchObject({
      rowCount: 4,
      fields: ['CustomerId', 'Email'],
      format: 'cdm',
    });
  });

  it.each([
    ['not JSON', '{"entities": [', /not valid JSON/],
    ['no attributes', model([{ location: 'x.csv' }], []), /has no "attributes"/],
    ['an attribute without a name', model([], [{ dataType: 'string' }]), /attribute 1 .* has no name/],
    [
      'a location in another container',
      model([{ location: 'https://a.blob.core.windows.net/other/x.csv' }]),
      /is not in container/,
    ],
    ['a partition that does not exist', model([{ location: 'Customers/missing.csv' }]), /does not exist/],
  ])('refuses a model.json with %s', async (_case, text, message) => {
    const name = `cdm-bad-${Math.random().toString(36).slice(2, 8)}`;
    await putBlob(env.container, `${name}/model.json`, text);
    for (const attempt of [() => readRows(source, name, ['Email']), () => source.describe(name)]) {
      const error = await rejectionOf(attempt());
      expect(error.code).toBe('MODEL_JSON_INVALID');
      expect(error.message).toMatch(message);
      expect(error.message).toContain(name);
    }
  });
});

describe('sizes', () => {
  it('takes the size from manifest.json when present', async () => {
    await putBlob(
      env.container,
      'manifested/part-0.jsonl',
      '{"Email":"a@example.com"}\n{"Email":"b@example.com"}\n',
    );
    await putBlob(
      env.container,
      'manifested/manifest.json',
      JSON.stringify({ rowCount: 1234, fields: ['Email', 'City'], generatedAt: '2026-01-01T00:00:00Z' }),
    );
    const info = await source.describe('manifested');
    expect(info).toMatchObject({ rowCount: 1234, fields: ['Email', 'City'] });
    expect(info.lastModified).toEqual(expect.any(String));
  });

  it('counts on demand, caches the count by ETag (across instances) and recounts after a rewrite', async () => {
    await putBlob(env.container, 'counted/part-0.csv', 'Email\na@example.com\nb@example.com\n');
    await putBlob(env.container, 'counted/part-1.csv', 'Email\nc@example.com\n');
    expect((await source.describe('counted')).rowCount).toBeNull();
    expect((await source.describe('counted', { count: true })).rowCount).toBe(3);
    expect((await source.describe('counted')).rowCount).toBe(3);

    const otherInstance = createSegmentSource(env.config, env.storage);
    expect((await otherInstance.describe('counted')).rowCount).toBe(3);

    await putBlob(
      env.container,
      'counted/part-1.csv',
      'Email\nc@example.com\nd@example.com\ne@example.com\n',
    );
    expect((await source.describe('counted')).rowCount).toBeNull();
    expect((await otherInstance.describe('counted', { count: true })).rowCount).toBe(5);
    expect((await source.describe('counted')).rowCount).toBe(5);
  });

  it('lists every segment folder, with counts when asked and errors per folder', async () => {
    await putBlob(env.container, 'list-a/part-0.csv', 'Email\na@example.com\n');
    await putBlob(env.container, 'list-mixed/part-0.csv', 'Email\na@example.com\n');
    await putBlob(env.container, 'list-mixed/part-1.jsonl', '{"Email":"b@example.com"}\n');
    const segments = await source.list({ count: true });
    const names = segments.map((segment) => segment.name);
    expect(names).toEqual([...names].sort());
    expect(segments.find((segment) => segment.name === 'list-a')).toMatchObject({
      rowCount: 1,
      fields: ['Email'],
    });
    expect(segments.find((segment) => segment.name === 'list-mixed')).toMatchObject({
      rowCount: null,
      error: { code: 'SEGMENT_FORMAT_UNSUPPORTED' },
    });
  });
});

describe('errors', () => {
  it('SEGMENT_NOT_FOUND for a missing folder', async () => {
    for (const attempt of [() => readRows(source, 'nope', ['Email']), () => source.describe('nope')]) {
      const error = await rejectionOf(attempt());
      expect(error).toBeInstanceOf(SegmentSourceError);
      expect(error.code).toBe('SEGMENT_NOT_FOUND');
      expect(error.message).toContain("'nope'");
    }
  });

  it('SEGMENT_EMPTY for a folder without data or with header-only partitions', async () => {
    await putBlob(env.container, 'empty-marker/_SUCCESS', '');
    await putBlob(env.container, 'empty-header/part-0.csv', 'Email,Name\r\n\r\n');
    await putBlob(env.container, 'empty-header/part-1.csv', '');
    for (const name of ['empty-marker', 'empty-header']) {
      const error = await rejectionOf(readRows(source, name, ['Email']));
      expect(error.code).toBe('SEGMENT_EMPTY');
    }
    expect(await source.describe('empty-header', { count: true })).toMatchObject({
      rowCount: 0,
      fields: ['Email', 'Name'],
    });
  });

  it('EMAIL_FIELD_MISSING before any row when the field is not among the fields', async () => {
    await putBlob(env.container, 'no-email/part-0.csv', 'email,Name\na@example.com,A\n');
    await putBlob(env.container, 'no-email-json/part-0.jsonl', '{"Mail":"a@example.com"}\n');
    const error = await rejectionOf(readRows(source, 'no-email', ['Email']));
    expect(error.code).toBe('EMAIL_FIELD_MISSING');
    expect(error.message).toMatch(/no field 'Email'.*did you mean 'email'/);
    const jsonError = await rejectionOf(readRows(source, 'no-email-json', ['Email']));
    expect(jsonError.code).toBe('EMAIL_FIELD_MISSING');
    expect(await readRows(source, 'no-email', ['email'])).toHaveLength(1);
  });

  it('SEGMENT_FORMAT_UNSUPPORTED when a folder mixes formats', async () => {
    await putBlob(env.container, 'mixed/part-0.csv', 'Email\na@example.com\n');
    await putBlob(env.container, 'mixed/part-1.jsonl', '{"Email":"b@example.com"}\n');
    const error = await rejectionOf(readRows(source, 'mixed', ['Email']));
    expect(error.code).toBe('SEGMENT_FORMAT_UNSUPPORTED');
    expect(error.message).toMatch(/mixes CSV files and JSON Lines files/);
  });
});

describe('headerless CSV', () => {
  it('is refused without the first line becoming field names in a description or an error', async () => {
    await putBlob(
      env.container,
      'no-header/part-0.csv',
      'jane.doe@example.com,Jane\njohn@example.com,John\n',
    );
    for (const attempt of [
      readRows(source, 'no-header', ['Email']),
      source.describe('no-header', { count: true }),
    ]) {
      const error = await rejectionOf(attempt);
      expect(error.code).toBe('SEGMENT_FORMAT_UNSUPPORTED');
      expect(error.message).toMatch(/no-header\/part-0\.csv has no header row/);
      expect(error.message).not.toMatch(/example\.com/);
    }
    const columnRead = await rejectionOf(
      source.readField('no-header', 'Email')[Symbol.asyncIterator]().next(),
    );
    expect(columnRead.code).toBe('SEGMENT_FORMAT_UNSUPPORTED');
  });
});

describe('streaming', () => {
  it('stops downloading when the reader stops early or is aborted', async () => {
    await generateSegment(env.container, 'stream', 20_000, { seed: 5 });
    let seen = 0;
    for await (const batch of source.readField('stream', 'Email')) {
      seen += batch.rows.length;
      break;
    }
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThan(20_000);

    const controller = new AbortController();
    let read = 0;
    const error = await rejectionOf(
      (async () => {
        for await (const batch of source.readField('stream', 'Email', { signal: controller.signal })) {
          read += batch.rows.length;
          if (read >= 100) controller.abort(new Error('stop now'));
        }
      })(),
    );
    expect(error.message).toBe('stop now');
    expect(read).toBeLessThan(20_000);
  });
});
