import { CsvParser } from '../../shared/segments/csvParser';
import { detachString } from '../../shared/segments/detachString';

interface Parsed {
  fields: string[];
  line: number;
  error?: string;
}

/** Parses `text` fed in chunks of `size` characters (every split point is exercised with size 1). */
function parse(text: string, size = text.length, delimiter?: string): Parsed[] {
  const parser = new CsvParser({ delimiter });
  const records: Parsed[] = [];
  const emit = (fields: string[], line: number, error: string | undefined) =>
    records.push(error === undefined ? { fields, line } : { fields, line, error });
  for (let at = 0; at < text.length; at += size) parser.push(text.slice(at, at + size), emit);
  parser.end(emit);
  return records;
}

describe('CsvParser', () => {
  const tricky =
    '\uFEFFId,Name,Note\r\n' +
    '1,"Smith, Jane","She said ""hi"""\r\n' +
    '\r\n' +
    '2,"Multi\nline\r\nnote",plain\r\n' +
    '3,,\r\n' +
    '4,Ünïcödé ✓," "\r\n';

  it.each([1, 2, 3, 7, 64, tricky.length])('reads quotes, newlines, BOM, CRLF in chunks of %i', (size) => {
    expect(parse(tricky, size)).toEqual([
      { fields: ['Id', 'Name', 'Note'], line: 1 },
      { fields: ['1', 'Smith, Jane', 'She said "hi"'], line: 2 },
      { fields: ['2', 'Multi\nline\r\nnote', 'plain'], line: 4 },
      { fields: ['3', '', ''], line: 7 },
      { fields: ['4', 'Ünïcödé ✓', ' '], line: 8 },
    ]);
  });

  it('skips empty lines, keeps line numbers and reads a last line without a line break', () => {
    expect(parse('a,b\n\n\n1,2\n\n3,4')).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['1', '2'], line: 4 },
      { fields: ['3', '4'], line: 6 },
    ]);
  });

  it('accepts LF, CRLF and lone CR line ends', () => {
    expect(parse('a,b\r1,2\r\n3,4\n').map((record) => record.fields)).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('reports ragged rows as they are and flags broken quoting', () => {
    const records = parse('a,b,c\n1,2\n1,"x"y,3\n4,5,6,7\n"open,8\n9');
    expect(records[1]).toEqual({ fields: ['1', '2'], line: 2 });
    expect(records[2].error).toMatch(/after a closing quote on line 3/);
    expect(records[3]).toEqual({ fields: ['4', '5', '6', '7'], line: 4 });
    expect(records[4].error).toMatch(/line 5 is not closed/);
    expect(records[4].fields).toEqual(['open,8\n9']);
  });

  it('reads a trailing delimiter as an empty last field and supports other delimiters', () => {
    expect(parse('a;b;\n"x;y";2;\n', 3, ';').map((record) => record.fields)).toEqual([
      ['a', 'b', ''],
      ['x;y', '2', ''],
    ]);
  });

  it('fails instead of buffering a whole blob behind an unbalanced quote', () => {
    const parser = new CsvParser({ maxFieldChars: 100 });
    expect(() => parser.push(`a\n"${'x'.repeat(200)}`, () => undefined)).toThrow(/line 2 is longer than 100/);
  });

  it('detaches a value from its chunk without changing it', () => {
    const value = 'someone.long@example.com';
    expect(detachString(value)).toBe(value);
    expect(detachString('short')).toBe('short');
  });
});
