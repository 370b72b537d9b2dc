import { z } from 'zod';

/** Settings of the admin console's Entra ID sign-in; each falls back to one derived from ENTRA_*. */
export const consoleSettings = {
  CONSOLE_CLIENT_ID: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe(
      'Client id of the app registration the console signs in with (SPA platform); defaults to ENTRA_AUDIENCE without api://.',
    ),
  CONSOLE_AUTHORITY: z
    .url()
    .optional()
    .describe(
      'Entra ID authority the console signs in at, e.g. https://login.microsoftonline.com/<tenant>; defaults to ENTRA_ISSUER without /v2.0.',
    ),
  CONSOLE_API_SCOPE: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe(
      'Delegated scope the console asks access tokens for; defaults to api://<ENTRA_AUDIENCE>/access_as_user.',
    ),
};
