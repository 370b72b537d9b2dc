/**
 * Receives each record: its fields, the 1-based line of the blob it starts on, and `error` when it
 * broke a quoting rule (its fields are then still the best reading of it).
 */
export type CsvRecordHandler = (fields: string[], line: number, error: string | undefined) => void;

/**
 * Receives one column of each record once `selectColumn` was called: the value (undefined when the
 * record has fewer fields), the record's field count, its line and its quoting error, as above.
 */
export type CsvColumnHandler = (
  value: string | undefined,
  fieldCount: number,
  line: number,
  error: string | undefined,
) => void;

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
 *
 * A reader that needs one column calls `selectColumn` (typically from the header's handler) and
 * passes a `CsvColumnHandler`: quote-free lines are then scanned for their delimiters without
 * splitting them into strings, several times faster than building every field.
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
  private column = -1;
  /** Column mode: index of the next delimiter in the current chunk (see emitColumnOf). */
  private nextDelimiter = -1;

  constructor(options: CsvParserOptions = {}) {
    const delimiter = options.delimiter ?? ',';
    if (delimiter.length !== 1 || delimiter.charCodeAt(0) > 0x7f || delimiter === '"') {
      throw new Error(`CSV delimiter must be one ASCII character, got ${JSON.stringify(delimiter)}`);
    }
    this.delimiter = delimiter.charCodeAt(0);
    this.delimiterText = delimiter;
    this.maxFieldChars = options.maxFieldChars ?? 1024 * 1024;
  }

  /**
   * From the next record on, records go to the `emitColumn` handler given to `push`/`end` as their
   * value of this (0-based) column.
   */
  selectColumn(column: number): void {
    if (!Number.isInteger(column) || column < 0)
      throw new Error(`CSV column must be an index, got ${column}`);
    this.column = column;
  }

  /**
   * Parses one chunk of text; complete records go to `emit` in order (to `emitColumn` after
   * `selectColumn`).
   */
  push(chunk: string, emit: CsvRecordHandler, emitColumn?: CsvColumnHandler): void {
    if (emitColumn !== undefined) emit = this.columnAdapter(emit, emitColumn);
    this.nextDelimiter = -1;
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
        if (end > i) {
          if (this.column >= 0 && emitColumn !== undefined) this.emitColumnOf(chunk, i, end, emitColumn);
          else emit(chunk.slice(i, end).split(this.delimiterText), this.recordLine, undefined);
        }
        this.recordLine = ++this.line;
        i = lineEnd + 1;
      } else {
        i = this.parseRecord(chunk, i, emit);
      }
    }
    if (i < n) this.parseRecord(chunk, i, emit);
  }

  /** Emits the selected column of the quote-free line `chunk[start, end)`, counting its delimiters. */
  private emitColumnOf(chunk: string, start: number, end: number, emitColumn: CsvColumnHandler): void {
    const column = this.column;
    const delimiter = this.delimiterText;
    // The first delimiter at or after `start`; kept across lines so a chunk is searched once.
    let at = this.nextDelimiter;
    if (at < start) {
      at = chunk.indexOf(delimiter, start);
      if (at === -1) at = NONE;
    }
    let fieldCount = 1;
    let valueStart = column === 0 ? start : -1;
    let valueEnd = end;
    while (at < end) {
      if (fieldCount === column) valueStart = at + 1;
      else if (fieldCount === column + 1) valueEnd = at;
      fieldCount++;
      at = chunk.indexOf(delimiter, at + 1);
      if (at === -1) at = NONE;
    }
    this.nextDelimiter = at;
    emitColumn(
      valueStart >= 0 ? chunk.slice(valueStart, valueEnd) : undefined,
      fieldCount,
      this.recordLine,
      undefined,
    );
  }

  /** Records parsed field by field (quotes, CRs, across chunks) delivered to a column handler. */
  private columnAdapter(emit: CsvRecordHandler, emitColumn: CsvColumnHandler): CsvRecordHandler {
    return (fields, line, error) => {
      if (this.column >= 0) emitColumn(fields[this.column], fields.length, line, error);
      else emit(fields, line, error);
    };
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
  end(emit: CsvRecordHandler, emitColumn?: CsvColumnHandler): void {
    if (emitColumn !== undefined) emit = this.columnAdapter(emit, emitColumn);
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
