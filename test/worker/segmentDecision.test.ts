import { decide, memberLimits, type SegmentFacts, type Verdict } from '../../shared/worker/segmentDecision';

const NOW = new Date('2026-06-15T12:00:00Z');
const DAY = 86_400_000;

/** A segment of 500 valid members, sent before by another run 10 days ago, 480 of them unchanged. */
function facts(patch: Partial<SegmentFacts> = {}): SegmentFacts {
  return {
    read: 520,
    valid: 500,
    limits: { min: 100, max: 250_000, contract: false },
    previous: {
      memberCount: 500,
      runId: 'run-before',
      sentAt: new Date(NOW.getTime() - 10 * DAY),
      audienceId: 'AUD1',
      result: { sent: 500, added: 500, removed: 0 },
    },
    change: { added: 20, removed: 20 },
    run: { id: 'run-now', dryRun: false, force: false },
    now: NOW,
    policy: { resendAfterDays: 90, massRemovalMaxShare: 0.2, massRemovalMinCount: 100 },
    ...patch,
  };
}

const none = { added: 0, removed: 0 };
const run = (patch: Partial<SegmentFacts['run']>) => ({ ...facts().run, ...patch });
const previous = (patch: Partial<NonNullable<SegmentFacts['previous']>>) => ({
  ...facts().previous!,
  ...patch,
});
const contract = { min: 100, max: 400, contract: true };

const table: [string, Partial<SegmentFacts>, Verdict][] = [
  ['a change is sent as a replace', {}, { kind: 'send', mode: 'replace', resend: false }],
  [
    'the first send creates',
    { previous: null, change: { added: 500, removed: 0 } },
    { kind: 'send', mode: 'create', resend: false },
  ],
  [
    'one past the limit is too large (the collector stops there)',
    { valid: 250_001, read: 260_000 },
    { kind: 'tooLarge', limit: 250_000, contract: false, rowsRead: 260_000 },
  ],
  [
    'a contract limit below the system one says so',
    { valid: 401, limits: contract },
    { kind: 'tooLarge', limit: 400, contract: true, rowsRead: 520 },
  ],
  [
    'exactly the limit is sent',
    { valid: 400, limits: contract },
    { kind: 'send', mode: 'replace', resend: false },
  ],
  ['fewer than the minimum is too small', { valid: 99 }, { kind: 'tooSmall', valid: 99, min: 100 }],
  [
    'too small even for a dry run or a forced run',
    { valid: 0, run: run({ dryRun: true, force: true }) },
    { kind: 'tooSmall', valid: 0, min: 100 },
  ],
  ['exactly the minimum is sent', { valid: 100 }, { kind: 'send', mode: 'replace', resend: false }],
  [
    'unchanged since this very run sent it: already sent',
    { change: none, previous: previous({ runId: 'run-now' }) },
    { kind: 'alreadySent', audienceId: 'AUD1', result: { sent: 500, added: 500, removed: 0 } },
  ],
  [
    'a dry run of that is still a dry run',
    { change: none, previous: previous({ runId: 'run-now' }), run: run({ dryRun: true }) },
    { kind: 'dryRun' },
  ],
  [
    'removing more than the share, and at least the count, is blocked',
    { change: { added: 0, removed: 101 } },
    {
      kind: 'massRemovalBlocked',
      removed: 101,
      audienceSize: 500,
      share: 0.202,
      maxShare: 0.2,
      dryRun: false,
    },
  ],
  [
    'a dry run reports the block too',
    { change: { added: 0, removed: 150 }, run: run({ dryRun: true }) },
    { kind: 'massRemovalBlocked', removed: 150, audienceSize: 500, share: 0.3, maxShare: 0.2, dryRun: true },
  ],
  [
    'force lets a mass removal through',
    { change: { added: 0, removed: 150 }, run: run({ force: true }) },
    { kind: 'send', mode: 'replace', resend: false },
  ],
  [
    'exactly the share is not more than it',
    { change: { added: 0, removed: 100 } },
    { kind: 'send', mode: 'replace', resend: false },
  ],
  [
    'under the minimum count, any share goes through',
    { change: { added: 0, removed: 99 }, previous: previous({ memberCount: 120 }) },
    { kind: 'send', mode: 'replace', resend: false },
  ],
  [
    'removals of members now suppressed never trip the guard',
    { change: { added: 0, removed: 300, removedBySuppression: 300 } },
    { kind: 'send', mode: 'replace', resend: false },
  ],
  [
    'only the removals not caused by suppression count for the guard (101 of 400 > 20%)',
    { change: { added: 0, removed: 400, removedBySuppression: 299 } },
    {
      kind: 'massRemovalBlocked',
      removed: 101,
      audienceSize: 500,
      share: 0.202,
      maxShare: 0.2,
      dryRun: false,
    },
  ],
  [
    'suppression removals plus a few others under the minimum count go through',
    { change: { added: 0, removed: 399, removedBySuppression: 300 } },
    { kind: 'send', mode: 'replace', resend: false },
  ],
  [
    'a segment unchanged but for newly suppressed members is sent, not "unchanged"',
    { change: { added: 0, removed: 5, removedBySuppression: 5 } },
    { kind: 'send', mode: 'replace', resend: false },
  ],
  ['a dry run sends nothing', { run: run({ dryRun: true }) }, { kind: 'dryRun' }],
  [
    'a dry run of a first send',
    { previous: null, change: { added: 500, removed: 0 }, run: run({ dryRun: true }) },
    { kind: 'dryRun' },
  ],
  ['unchanged and recent: nothing sent', { change: none }, { kind: 'unchanged', audienceId: 'AUD1' }],
  [
    'unchanged one day before the resend is due',
    { change: none, previous: previous({ sentAt: new Date(NOW.getTime() - 89 * DAY) }) },
    { kind: 'unchanged', audienceId: 'AUD1' },
  ],
  [
    'unchanged but due again: resent',
    { change: none, previous: previous({ sentAt: new Date(NOW.getTime() - 90 * DAY) }) },
    { kind: 'send', mode: 'replace', resend: true },
  ],
  [
    'a change is sent whatever the age',
    { previous: previous({ sentAt: new Date(NOW.getTime() - 200 * DAY) }) },
    { kind: 'send', mode: 'replace', resend: false },
  ],
];

describe('decide: from facts to a verdict, without storage', () => {
  it.each(table)('%s', (_case, patch, verdict) => {
    expect(decide(facts(patch))).toEqual(verdict);
  });

  it.each([
    ['the destination’s limits', null, { min: 100, max: 250_000, contract: false }],
    ['a lower contract limit', 400, { min: 100, max: 400, contract: true }],
    ['a contract limit above the destination’s', 300_000, { min: 100, max: 250_000, contract: false }],
    ['a contract limit equal to it', 250_000, { min: 100, max: 250_000, contract: false }],
  ])('member limits: %s', (_case, profileLimit, limits) => {
    const destination = { minMembers: 100, maxMembers: 250_000, resendAfterDays: 90, dailyRequests: 100 };
    expect(memberLimits(destination, profileLimit)).toEqual(limits);
  });
});
