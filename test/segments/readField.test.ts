import { createSegmentSource } from '../../shared/segments/blobSegmentSource';
import type { SegmentSource } from '../../shared/segments/segmentSource';
import { generateSegment } from '../../dev/segmentGenerator';
import { putBlob, readRows, rejectionOf, startSegmentTestEnv, type SegmentTestEnv } from './support';

// `readField` is how segments are read: every row once, in order, with its line, reduced to one
// field, and the rows that cannot be read with why. The expected rows are those the former
// whole-row reader gave for the same input.

let env: SegmentTestEnv;
let source: SegmentSource;

beforeAll(async () => {
  env = await startSegmentTestEnv();
  source = createSegmentSource(env.config, env.storage);
});

afterAll(async () => {
  await env?.azurite.stop();
});

type Row = { blob: string; row: number; value?: string; reason?: string };

async function viaReadField(name: string, field: string): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const batch of source.readField(name, field)) {
    expect(batch.values).toHaveLength(batch.rows.length);
    const reasons = new Map(batch.unreadable.map((problem) => [problem.index, problem.reason]));
    batch.rows.forEach((row, i) => {
      const reason = reasons.get(i);
      rows.push(
        reason === undefined
          ? { blob: batch.blob, row, value: batch.values[i] }
          : { blob: batch.blob, row, reason },
      );
    });
  }
  return rows;
}

describe('readField', () => {
  it('reads quotes, embedded newlines, BOM, CRLF, empty lines and ragged rows, for every column', async () => {
    await putBlob(
      env.container,
      'rf-tricky/data.csv',
      '\uFEFFEmail,Name,Note\r\n' +
        'a@example.com,"Doe, Jane","said ""hi"""\r\n' +
        '\r\n' +
        'b@example.com,"Multi\r\nline",x\r\n' +
        'c@example.com,only two\r\n' +
        'd@example.com,Zoë,ok,extra\r\n' +
        'e@example.com,"bad"quote,y\r\n' +
        '"g@example.com",plain,"quoted last"\n' +
        ',,\n' +
        'f@example.com,Last,no newline at end',
    );
    const blob = 'rf-tricky/data.csv';
    const expected: Record<string, Row[]> = {
      Email: [
        { blob, row: 2, value: 'a@example.com' },
        { blob, row: 4, value: 'b@example.com' },
        { blob, row: 6, reason: 'expected 3 fields, found 2' },
        { blob, row: 7, reason: 'expected 3 fields, found 4' },
        { blob, row: 8, reason: 'unexpected character after a closing quote on line 8' },
        { blob, row: 9, value: 'g@example.com' },
        { blob, row: 10, value: '' },
        { blob, row: 11, value: 'f@example.com' },
      ],
      Name: [
        { blob, row: 2, value: 'Doe, Jane' },
        { blob, row: 4, value: 'Multi\r\nline' },
        { blob, row: 6, reason: 'expected 3 fields, found 2' },
        { blob, row: 7, reason: 'expected 3 fields, found 4' },
        { blob, row: 8, reason: 'unexpected character after a closing quote on line 8' },
        { blob, row: 9, value: 'plain' },
        { blob, row: 10, value: '' },
        { blob, row: 11, value: 'Last' },
      ],
      Note: [
        { blob, row: 2, value: 'said "hi"' },
        { blob, row: 4, value: 'x' },
        { blob, row: 6, reason: 'expected 3 fields, found 2' },
        { blob, row: 7, reason: 'expected 3 fields, found 4' },
        { blob, row: 8, reason: 'unexpected character after a closing quote on line 8' },
        { blob, row: 9, value: 'quoted last' },
        { blob, row: 10, value: '' },
        { blob, row: 11, value: 'no newline at end' },
      ],
    };
    for (const field of ['Email', 'Name', 'Note']) {
      expect(await viaReadField('rf-tricky', field)).toEqual(expected[field]);
    }
    // and every column yields the same rows
    await readRows(source, 'rf-tricky', ['Email', 'Name', 'Note']);
  });

  it('reads gzip partitions, a single-column file, a tab delimiter, and refuses a repeated header name', async () => {
    await putBlob(env.container, 'rf-mixed/part-00001.csv.gz', 'Email,N\na@example.com,1\nb@example.com,2\n');
    await putBlob(env.container, 'rf-mixed/part-00002.csv', 'N,Email\n3,c@example.com\n4\n');
    await putBlob(
      env.container,
      'rf-single/part-0.csv',
      'Email\na@example.com\n\nb@example.com\n"c@example.com"\n',
    );
    await putBlob(
      env.container,
      'rf-repeat/part-0.csv',
      'Email,Email,X\nfirst@example.com,second@example.com,1\n',
    );
    expect(await viaReadField('rf-mixed', 'Email')).toEqual([
      { blob: 'rf-mixed/part-00001.csv.gz', row: 2, value: 'a@example.com' },
      { blob: 'rf-mixed/part-00001.csv.gz', row: 3, value: 'b@example.com' },
      { blob: 'rf-mixed/part-00002.csv', row: 2, value: 'c@example.com' },
      { blob: 'rf-mixed/part-00002.csv', row: 3, reason: 'expected 2 fields, found 1' },
    ]);
    expect((await viaReadField('rf-single', 'Email')).map((row) => row.value)).toEqual([
      'a@example.com',
      'b@example.com',
      'c@example.com',
    ]);
    // #15: which of two same-named columns holds the emails is not the reader's guess to make
    await expect(viaReadField('rf-repeat', 'Email')).rejects.toMatchObject({ code: 'FIELD_AMBIGUOUS' });
  });

  it('reads JSON Lines and a headerless CDM folder', async () => {
    await putBlob(
      env.container,
      'rf-lines/part-0.ndjson',
      '{"Email":"a@example.com","Age":41}\n\nnot json\n[1]\n{"Name":"no email"}\n{"Email":7}',
    );
    expect(await viaReadField('rf-lines', 'Email')).toEqual([
      { blob: 'rf-lines/part-0.ndjson', row: 1, value: 'a@example.com' },
      { blob: 'rf-lines/part-0.ndjson', row: 3, reason: 'not valid JSON' },
      { blob: 'rf-lines/part-0.ndjson', row: 4, reason: 'expected a JSON object, found an array' },
      { blob: 'rf-lines/part-0.ndjson', row: 5, value: '' },
      { blob: 'rf-lines/part-0.ndjson', row: 6, value: '7' },
    ]);
    await putBlob(env.container, 'rf-cdm/Customers/p1.csv', '"1","a@example.com"\n2,b@example.com\n3\n');
    await putBlob(env.container, 'rf-cdm/Customers/p2.csv', 'CustomerId,Email\n4,d@example.com\n');
    await putBlob(
      env.container,
      'rf-cdm/model.json',
      JSON.stringify({
        name: 'cdm',
        version: '1.0',
        entities: [
          {
            $type: 'LocalEntity',
            name: 'Customers',
            attributes: [{ name: 'CustomerId' }, { name: 'Email' }],
            partitions: [
              { name: 'p1', location: 'Customers/p1.csv' },
              { name: 'p2', location: 'Customers/p2.csv', fileFormatSettings: { columnHeaders: true } },
            ],
          },
        ],
      }),
    );
    expect(await viaReadField('rf-cdm', 'Email')).toEqual([
      { blob: 'rf-cdm/Customers/p1.csv', row: 1, value: 'a@example.com' },
      { blob: 'rf-cdm/Customers/p1.csv', row: 2, value: 'b@example.com' },
      { blob: 'rf-cdm/Customers/p1.csv', row: 3, reason: 'expected 2 fields, found 1' },
      { blob: 'rf-cdm/Customers/p2.csv', row: 2, value: 'd@example.com' },
    ]);
  });

  it.each(['csv', 'jsonl', 'cdm'] as const)(
    'reads a generated %s segment, every row once',
    async (format) => {
      const name = `rf-gen-${format}`;
      const generated = await generateSegment(env.container, name, 3000, {
        format,
        gzip: true,
        partitions: 2,
        seed: 5,
        invalidEmailShare: 0.05,
        duplicateShare: 0.05,
        collectEmails: true,
      });
      const rows = await viaReadField(name, 'Email');
      expect(rows).toHaveLength(3000);
      expect(rows.every((row) => row.reason === undefined)).toBe(true);
      const valid = rows
        .map((row) => row.value!.trim().toLowerCase())
        .filter((email) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email));
      expect(new Set(valid)).toEqual(generated.emails);
      // every field of the segment yields the same rows
      expect(await readRows(source, name, generated.fields)).toHaveLength(3000);
    },
  );

  it('fails before any row on a missing field or folder, and after none on an empty segment', async () => {
    await putBlob(env.container, 'rf-no-email/part-0.csv', 'Mail\na@example.com\n');
    await putBlob(env.container, 'rf-empty/part-0.csv', 'Email\n');
    for (const [name, code, message] of [
      [
        'rf-no-email',
        'EMAIL_FIELD_MISSING',
        "Segment 'rf-no-email' has no field 'Email' (in rf-no-email/part-0.csv). Its fields: Mail.",
      ],
      [
        'rf-missing',
        'SEGMENT_NOT_FOUND',
        "Segment 'rf-missing' was not found: there is no folder 'rf-missing/' in container 'segments'.",
      ],
      ['rf-empty', 'SEGMENT_EMPTY', "Segment 'rf-empty' is empty: its 1 partition(s) hold no rows."],
    ]) {
      const error = await rejectionOf(viaReadField(name, 'Email'));
      expect(error.code).toBe(code);
      expect(error.message).toBe(message);
    }
  });
});

it('refuses a CSV whose header names the field twice, naming the field, rather than pick a column', async () => {
  await putBlob(
    env.container,
    'twice/part-00000.csv',
    'Email,Email,Name\nann@example.com,bob@example.com,Ann\n',
  );
  const read = viaReadField('twice', 'Email');
  await expect(read).rejects.toMatchObject({ code: 'FIELD_AMBIGUOUS' });
  await expect(viaReadField('twice', 'Email')).rejects.toThrow(/2 columns named "Email"/);
  // another field of that file still reads
  await expect(viaReadField('twice', 'Name')).resolves.toEqual([
    { blob: 'twice/part-00000.csv', row: 2, value: 'Ann' },
  ]);
});
