import { newSegmentState, type SegmentRunState } from '../../shared/model/run';
import { explainSegment } from '../../shared/runs/segmentExplanation';

const state = (patch: Partial<SegmentRunState>): SegmentRunState =>
  newSegmentState('newsletter', { status: 'failed', ...patch });
const run = { status: 'failed' as const, reason: null };

test('a failure gets the next step its code calls for, once', () => {
  const forbidden = explainSegment(
    state({ error: { code: 'FORBIDDEN', message: 'RollWorks createAudience failed with HTTP 403' } }),
    run,
  );
  expect(forbidden.reason).toBe('FORBIDDEN');
  expect(forbidden.error!.message).toBe(
    'RollWorks createAudience failed with HTTP 403. The connection’s RollWorks user may not change this advertiser’s audiences: check the advertiser and the user’s access in RollWorks.',
  );
  const already = { code: 'INVALID_GRANT', message: 'An administrator must authorize the connection again.' };
  expect(explainSegment(state({ error: already }), run).error).toEqual(already);
});

test('a failure recorded without an error still says so in a sentence', () => {
  expect(explainSegment(state({ reason: 'SEGMENT_TOO_SMALL' }), run)).toEqual({
    reason: 'SEGMENT_TOO_SMALL',
    error: {
      code: 'SEGMENT_TOO_SMALL',
      message: 'The segment failed without a recorded cause; run the export again.',
    },
  });
});

test('canceled segments name who canceled the run; a retry in progress keeps its error as it is', () => {
  expect(
    explainSegment(state({ status: 'canceled', reason: 'canceled' }), {
      status: 'canceled',
      reason: 'canceled by Ada Admin',
    }).error,
  ).toEqual({ code: 'CANCELED', message: 'The run was canceled by Ada Admin before this segment finished.' });
  const retry = { code: 'RATE_LIMITED', message: 'RollWorks answered 429; retrying in 30 s.' };
  expect(explainSegment(state({ status: 'running', error: retry }), run).error).toEqual(retry);
  expect(explainSegment(state({ status: 'succeeded', reason: 'unchanged' }), run)).toEqual({
    reason: 'unchanged',
    error: null,
  });
});
