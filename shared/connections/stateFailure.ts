import type { AuthorizationFailure } from './authorizationOutcome';
import type { ConsumedState } from './oauthStates';

type Reason = Exclude<ConsumedState, { ok: true }>['reason'];

/** "30 seconds", "1 minute", "10 minutes", "2 hours": a lifetime as people say it. */
export function describeDuration(seconds: number): string {
  const [amount, unit] =
    seconds % 3600 === 0
      ? [seconds / 3600, 'hour']
      : seconds % 60 === 0
        ? [seconds / 60, 'minute']
        : [seconds, 'second'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}

/** What the person reads when the `state` an OAuth callback brings cannot be used. */
export function stateFailure(
  reason: Reason,
  ttlSeconds: number,
): { code: AuthorizationFailure; message: string } {
  switch (reason) {
    case 'unknown':
      return {
        code: 'STATE_UNKNOWN',
        message: 'This sign-in link is not known to the app. Start the authorization again from the app.',
      };
    case 'expired':
      return {
        code: 'STATE_EXPIRED',
        message: `This sign-in link expired (it is valid for ${describeDuration(ttlSeconds)}). Start the authorization again.`,
      };
    case 'superseded':
      return {
        code: 'STATE_SUPERSEDED',
        message: 'A newer sign-in was started for this connection, which ends this one. Use the newest link.',
      };
    case 'used':
      return {
        code: 'STATE_ALREADY_USED',
        message: 'This sign-in link was already used. Start the authorization again.',
      };
  }
}
