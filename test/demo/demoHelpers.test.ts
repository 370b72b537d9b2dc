import { fillSignInForm } from '../../dev/demo/oauthSignIn';
import { ProgressDisplay } from '../../dev/demo/progress';
import { renderTable } from '../../dev/demo/table';
import type { DemoOutput } from '../../dev/demo/output';
import { signInPage } from '../../dev/simulator/signInPage';
import { emptyCounts, newSegmentState, type Run, type SegmentRunState } from '../../shared/model/run';

function capture(isTTY: boolean): DemoOutput & { chunks: string[] } {
  const chunks: string[] = [];
  return { isTTY, chunks, write: (text) => void chunks.push(text) };
}

const segment = (patch: Partial<SegmentRunState>): SegmentRunState =>
  newSegmentState('big', { status: 'running', startedAt: '2026-01-01T00:00:00.000Z', ...patch });

const run = (segments: SegmentRunState[]): Run => ({
  id: 'run_1',
  exportId: 'exp_1',
  trigger: { type: 'onDemand', by: null, dueAt: null },
  dryRun: false,
  force: false,
  status: 'running',
  reason: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: null,
  segments,
});

describe('the sign-in form a browser would submit', () => {
  it('keeps the hidden OAuth fields, fills the credentials and presses Allow', () => {
    const html = signInPage({
      clientId: 'local-client',
      redirectUri: 'http://127.0.0.1:7071/api/oauth/rollworks/callback',
      state: 'st&te"1',
      scope: 'all',
    });
    const form = fillSignInForm(html, 'http://127.0.0.1:7072/auth/authorize?client_id=x', {
      username: 'demo',
      password: 'demo-password',
    });
    expect(form.method).toBe('POST');
    expect(form.action).toBe('http://127.0.0.1:7072/auth/authorize');
    expect(Object.fromEntries(form.fields)).toEqual({
      client_id: 'local-client',
      redirect_uri: 'http://127.0.0.1:7071/api/oauth/rollworks/callback',
      state: 'st&te"1',
      scope: 'all',
      response_type: 'code',
      username: 'demo',
      password: 'demo-password',
      decision: 'allow',
    });
  });

  it('refuses a page without a sign-in form', () => {
    expect(() =>
      fillSignInForm('<p>oops</p>', 'http://127.0.0.1/', { username: 'a', password: 'b' }),
    ).toThrow(/no sign-in form/);
  });
});

describe('progress bars', () => {
  const totals = new Map([['big', 1000]]);
  const halfway = segment({ progress: { rowsRead: 500, updatedAt: '2026-01-01T00:00:02.000Z' } });

  it('shows the share read and rows per second', () => {
    const line = new ProgressDisplay(capture(false), totals).line(halfway);
    expect(line).toMatch(/^big \[█{14}░{14}\]\s+50%\s+500\/1,000 rows\s+250 rows\/s\s+reading$/);
  });

  it('redraws in place on a terminal, only when something changed', () => {
    const out = capture(true);
    const display = new ProgressDisplay(out, totals);
    display.update(run([halfway]));
    display.update(run([halfway]));
    display.update(
      run([
        segment({
          status: 'succeeded',
          counts: { ...emptyCounts(), read: 1000 },
          finishedAt: '2026-01-01T00:00:04.000Z',
        }),
      ]),
    );
    expect(out.chunks).toHaveLength(2);
    expect(out.chunks[0].startsWith('\x1b[')).toBe(false);
    const escape = '\x1b[';
    expect(out.chunks[1].startsWith(`${escape}1A\r${escape}2K  big [${'█'.repeat(28)}] 100%`)).toBe(true);
    expect(out.chunks[1]).toMatch(/succeeded\S*\n$/);
  });

  it('prints plain lines, without escapes, when the output is not a terminal', () => {
    const out = capture(false);
    const display = new ProgressDisplay(out, totals);
    display.update(run([segment({ status: 'queued', startedAt: null })]));
    display.update(run([halfway]));
    display.update(run([halfway]));
    expect(out.chunks).toHaveLength(2);
    expect(out.chunks.join('')).not.toContain('\x1b');
    expect(out.chunks[1]).toMatch(/50%.*reading\n$/);
  });
});

describe('result table', () => {
  it('aligns numbers right and text left', () => {
    const table = renderTable(
      [{ title: 'segment' }, { title: 'read', align: 'right' }],
      [
        ['a', '1'],
        ['longer', '1,000'],
      ],
      '',
    );
    expect(table.split('\n')).toEqual([
      'segment   read',
      '───────  ─────',
      'a            1',
      'longer   1,000',
    ]);
  });
});
