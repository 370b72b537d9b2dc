/** What the OAuth callback ended with; rendered as the page the person sees. */
export type AuthorizationOutcome =
  | {
      ok: true;
      connection: { id: string; displayName: string; status: string };
      organizationName: string;
    }
  | {
      ok: false;
      code: AuthorizationFailure;
      message: string;
      connection?: { id: string; displayName: string };
    };

export type AuthorizationFailure =
  | 'REQUEST_INVALID'
  | 'STATE_MISSING'
  | 'STATE_UNKNOWN'
  | 'STATE_EXPIRED'
  | 'STATE_ALREADY_USED'
  | 'STATE_SUPERSEDED'
  | 'CONNECTION_NOT_FOUND'
  | 'AUTHORIZATION_DENIED'
  | 'AUTHORIZATION_FAILED'
  | 'CODE_MISSING'
  | 'CODE_EXCHANGE_FAILED'
  | 'ORGANIZATION_CHECK_FAILED';
