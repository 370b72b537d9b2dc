import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { ContainerClient } from '@azure/storage-blob';

/**
 * Writes realistic, deterministic segments of customer profiles to a segments container (tests,
 * demo, benchmarks), streaming each partition to Blob Storage so no segment is ever whole in memory.
 * Returns the exact numbers a correct export must find: rows, invalid emails, duplicates (same email
 * with other case/whitespace, later in read order) and unique normalized (trimmed, lower-cased)
 * emails.
 */

export type GeneratedFormat = 'csv' | 'jsonl' | 'cdm';

export interface GenerateSegmentOptions {
  format?: GeneratedFormat;
  gzip?: boolean;
  /** Partition blobs (rows split evenly, in name order). Default 1. */
  partitions?: number;
  /** Name of the email column. Default `Email`. */
  emailField?: string;
  /** Share of rows with a blank or malformed email. Default 0.01. */
  invalidEmailShare?: number;
  /** Share of rows repeating an earlier email with other case/whitespace. Default 0.005. */
  duplicateShare?: number;
  seed?: number;
  /** Also write manifest.json `{rowCount, fields, generatedAt}`. Default false. */
  writeManifest?: boolean;
  /** Return the set of unique normalized emails (memory grows with the segment). */
  collectEmails?: boolean;
}

export interface MutateSegmentOptions {
  /** Share of members changed: a third replaced, a third removed, a third added. Default 0.05. */
  share?: number;
  seed?: number;
  collectEmails?: boolean;
}

export interface GeneratedSegment {
  name: string;
  /** Data rows written (every profile row, valid or not). */
  rowCount: number;
  invalidEmails: number;
  duplicateEmails: number;
  /** Unique valid normalized emails: rowCount − invalidEmails − duplicateEmails. */
  uniqueEmails: number;
  emails?: Set<string>;
  fields: string[];
  blobs: string[];
}

export interface MutatedSegment extends GeneratedSegment {
  /** Versus the segment as first generated: emails new in this version and emails no longer in it. */
  added: number;
  removed: number;
}

const FIRST_NAMES = [
  'Maria',
  'James',
  'Aiko',
  'Liam',
  'Sofia',
  'Noah',
  'Élodie',
  'Mateo',
  'Olivia',
  'Chen',
  'Amara',
  'Lukas',
  'Priya',
  'Ethan',
  'Zoë',
  'Omar',
];
const LAST_NAMES = [
  'Garcia',
  'Smith',
  "O'Connor",
  'Müller',
  'Tanaka',
  'Johnson',
  'Van der Berg',
  'Rossi',
  'Nguyen',
  'Kowalski',
  'Silva',
  'Brown',
  'Dubois',
  'Patel',
  'Andersson',
  'Lee',
];
const PLACES: [string, string][] = [
  ['Seattle', 'US'],
  ['Washington, D.C.', 'US'],
  ['São Paulo', 'BR'],
  ['Zürich', 'CH'],
  ['London', 'GB'],
  ['Lyon', 'FR'],
  ['Osaka', 'JP'],
  ['Toronto', 'CA'],
  ['Melbourne', 'AU'],
  ['Berlin', 'DE'],
];
const TIERS = ['Bronze', 'Silver', 'Gold', 'Platinum'];
const DOMAINS = ['example.com', 'example.org', 'mail.example.net', 'contoso.example'];
const INVALID_EMAILS = ['', '   ', 'n/a', 'unknown', 'no-email', 'jane.doe', 'user@', '@example.com'];
const PROFILE_FIELDS = [
  'CustomerId',
  'FirstName',
  'LastName',
  '<email>',
  'City',
  'Country',
  'LoyaltyTier',
  'LastPurchaseDate',
];
const GENERATOR_BLOB = '_generator.json';
const CHUNK_CHARS = 64 * 1024;

/** Deterministic hash of (seed, index, salt) to [0, 1). */
function unit(seed: number, index: number, salt: number): number {
  let x =
    (Math.imul(index ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul((seed + salt * 0x632be5ab) | 0, 0xc2b2ae35)) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return (x >>> 0) / 4294967296;
}

const pick = <T>(list: readonly T[], seed: number, index: number, salt: number): T =>
  list[Math.floor(unit(seed, index, salt) * list.length)];

type PlannedRow =
  | { kind: 'invalid' | 'duplicate' | 'fresh'; member: number; email: string; replaced: boolean }
  | { kind: 'removed'; memberRow: boolean };

type Settings = Required<Omit<GenerateSegmentOptions, 'collectEmails'>>;
type Mutation = { share: number; seed: number };

function settingsOf(options: GenerateSegmentOptions): Settings {
  return {
    format: options.format ?? 'csv',
    gzip: options.gzip ?? false,
    partitions: Math.max(1, options.partitions ?? 1),
    emailField: options.emailField ?? 'Email',
    invalidEmailShare: options.invalidEmailShare ?? 0.01,
    duplicateShare: options.duplicateShare ?? 0.005,
    seed: options.seed ?? 1,
    writeManifest: options.writeManifest ?? false,
  };
}

/** The row plan: which rows are invalid, which repeat an earlier row, what each member's email is. */
class Plan {
  constructor(
    private readonly settings: Settings,
    private readonly count: number,
    private readonly mutation?: Mutation,
  ) {}

  private baseKind(index: number): 'invalid' | 'duplicate' | 'fresh' {
    const roll = unit(this.settings.seed, index, 1);
    if (roll < this.settings.invalidEmailShare) return 'invalid';
    if (index > 0 && roll < this.settings.invalidEmailShare + this.settings.duplicateShare)
      return 'duplicate';
    return 'fresh';
  }

  /** The earlier fresh row a duplicate repeats, or -1 when there is none. */
  private duplicateTarget(index: number): number {
    let target = Math.floor(unit(this.settings.seed, index, 2) * index);
    while (target >= 0 && this.baseKind(target) !== 'fresh') target--;
    return target;
  }

  private change(member: number): 'keep' | 'replace' | 'remove' {
    if (!this.mutation || member >= this.count) return 'keep';
    const roll = unit(this.mutation.seed, member, 3);
    if (roll < this.mutation.share / 3) return 'remove';
    if (roll < (2 * this.mutation.share) / 3) return 'replace';
    return 'keep';
  }

  get appended(): number {
    return this.mutation ? Math.round((this.count * this.mutation.share) / 3) : 0;
  }

  get totalRows(): number {
    return this.count + this.appended;
  }

  email(member: number): string {
    const seed = this.settings.seed;
    const first = asciiLetters(pick(FIRST_NAMES, seed, member, 4));
    const last = asciiLetters(pick(LAST_NAMES, seed, member, 5));
    const version = this.change(member) === 'replace' ? `.v${this.mutation!.seed}` : '';
    return `${first}.${last}${member}${version}@${pick(DOMAINS, seed, member, 6)}`;
  }

  /** What row `index` holds; `removed` when the mutation dropped it (`memberRow`: it held the member). */
  row(index: number): PlannedRow {
    const seed = this.settings.seed;
    if (index >= this.count)
      return { kind: 'fresh', member: index, email: this.email(index), replaced: false };
    const kind = this.baseKind(index);
    if (kind === 'invalid') {
      return { kind, member: index, email: pick(INVALID_EMAILS, seed, index, 7), replaced: false };
    }
    const target = kind === 'duplicate' ? this.duplicateTarget(index) : -1;
    const member = target >= 0 ? target : index;
    const change = this.change(member);
    if (change === 'remove') return { kind: 'removed', memberRow: target < 0 };
    const email = this.email(member);
    if (target < 0) return { kind: 'fresh', member, email, replaced: change === 'replace' };
    const variant = Math.floor(unit(seed, index, 8) * 3);
    const varied =
      variant === 0
        ? email.toUpperCase()
        : variant === 1
          ? ` ${email} `
          : `${email[0].toUpperCase()}${email.slice(1).toLowerCase()}  `;
    return { kind: 'duplicate', member, email: varied, replaced: false };
  }

  profile(index: number, email: string, member: number): string[] {
    const seed = this.settings.seed;
    const [city, country] = pick(PLACES, seed, member, 9);
    const day = 1 + Math.floor(unit(seed, member, 10) * 700);
    const date = new Date(Date.UTC(2024, 0, day)).toISOString().slice(0, 10);
    return [
      `CUST-${String(index + 1).padStart(8, '0')}`,
      pick(FIRST_NAMES, seed, member, 4),
      pick(LAST_NAMES, seed, member, 5),
      email,
      city,
      country,
      pick(TIERS, seed, member, 11),
      date,
    ];
  }
}

const asciiLetters = (text: string) => text.normalize('NFD').replace(/[^A-Za-z]/g, '');

function csvValue(value: string, quoteAlways: boolean): string {
  if (quoteAlways || /[",\r\n]/.test(value)) return `"${value.replace(/"/g, '""')}"`;
  return value;
}

export async function generateSegment(
  container: ContainerClient,
  name: string,
  count: number,
  options: GenerateSegmentOptions = {},
): Promise<GeneratedSegment> {
  const settings = settingsOf(options);
  const result = await writeSegment(
    container,
    name,
    count,
    settings,
    undefined,
    options.collectEmails ?? false,
  );
  const recipe = JSON.stringify({ count, settings });
  await container.getBlockBlobClient(`${name}/${GENERATOR_BLOB}`).upload(recipe, Buffer.byteLength(recipe));
  return result;
}

/**
 * Rewrites a segment made by `generateSegment` with a deterministic share of its members changed
 * (replaced emails, removed rows, appended rows), e.g. for a second export run. Always relative to
 * the segment as first generated.
 */
export async function mutateSegment(
  container: ContainerClient,
  name: string,
  options: MutateSegmentOptions = {},
): Promise<MutatedSegment> {
  const saved = JSON.parse(
    (await container.getBlobClient(`${name}/${GENERATOR_BLOB}`).downloadToBuffer()).toString('utf8'),
  ) as { count: number; settings: Settings };
  const mutation = { share: options.share ?? 0.05, seed: options.seed ?? 1 };
  const result = await writeSegment(
    container,
    name,
    saved.count,
    saved.settings,
    mutation,
    options.collectEmails ?? false,
  );
  return result as MutatedSegment;
}

async function writeSegment(
  container: ContainerClient,
  name: string,
  count: number,
  settings: Settings,
  mutation: Mutation | undefined,
  collectEmails: boolean,
): Promise<GeneratedSegment | MutatedSegment> {
  await container.createIfNotExists();
  for await (const blob of container.listBlobsFlat({ prefix: `${name}/` })) {
    if (!blob.name.endsWith(`/${GENERATOR_BLOB}`)) await container.deleteBlob(blob.name);
  }
  const plan = new Plan(settings, count, mutation);
  const fields = PROFILE_FIELDS.map((field) => (field === '<email>' ? settings.emailField : field));
  const format = settings.format;
  const entity = name.replace(/[^A-Za-z0-9_]/g, '_');
  const extension = `${format === 'jsonl' ? 'jsonl' : 'csv'}${settings.gzip ? '.gz' : ''}`;
  const folder = format === 'cdm' ? `${name}/${entity}` : name;
  const totals = { rowCount: 0, invalidEmails: 0, duplicateEmails: 0, uniqueEmails: 0, added: 0, removed: 0 };
  const emails = collectEmails ? new Set<string>() : undefined;
  const blobs: string[] = [];
  const rows = plan.totalRows;

  function* partitionText(from: number, to: number, withHeader: boolean): Generator<string> {
    let text = withHeader ? `${fields.map((field) => csvValue(field, false)).join(',')}\n` : '';
    for (let index = from; index < to; index++) {
      const row = plan.row(index);
      if (row.kind === 'removed') {
        if (row.memberRow) totals.removed++;
        continue;
      }
      totals.rowCount++;
      if (row.kind === 'invalid') totals.invalidEmails++;
      else if (row.kind === 'duplicate') totals.duplicateEmails++;
      else {
        totals.uniqueEmails++;
        emails?.add(row.email.trim().toLowerCase());
        if (index >= count || row.replaced) totals.added++;
        if (row.replaced) totals.removed++;
      }
      const values = plan.profile(index, row.email, row.member);
      if (format === 'jsonl') {
        const profile: Record<string, string> = {};
        for (let i = 0; i < fields.length; i++) profile[fields[i]] = values[i];
        text += `${JSON.stringify(profile)}\n`;
      } else {
        text += `${values.map((value) => csvValue(value, format === 'cdm')).join(',')}\n`;
      }
      if (text.length >= CHUNK_CHARS) {
        yield text;
        text = '';
      }
    }
    if (text) yield text;
  }

  for (let part = 0; part < settings.partitions; part++) {
    const from = Math.floor((part * count) / settings.partitions);
    const to =
      part === settings.partitions - 1 ? rows : Math.floor(((part + 1) * count) / settings.partitions);
    const blobName = `${folder}/part-${String(part).padStart(5, '0')}.${extension}`;
    let stream: Readable = Readable.from(partitionText(from, to, format === 'csv'), { objectMode: false });
    if (settings.gzip) stream = stream.pipe(createGzip());
    await container.getBlockBlobClient(blobName).uploadStream(stream, 4 * 1024 * 1024, 2, {
      blobHTTPHeaders: { blobContentType: format === 'jsonl' ? 'application/x-ndjson' : 'text/csv' },
    });
    blobs.push(blobName);
  }
  const generatedAt = new Date().toISOString();
  const writeJson = async (blobName: string, value: unknown) => {
    const body = JSON.stringify(value, null, 2);
    await container.getBlockBlobClient(blobName).upload(body, Buffer.byteLength(body), {
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
    blobs.push(blobName);
  };
  if (format === 'cdm') {
    await writeJson(`${name}/model.json`, {
      name: 'customerInsights',
      description: `Export of segment ${name}`,
      version: '1.0',
      modifiedTime: generatedAt,
      entities: [
        {
          $type: 'LocalEntity',
          name: entity,
          attributes: fields.map((field) => ({
            name: field,
            dataType: field === 'LastPurchaseDate' ? 'dateTime' : 'string',
          })),
          partitions: blobs
            .filter((blob) => blob.startsWith(`${folder}/part-`))
            .map((blob, index) => ({
              name: `${entity}-${index}`,
              refreshTime: generatedAt,
              location: `${container.url}/${blob.split('/').map(encodeURIComponent).join('/')}`,
              fileFormatSettings: {
                $type: 'CsvFormatSettings',
                columnHeaders: false,
                delimiter: ',',
                quoteStyle: 'QuoteStyle.Csv',
                csvStyle: 'CsvStyle.QuoteAlways',
                encoding: 'UTF-8',
              },
            })),
        },
      ],
    });
  }
  if (settings.writeManifest) {
    await writeJson(`${name}/manifest.json`, { rowCount: totals.rowCount, fields, generatedAt });
  }
  await container.getBlockBlobClient(`${name}/_SUCCESS`).upload('', 0);
  const result: MutatedSegment = {
    name,
    rowCount: totals.rowCount,
    invalidEmails: totals.invalidEmails,
    duplicateEmails: totals.duplicateEmails,
    uniqueEmails: totals.uniqueEmails,
    fields,
    blobs,
    added: totals.added,
    removed: totals.removed,
    ...(emails ? { emails } : {}),
  };
  if (!mutation) {
    delete (result as Partial<MutatedSegment>).added;
    delete (result as Partial<MutatedSegment>).removed;
  }
  return result;
}
