import { cronProblem, dueTimesBetween, isValidTimeZone, latestDueTime } from '../../shared/schedule/cron';
import { effectiveSchedule } from '../../shared/schedule/exportSchedule';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('cron expressions', () => {
  test('accepts NCRONTAB six-field and classic five-field expressions', () => {
    expect(cronProblem('0 */5 * * * *')).toBeNull();
    expect(cronProblem('0 30 6 * * 1-5')).toBeNull();
    expect(cronProblem('30 6 * * 1-5')).toBeNull();
  });

  test('explains what is wrong', () => {
    expect(cronProblem('* * * *')).toMatch(/six fields .* or five .*found 4/);
    expect(cronProblem('0 61 * * * *')).toMatch(/not a valid cron expression/);
  });

  test('five fields mean minute-level schedules (no seconds)', () => {
    const schedule = { cron: '30 6 * * *', timeZone: 'UTC' };
    expect(
      iso(dueTimesBetween(schedule, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-02T23:59:59Z'))),
    ).toEqual(['2026-01-01T06:30:00.000Z', '2026-01-02T06:30:00.000Z']);
  });

  test('IANA time zones', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});

describe('daylight-saving changes', () => {
  test('America/New_York spring forward (2026-03-08): 09:00 local stays 09:00 local', () => {
    const schedule = { cron: '0 0 9 * * *', timeZone: 'America/New_York' };
    const due = dueTimesBetween(schedule, new Date('2026-03-06T12:00:00Z'), new Date('2026-03-09T23:00:00Z'));
    expect(iso(due)).toEqual([
      '2026-03-06T14:00:00.000Z', // EST, UTC-5
      '2026-03-07T14:00:00.000Z',
      '2026-03-08T13:00:00.000Z', // EDT, UTC-4
      '2026-03-09T13:00:00.000Z',
    ]);
  });

  test('a local time skipped by spring forward still fires once that day', () => {
    const schedule = { cron: '0 30 2 * * *', timeZone: 'America/New_York' };
    const due = dueTimesBetween(schedule, new Date('2026-03-07T00:00:00Z'), new Date('2026-03-10T00:00:00Z'));
    expect(iso(due)).toEqual([
      '2026-03-07T07:30:00.000Z',
      '2026-03-08T07:30:00.000Z',
      '2026-03-09T06:30:00.000Z',
    ]);
  });

  test('Europe/Berlin fall back (2026-10-25): a repeated local time fires once', () => {
    const schedule = { cron: '0 30 2 * * *', timeZone: 'Europe/Berlin' };
    const due = dueTimesBetween(schedule, new Date('2026-10-23T12:00:00Z'), new Date('2026-10-26T12:00:00Z'));
    expect(iso(due)).toEqual([
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T01:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
  });
});

describe('latestDueTime', () => {
  test('the newest due time in (after, until], found quickly even after a long outage', () => {
    const everySecond = { cron: '* * * * * *', timeZone: 'UTC' };
    const after = new Date('2026-01-01T00:00:00Z');
    const until = new Date('2026-03-01T00:00:00.500Z');
    expect(latestDueTime(everySecond, after, until)?.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    const daily = { cron: '0 0 2 * * *', timeZone: 'UTC' };
    expect(latestDueTime(daily, after, until)?.toISOString()).toBe('2026-02-28T02:00:00.000Z');
  });

  test('none when the window holds no due time; the window start is exclusive', () => {
    const daily = { cron: '0 0 2 * * *', timeZone: 'UTC' };
    expect(
      latestDueTime(daily, new Date('2026-01-01T02:00:00Z'), new Date('2026-01-02T01:59:59Z')),
    ).toBeNull();
    expect(
      latestDueTime(daily, new Date('2026-01-01T02:00:00Z'), new Date('2026-01-01T02:00:00Z')),
    ).toBeNull();
  });
});

test('exports without their own cron follow the system refresh schedule and zone', () => {
  const system = { SYSTEM_REFRESH_CRON: '0 0 2 * * *', SYSTEM_REFRESH_TIME_ZONE: 'Europe/Berlin' };
  expect(effectiveSchedule({ enabled: true }, system)).toEqual({
    cron: '0 0 2 * * *',
    timeZone: 'Europe/Berlin',
  });
  expect(effectiveSchedule({ enabled: true, cron: '0 0 6 * * *' }, system)).toEqual({
    cron: '0 0 6 * * *',
    timeZone: 'UTC',
  });
});

test('every window agrees with one continuous walk across a skipped local time', () => {
  const schedule = { cron: '0 30 2 * * *', timeZone: 'America/New_York' };
  const found: string[] = [];
  for (let t = Date.parse('2026-03-08T05:00:00Z'); t < Date.parse('2026-03-08T10:00:00Z'); t += 15 * 60_000) {
    found.push(...iso(dueTimesBetween(schedule, new Date(t), new Date(t + 15 * 60_000))));
  }
  expect(found).toEqual(['2026-03-08T07:30:00.000Z']);
});
