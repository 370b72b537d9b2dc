import { hash } from 'node:crypto';
import { DIGEST_BYTES, type MemberHash } from '../destinations/destination';
import { InvalidError } from '../errors/domainErrors';
import type { TextBody } from '../http/route';
import { CsvParser } from '../segments/csvParser';
import { normalizeEmail } from '../worker/emailNormalizer';
import { DigestList } from './digestList';

/** Rejected lines listed in the answer; the counts cover all of them. */
export const REJECTIONS_LISTED = 100;

export interface UploadRejection {
  line: number;
  /** Why, never the value. */
  reason: string;
}

export interface ParsedUpload {
  list: DigestList;
  /** Valid lines that repeated an earlier one. */
  duplicates: number;
  rejected: number;
  rejections: UploadRejection[];
}

/**
 * Reads an uploaded list a chunk at a time: each value normalized as the worker normalizes emails,
 * hashed with the destination's hash (a digest of that hash is kept as it is) and packed as bytes.
 * Only the digests stay in memory, never the lines.
 */
export async function parseUpload(
  body: TextBody,
  memberHash: MemberHash,
  column?: string,
): Promise<ParsedUpload> {
  const width = DIGEST_BYTES[memberHash];
  let packed = Buffer.allocUnsafe(64 * 1024);
  let count = 0;
  let rejected = 0;
  const rejections: UploadRejection[] = [];
  const reject = (line: number, reason: string) => {
    rejected += 1;
    if (rejections.length < REJECTIONS_LISTED) rejections.push({ line, reason });
  };
  const add = (raw: string, line: number) => {
    const normalized = normalizeEmail(raw, memberHash);
    if (!normalized.ok) return reject(line, normalized.reason);
    if ((count + 1) * width > packed.length) {
      const grown = Buffer.allocUnsafe(packed.length * 2);
      packed.copy(grown, 0, 0, count * width);
      packed = grown;
    }
    if (normalized.isDigest) packed.write(normalized.value, count * width, width, 'hex');
    else hash(memberHash, normalized.value, 'buffer').copy(packed, count * width);
    count += 1;
  };
  const csv = body.mediaType === 'text/csv';
  if (!csv && column !== undefined) {
    throw new InvalidError('`column` applies to a text/csv body only.', {
      code: 'VALIDATION_FAILED',
      field: 'column',
    });
  }
  const reader = csv ? csvReader(add, reject, column) : plainReader(add);
  for await (const text of body.chunks) reader.push(text);
  reader.end();
  if (count + rejected === 0) {
    throw new InvalidError('The list is empty: it holds no email address or digest.', {
      code: 'SUPPRESSIONS_EMPTY',
      field: '(body)',
    });
  }
  if (count === 0) {
    throw new InvalidError(
      `None of the ${rejected} values is an email address or ${memberHash.toUpperCase()} digest; the list was not changed.`,
      { code: 'SUPPRESSIONS_NONE_VALID', field: '(body)', details: { rejected, rejections } },
    );
  }
  const list = DigestList.build(packed, count, width);
  return { list, duplicates: count - list.size, rejected, rejections };
}

interface LineReader {
  push(text: string): void;
  end(): void;
}

/** One value per line; blank lines are skipped, a BOM dropped. */
function plainReader(add: (raw: string, line: number) => void): LineReader {
  let partial = '';
  let line = 0;
  let first = true;
  const take = (text: string) => {
    line += 1;
    const value = text.trim();
    if (value !== '') add(value, line);
  };
  return {
    push(text) {
      if (first && text.length > 0) {
        first = false;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      let start = 0;
      let end = text.indexOf('\n');
      while (end !== -1) {
        take(partial + text.slice(start, end));
        partial = '';
        start = end + 1;
        end = text.indexOf('\n', start);
      }
      partial += text.slice(start);
      if (partial.length > 1024 * 1024) throw lineTooLong(line + 1);
    },
    end() {
      if (partial !== '') take(partial);
    },
  };
}

/** A header row, then the named column (or the only one). */
function csvReader(
  add: (raw: string, line: number) => void,
  reject: (line: number, reason: string) => void,
  column: string | undefined,
): LineReader {
  const parser = new CsvParser();
  let index = -1;
  let columns = 0;
  const onRecord = (fields: string[], line: number, error: string | undefined) => {
    if (index < 0) {
      index = headerIndex(fields, column);
      columns = fields.length;
      return;
    }
    if (error !== undefined) reject(line, 'broken CSV quoting');
    else if (fields.length !== columns) reject(line, `expected ${columns} fields, found ${fields.length}`);
    else add(fields[index], line);
  };
  return {
    push: (text) => parser.push(text, onRecord),
    end: () => parser.end(onRecord),
  };
}

function headerIndex(header: string[], column: string | undefined): number {
  const names = header.map((name) => name.trim());
  // A header cell holding an address is data: it is never quoted back.
  const listed = names.map((name) => (name.includes('@') ? '(an email address)' : name)).join(', ');
  if (column === undefined) {
    if (names.length === 1) return 0;
    throw new InvalidError(
      `The CSV has ${names.length} columns; name the one holding the emails with ?column=<name> (its columns: ${listed}).`,
      { code: 'COLUMN_REQUIRED', field: 'column' },
    );
  }
  const index = names.indexOf(column);
  if (index < 0 || names.lastIndexOf(column) !== index) {
    throw new InvalidError(
      `The CSV header has ${index < 0 ? 'no' : 'more than one'} column "${column}" (its columns: ${listed}).`,
      { code: 'COLUMN_MISSING', field: 'column' },
    );
  }
  return index;
}

const lineTooLong = (line: number) =>
  new InvalidError(`Line ${line} is longer than 1 MiB: the body is not a list of emails.`, {
    code: 'SUPPRESSIONS_UNREADABLE',
    field: '(body)',
  });
