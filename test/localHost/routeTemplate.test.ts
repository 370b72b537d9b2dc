import { compileRoute } from '../../dev/localHost/routeTemplate';
import { parseTimeSpan } from '../../dev/localHost/hostConfig';

describe('route templates', () => {
  it('extracts parameters, honours simple constraints and optional parameters', () => {
    const route = compileRoute('exports/{id}/runs/{runId:int?}');
    expect(route.match('/exports/abc/runs')).toEqual({ id: 'abc' });
    expect(route.match('/exports/abc/runs/12')).toEqual({ id: 'abc', runId: '12' });
    expect(route.match('/exports/abc/runs/x')).toBeUndefined();
    expect(route.match('/exports/abc')).toBeUndefined();
  });

  it('supports catch-all parameters, mixed segments and decoding', () => {
    expect(compileRoute('files/{*path}').match('/files/a/b%20c.csv')).toEqual({ path: 'a/b c.csv' });
    expect(compileRoute('files/{name}.{ext}').match('/files/report.csv')).toEqual({
      name: 'report',
      ext: 'csv',
    });
    expect(compileRoute('').match('')).toEqual({});
  });

  it('ranks literal segments above parameters', () => {
    expect(compileRoute('items/new').specificity).toBeGreaterThan(compileRoute('items/{id}').specificity);
    expect(compileRoute('items/{id}').specificity).toBeGreaterThan(compileRoute('items/{id?}').specificity);
  });
});

describe('host.json TimeSpans', () => {
  it('parses hh:mm:ss with optional days and fractions', () => {
    expect(parseTimeSpan('00:00:30', 'x')).toBe(30_000);
    expect(parseTimeSpan('1.02:03:04.5', 'x')).toBe(((24 + 2) * 3600 + 3 * 60 + 4) * 1000 + 500);
    expect(() => parseTimeSpan('30s', 'visibilityTimeout')).toThrow(/visibilityTimeout/);
  });
});
