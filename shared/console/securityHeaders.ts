import type { ConsoleSignIn } from './signInSettings';

/**
 * Headers of every console response. The policy allows only the app's own scripts and styles (no
 * inline code); with Entra ID sign-in the browser also talks to the authority (token requests and
 * the hidden frame MSAL renews tokens in).
 */
export function securityHeaders(signIn: ConsoleSignIn): Record<string, string> {
  const authority = signIn.mode === 'entra' ? new URL(signIn.authority).origin : undefined;
  const policy = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    `connect-src 'self'${authority ? ` ${authority}` : ''}`,
    ...(authority ? [`frame-src ${authority}`] : []),
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'Content-Security-Policy': policy,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
}

export const PAGE_CACHE = 'no-cache';
/** Asset names carry a hash of their content, so a name never changes meaning. */
export const ASSET_CACHE = 'public, max-age=31536000, immutable';
