import { describeDuration, stateFailure } from '../../shared/connections/stateFailure';

it.each([
  [30, '30 seconds'],
  [1, '1 second'],
  [60, '1 minute'],
  [90, '90 seconds'],
  [600, '10 minutes'],
  [3600, '1 hour'],
  [7200, '2 hours'],
])('says %i seconds as "%s"', (seconds, words) => {
  expect(describeDuration(seconds)).toBe(words);
});

it('tells how long a sign-in link is valid in the unit its lifetime has', () => {
  expect(stateFailure('expired', 30).message).toContain('it is valid for 30 seconds');
  expect(stateFailure('expired', 600).message).toContain('it is valid for 10 minutes');
});
