import { CsvParser } from '../../shared/segments/csvParser';

// Column mode (`selectColumn` + a column handler) must see every record exactly as the full parser
// does, whatever the chunk boundaries.

type Seen = { value: string | undefined; count: number; line: number; error: string | undefined };

const TEXT =
  '\uFEFFEmail,Name,Note\r\n' +
  'a@example.com,"Doe, Jane","said ""hi"""\r\n' +
  '\r\n' +
  'b@example.com,"Multi\r\nline",x\r\n' +
  'c@example.com,only two\n' +
  'd@example.com,Zoë,ok,extra\r\n' +
  'e@example.com,"bad"quote,y\n' +
  ',,\n' +
  'x\n' +
  '"f@example.com",plain,last';

/** Records after the header, from the full parser: the column's value and the field count. */
function fullParse(text: string, column: number): Seen[] {
  const seen: Seen[] = [];
  const parser = new CsvParser();
  let header = true;
  const emit = (fields: string[], line: number, error: string | undefined) => {
    if (header) header = false;
    else seen.push({ value: fields[column], count: fields.length, line, error });
  };
  parser.push(text, emit);
  parser.end(emit);
  return seen;
}

function columnParse(chunks: string[], column: number): Seen[] {
  const seen: Seen[] = [];
  const parser = new CsvParser();
  const onHeader = () => parser.selectColumn(column);
  const onValue = (value: string | undefined, count: number, line: number, error: string | undefined) =>
    seen.push({ value, count, line, error });
  for (const chunk of chunks) parser.push(chunk, onHeader, onValue);
  parser.end(onHeader, onValue);
  return seen;
}

describe('CsvParser column mode', () => {
  it.each([0, 1, 2, 3])(
    'yields column %i of every record as the full parser does, at any chunk boundary',
    (column) => {
      const expected = fullParse(TEXT, column);
      expect(expected).toHaveLength(8);
      expect(columnParse([TEXT], column)).toEqual(expected);
      for (let cut = 1; cut < TEXT.length; cut++) {
        expect(columnParse([TEXT.slice(0, cut), TEXT.slice(cut)], column)).toEqual(expected);
      }
      expect(columnParse([...TEXT], column)).toEqual(expected);
    },
  );

  it('reads a long single-column file (no delimiter to find on any line)', () => {
    const text = `Email\n${Array.from({ length: 200_000 }, (_, i) => `p${i}@example.com`).join('\n')}\n`;
    const values = columnParse([text], 0);
    expect(values).toHaveLength(200_000);
    expect(values[199_999]).toEqual({
      value: 'p199999@example.com',
      count: 1,
      line: 200_001,
      error: undefined,
    });
  });

  it('refuses a column that is not an index', () => {
    expect(() => new CsvParser().selectColumn(-1)).toThrow(/index/);
  });
});
