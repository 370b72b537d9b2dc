import { createSegmentSource } from '../../shared/segments/blobSegmentSource';
import type { SegmentItem, SegmentSource } from '../../shared/segments/segmentSource';
import { generateSegment } from '../../dev/segmentGenerator';
import { putBlob, readAll, rejectionOf, startSegmentTestEnv, type SegmentTestEnv } from './support';

// `readField` is the worker's fast path: it must yield exactly the rows `read` yields with
// `requiredField`, reduced to that field, with the same errors.

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

async function viaRead(name: string, field: string): Promise<Row[]> {
  return (await readAll(source, name, { requiredField: field })).map((item: SegmentItem) =>
    item.kind === 'record'
      ? { blob: item.blob, row: item.row, value: item.fields[field] }
      : { blob: item.blob, row: item.row, reason: item.reason },
  );
}

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

async function expectSameRows(name: string, field: string): Promise<Row[]> {
  const expected = await viaRead(name, field);
  expect(await viaReadField(name, field)).toEqual(expected);
  return expected;
}

describe('readField', () => {
  it('matches read on quotes, embedded newlines, BOM, CRLF, empty lines and ragged rows, for every column', async () => {
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
    for (const field of ['Email', 'Name', 'Note']) {
      const rows = await expectSameRows('rf-tricky', field);
      expect(rows.filter((row) => row.reason !== undefined)).toHaveLength(3);
    }
  });

  it('matches read on gzip partitions, a single-column file, a tab delimiter and a repeated header name', async () => {
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
    await expectSameRows('rf-mixed', 'Email');
    expect((await expectSameRows('rf-single', 'Email')).map((row) => row.value)).toEqual([
      'a@example.com',
      'b@example.com',
      'c@example.com',
    ]);
    expect((await expectSameRows('rf-repeat', 'Email'))[0].value).toBe('second@example.com');
  });

  it('matches read on JSON Lines and on a headerless CDM folder', async () => {
    await putBlob(
      env.container,
      'rf-lines/part-0.ndjson',
      '{"Email":"a@example.com","Age":41}\n\nnot json\n[1]\n{"Name":"no email"}\n{"Email":7}',
    );
    await expectSameRows('rf-lines', 'Email');
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
    expect(await expectSameRows('rf-cdm', 'Email')).toHaveLength(4);
  });

  it.each(['csv', 'jsonl', 'cdm'] as const)('matches read on a generated %s segment', async (format) => {
    const name = `rf-gen-${format}`;
    await generateSegment(env.container, name, 3000, {
      format,
      gzip: true,
      partitions: 2,
      seed: 5,
      invalidEmailShare: 0.05,
      duplicateShare: 0.05,
    });
    expect(await expectSameRows(name, 'Email')).toHaveLength(3000);
  });

  it('fails like read: missing field, missing folder, empty segment', async () => {
    await putBlob(env.container, 'rf-no-email/part-0.csv', 'Mail\na@example.com\n');
    await putBlob(env.container, 'rf-empty/part-0.csv', 'Email\n');
    for (const [name, field] of [
      ['rf-no-email', 'Email'],
      ['rf-missing', 'Email'],
      ['rf-empty', 'Email'],
    ]) {
      const expected = await rejectionOf(viaRead(name, field));
      const error = await rejectionOf(viaReadField(name, field));
      expect(error.code).toBe(expected.code);
      expect(error.message).toBe(expected.message);
    }
  });
});
