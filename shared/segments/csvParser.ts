/**
 * Receives each record: its fields, the 1-based line of the blob it starts on, and `error` when it
 * broke a quoting rule (its fields are then still the best reading of it).
 */
export type CsvRecordHandler = (fields: string[], line: number, error: string | undefined) => void;

export interface CsvParserOptions {
  /** Single-byte (ASCII) field delimiter; `,` by default. */
  delimiter?: string;
  /** A field longer than this (characters) means a stray quote swallowed the file: fail instead. */
  maxFieldChars?: number;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
/** "Not in this chunk": larger than any index. */
const NONE = Number.MAX_SAFE_INTEGER;

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
}

export class CsvFieldTooLongError extends Error {
  constructor(
    readonly line: number,
    limit: number,
  ) {
    super(
      `a field starting on line ${line} is longer than ${limit} characters (unbalanced quote or not CSV?)`,
    );
    this.name = 'CsvFieldTooLongError';
  }
}

/**
 * Streaming RFC 4180 parser over decoded text: quoted fields with embedded delimiters, quotes and
 * newlines; CRLF, LF or CR line ends; a leading BOM. Lines without quotes are found with indexOf and
 * split natively; the others go through a one-pass state machine (charCodeAt and slices, no regular
 * expressions). Empty lines are skipped. Feed it strings from a `StringDecoder` (which keeps UTF-8
 * sequences split across chunks intact).
 *
 * Field values are slices of the chunk text: a caller that keeps a value long after the row (in a
 * Set, say) should copy it with `detachString` so it does not pin the whole chunk in memory.
 */
export class CsvParser {
  private readonly delimiter: number;
  private readonly delimiterText: string;
  private readonly maxFieldChars: number;
  private state = State.FieldStart;
  private fields: string[] = [];
  /** Text of the current field carried over from earlier chunks (or split by escaped quotes). */
  private partial = '';
  private line = 1;
  private recordLine = 1;
  private error: string | undefined;
  private bomChecked = false;

  constructor(options: CsvParserOptions = {}) {
    const delimiter = options.delimiter ?? ',';
    if (delimiter.length !== 1 || delimiter.charCodeAt(0) > 0x7f || delimiter === '"') {
      throw new Error(`CSV delimiter must be one ASCII character, got ${JSON.stringify(delimiter)}`);
    }
    this.delimiter = delimiter.charCodeAt(0);
    this.delimiterText = delimiter;
    this.maxFieldChars = options.maxFieldChars ?? 1024 * 1024;
  }

  /** Parses one chunk of text; complete records go to `emit` in order. */
  push(chunk: string, emit: CsvRecordHandler): void {
    let i = 0;
    const n = chunk.length;
    if (!this.bomChecked) {
      if (n === 0) return;
      this.bomChecked = true;
      if (chunk.charCodeAt(0) === 0xfeff) i = 1;
    }
    let nextQuote = -1;
    let nextCR = -1;
    while (i < n) {
      if (this.state === State.FieldStart && this.fields.length === 0) {
        // Fast path: whole lines without quotes or stray CRs are split natively.
        const lineEnd = chunk.indexOf('\n', i);
        if (lineEnd === -1) break;
        if (nextQuote !== NONE && nextQuote < i) nextQuote = chunk.indexOf('"', i);
        if (nextQuote === -1) nextQuote = NONE;
        if (nextCR !== NONE && nextCR < i) nextCR = chunk.indexOf('\r', i);
        if (nextCR === -1) nextCR = NONE;
        if (nextQuote < lineEnd || nextCR < lineEnd - 1) {
          i = this.parseRecord(chunk, i, emit);
          continue;
        }
        const end = nextCR === lineEnd - 1 ? lineEnd - 1 : lineEnd;
        if (end > i) emit(chunk.slice(i, end).split(this.delimiterText), this.recordLine, undefined);
        this.recordLine = ++this.line;
        i = lineEnd + 1;
      } else {
        i = this.parseRecord(chunk, i, emit);
      }
    }
    if (i < n) this.parseRecord(chunk, i, emit);
  }

  /**
   * The full state machine, from `i` to the end of the current record (or of the chunk, carrying
   * the unfinished field). Returns the index after the record's line break.
   */
  private parseRecord(chunk: string, i: number, emit: CsvRecordHandler): number {
    const n = chunk.length;
    const delimiter = this.delimiter;
    let state = this.state;
    const fields = this.fields;
    let start = i;
    for (; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (state === State.Unquoted) {
        if (c === delimiter) {
          fields.push(this.takePartial(chunk, start, i));
          state = State.FieldStart;
        } else if (c === LF || c === CR) {
          fields.push(this.takePartial(chunk, start, i));
          return this.endLine(c, i, emit);
        }
      } else if (state === State.FieldStart) {
        if (c === delimiter) {
          fields.push('');
        } else if (c === QUOTE) {
          state = State.Quoted;
          start = i + 1;
        } else if (c === LF || c === CR) {
          if (fields.length > 0) fields.push('');
          return this.endLine(c, i, emit);
        } else {
          state = State.Unquoted;
          start = i;
        }
      } else if (state === State.Quoted) {
        if (c === QUOTE) {
          this.partial += chunk.slice(start, i);
          state = State.QuoteInQuoted;
        } else if (c === LF) {
          this.line++;
        }
      } else {
        // Just after a quote inside a quoted field.
        if (c === QUOTE) {
          // Escaped quote: the second quote starts the next piece of the field.
          start = i;
          state = State.Quoted;
        } else if (c === delimiter) {
          fields.push(this.takePartial(chunk, i, i));
          state = State.FieldStart;
        } else if (c === LF || c === CR) {
          fields.push(this.takePartial(chunk, i, i));
          return this.endLine(c, i, emit);
        } else {
          this.error ??= `unexpected character after a closing quote on line ${this.line}`;
          start = i;
          state = State.Unquoted;
        }
      }
    }
    if (state === State.Unquoted || state === State.Quoted) {
      this.partial += chunk.slice(start, n);
      if (this.partial.length > this.maxFieldChars) {
        throw new CsvFieldTooLongError(this.recordLine, this.maxFieldChars);
      }
    }
    this.state = state;
    return n;
  }

  /** Ends the record (if it has any field) at the line break `c` found at `i`. */
  private endLine(c: number, i: number, emit: CsvRecordHandler): number {
    this.state = State.FieldStart;
    if (this.fields.length > 0) this.endRecord(emit);
    if (c === LF) this.recordLine = ++this.line;
    return i + 1;
  }

  /** Flushes the last record (a file need not end with a line break). */
  end(emit: CsvRecordHandler): void {
    switch (this.state) {
      case State.FieldStart:
        if (this.fields.length > 0) {
          this.fields.push('');
          this.endRecord(emit);
        }
        break;
      case State.Quoted:
        this.error ??= `quoted field starting on line ${this.recordLine} is not closed at the end of the blob`;
        this.fields.push(this.takePartial('', 0, 0));
        this.endRecord(emit);
        break;
      default:
        this.fields.push(this.takePartial('', 0, 0));
        this.endRecord(emit);
    }
    this.state = State.FieldStart;
  }

  private takePartial(chunk: string, start: number, end: number): string {
    if (this.partial === '') return chunk.slice(start, end);
    const value = this.partial + chunk.slice(start, end);
    this.partial = '';
    return value;
  }

  private endRecord(emit: CsvRecordHandler): void {
    const fields = this.fields;
    const error = this.error;
    this.fields = [];
    this.error = undefined;
    emit(fields, this.recordLine, error);
  }
}

/**
 * A copy of `value` that does not share memory with the (much larger) text it was sliced from.
 * V8 keeps slices of 13+ characters as views on their parent string.
 */
export function detachString(value: string): string {
  return value.length < 13 ? value : (' ' + value).slice(1);
}
