import {
  deriveRunReason,
  deriveRunStatus,
  newSegmentState,
  type SegmentRunState,
  type SegmentRunStatus,
} from '../../shared/model/run';

const segment = (name: string, status: SegmentRunStatus, code?: string): SegmentRunState =>
  newSegmentState(name, { status, error: code ? { code, message: code } : null });

const statusOf = (...statuses: SegmentRunStatus[]) =>
  deriveRunStatus(
    statuses.map((s, i) => segment(`s${i}`, s)),
    'queued',
  );

describe('deriveRunStatus', () => {
  test.each([
    [['queued', 'queued'], 'queued'],
    [['running', 'queued'], 'running'],
    [['waitingForQuota', 'succeeded'], 'running'],
    [['succeeded', 'queued'], 'running'],
    [['succeeded', 'succeeded'], 'succeeded'],
    [['succeeded', 'skipped'], 'succeeded'],
    [['succeeded', 'failed'], 'partiallySucceeded'],
    [['skipped', 'failed'], 'partiallySucceeded'],
    [['failed', 'failed'], 'failed'],
    [['failed', 'canceled'], 'failed'],
    [['skipped', 'skipped'], 'skipped'],
    [['canceled', 'canceled'], 'canceled'],
  ] as [SegmentRunStatus[], string][])('%j → %s', (statuses, expected) => {
    expect(statusOf(...statuses)).toBe(expected);
  });

  test('a canceled run stays canceled whatever its segments say', () => {
    expect(deriveRunStatus([segment('a', 'succeeded')], 'canceled')).toBe('canceled');
  });

  test('a run without segments is skipped', () => {
    expect(deriveRunStatus([], 'queued')).toBe('skipped');
  });
});

describe('deriveRunReason', () => {
  test('names each failed segment and its error code', () => {
    const segments = [segment('a', 'succeeded'), segment('b', 'failed', 'SEGMENT_TOO_SMALL')];
    expect(deriveRunReason(segments, 'partiallySucceeded')).toBe(
      '1 of 2 segments failed: b (SEGMENT_TOO_SMALL)',
    );
  });

  test('a success has no reason', () => {
    expect(deriveRunReason([segment('a', 'succeeded')], 'succeeded')).toBeNull();
  });
});
