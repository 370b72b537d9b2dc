export type JsonLine =
  { line: number; fields: Record<string, string>; keys: string[] } | { line: number; error: string };

/**
 * Streaming JSON Lines parser over decoded text: one object per line, values turned into strings
 * (null → '', numbers and booleans as written, nested values as JSON). Empty lines are skipped;
 * a line that is not a JSON object is reported with its line number, never dropped. Values come
 * from JSON.parse, so they never share memory with the chunk text.
 */
export class JsonLinesParser {
  private partial = '';
  private line = 1;
  private first = true;

  constructor(private readonly maxLineChars = 1024 * 1024) {}

  push(chunk: string, emit: (line: JsonLine) => void): void {
    let start = 0;
    if (this.first) {
      if (chunk.length === 0) return;
      this.first = false;
      if (chunk.charCodeAt(0) === 0xfeff) start = 1;
    }
    let end = chunk.indexOf('\n', start);
    while (end !== -1) {
      if (this.partial === '') {
        this.parseLine(chunk.slice(start, end), emit);
      } else {
        const text = this.partial + chunk.slice(start, end);
        this.partial = '';
        this.parseLine(text, emit);
      }
      start = end + 1;
      end = chunk.indexOf('\n', start);
    }
    if (start < chunk.length) this.partial += chunk.slice(start);
    if (this.partial.length > this.maxLineChars) {
      throw new Error(`line ${this.line} is longer than ${this.maxLineChars} characters (not JSON Lines?)`);
    }
  }

  end(emit: (line: JsonLine) => void): void {
    if (this.partial !== '') {
      const text = this.partial;
      this.partial = '';
      this.parseLine(text, emit);
    }
  }

  private parseLine(text: string, emit: (line: JsonLine) => void): void {
    const line = this.line++;
    if (text.length === 0 || text.trim().length === 0) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      emit({ line, error: jsonErrorReason(error) });
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      const found = Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
      emit({ line, error: `expected a JSON object, found ${found}` });
      return;
    }
    const keys = Object.keys(value);
    const fields: Record<string, string> = {};
    for (const key of keys) fields[key] = asText((value as Record<string, unknown>)[key]);
    emit({ line, fields, keys });
  }
}

function asText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return '';
    default:
      return value === null ? '' : JSON.stringify(value);
  }
}

/** The parse error without the excerpt of the line V8 quotes (it may hold personal data). */
function jsonErrorReason(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  const position = /at position (\d+)/.exec(message);
  if (/Unexpected end of JSON input|Unterminated string/i.test(message))
    return 'not valid JSON: the line ends too early';
  return position ? `not valid JSON at character ${Number(position[1]) + 1}` : 'not valid JSON';
}
