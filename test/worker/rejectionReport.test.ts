import { RejectionReport } from '../../shared/worker/rejectionReport';
import { MemberCollector } from '../../shared/worker/memberCollector';

it('writes no control character into a report cell, and still defuses formulas', () => {
  const report = new RejectionReport();
  const collector = new MemberCollector({ hash: 'md5', hashEmails: true, limit: 1000 }, report);
  for (const [i, value] of [
    'an\u0000n@exa\u001bmple',
    '=HYPERLINK("x")',
    'bad\u0007\u007f\u0085',
  ].entries()) {
    collector.addEmail(value, 'part-0.csv', i + 2);
  }
  const csv = report.toCsv();
  const [, ...rows] = csv.trimEnd().split('\n');
  expect(rows).toHaveLength(3);
  // eslint-disable-next-line no-control-regex -- what must not be there
  expect(csv).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/);
  expect(rows[1].split(',').at(-1)).toMatch(/^"?'=/);
});
