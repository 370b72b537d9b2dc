import { createSegmentSource } from '../../shared/segments/blobSegmentSource';
import type { SegmentSource } from '../../shared/segments/segmentSource';
import { putBlob, rejectionOf, startSegmentTestEnv, type SegmentTestEnv } from './support';

// `readField(…, {alsoField})`: a second field's values (an export's consent field) in the same
// batches, row for row with the first, in every format the worker reads.

let env: SegmentTestEnv;
let source: SegmentSource;

beforeAll(async () => {
  env = await startSegmentTestEnv();
  source = createSegmentSource(env.config, env.storage);
});

afterAll(async () => {
  await env?.azurite.stop();
});

type Row = { row: number; value?: string; also?: string; reason?: string };

async function readPairs(name: string, field: string, alsoField: string): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const batch of source.readField(name, field, { alsoField })) {
    expect(batch.also).toHaveLength(batch.rows.length);
    const reasons = new Map(batch.unreadable.map((problem) => [problem.index, problem.reason]));
    batch.rows.forEach((row, i) => {
      const reason = reasons.get(i);
      rows.push(
        reason === undefined ? { row, value: batch.values[i], also: batch.also![i] } : { row, reason },
      );
    });
  }
  return rows;
}

const CSV =
  'Email,Name,MarketingConsent\r\n' +
  'a@example.com,"Doe, Jane",yes\r\n' +
  'b@example.com,"Multi\r\nline",\r\n' +
  'c@example.com,two\r\n' +
  '"d@example.com",x,"TRUE"\n';
const CSV_ROWS: Row[] = [
  { row: 2, value: 'a@example.com', also: 'yes' },
  { row: 3, value: 'b@example.com', also: '' },
  { row: 5, reason: 'expected 3 fields, found 2' },
  { row: 6, value: 'd@example.com', also: 'TRUE' },
];

it.each(['data.csv', 'data.csv.gz'])('reads both fields of CSV (%s), quoted and multi-line', async (file) => {
  await putBlob(env.container, `also-csv-${file}/${file}`, CSV);
  expect(await readPairs(`also-csv-${file}`, 'Email', 'MarketingConsent')).toEqual(CSV_ROWS);
  // the fields in either order, and the one-field read unchanged next to it
  expect((await readPairs(`also-csv-${file}`, 'MarketingConsent', 'Email')).map((r) => r.also)).toEqual([
    'a@example.com',
    'b@example.com',
    undefined,
    'd@example.com',
  ]);
  for await (const batch of source.readField(`also-csv-${file}`, 'Email')) expect(batch.also).toBeUndefined();
});

it('reads both fields of JSON Lines; a key a line lacks reads as blank', async () => {
  await putBlob(
    env.container,
    'also-lines/part-0.jsonl',
    '{"Email":"a@example.com","MarketingConsent":true}\nnot json\n{"Email":"b@example.com"}\n{"Email":"c@example.com","MarketingConsent":1}\n',
  );
  expect(await readPairs('also-lines', 'Email', 'MarketingConsent')).toEqual([
    { row: 1, value: 'a@example.com', also: 'true' },
    { row: 2, reason: 'not valid JSON' },
    { row: 3, value: 'b@example.com', also: '' },
    { row: 4, value: 'c@example.com', also: '1' },
  ]);
});

it('reads both fields of a CDM folder (headerless and header partitions)', async () => {
  await putBlob(env.container, 'also-cdm/Customers/p1.csv', '1,a@example.com,yes\n2,b@example.com,no\n');
  await putBlob(env.container, 'also-cdm/Customers/p2.csv', 'Id,Email,Consent\n3,c@example.com,Yes\n');
  await putBlob(
    env.container,
    'also-cdm/model.json',
    JSON.stringify({
      name: 'cdm',
      version: '1.0',
      entities: [
        {
          $type: 'LocalEntity',
          name: 'Customers',
          attributes: [{ name: 'Id' }, { name: 'Email' }, { name: 'Consent' }],
          partitions: [
            { name: 'p1', location: 'Customers/p1.csv' },
            { name: 'p2', location: 'Customers/p2.csv', fileFormatSettings: { columnHeaders: true } },
          ],
        },
      ],
    }),
  );
  expect(await readPairs('also-cdm', 'Email', 'Consent')).toEqual([
    { row: 1, value: 'a@example.com', also: 'yes' },
    { row: 2, value: 'b@example.com', also: 'no' },
    { row: 2, value: 'c@example.com', also: 'Yes' },
  ]);
});

it('refuses a second field the segment does not have, before any batch', async () => {
  await putBlob(env.container, 'also-missing/data.csv', 'Email,Name\na@example.com,A\n');
  const error = await rejectionOf(readPairs('also-missing', 'Email', 'MarketingConsent'));
  expect(error).toMatchObject({ code: 'CONSENT_FIELD_MISSING' });
  expect(error.message).toMatch(/no field 'MarketingConsent'/);
});
