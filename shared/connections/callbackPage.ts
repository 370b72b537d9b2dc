import type { AuthorizationOutcome } from './authorizationOutcome';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/** The small page shown after RollWorks' sign-in: 200 when the connection is authorized, 400 otherwise. */
export function renderCallbackPage(outcome: AuthorizationOutcome): { status: number; html: string } {
  if (outcome.ok) {
    const ready = outcome.connection.status === 'ready';
    return {
      status: 200,
      html: page(
        'Connection authorized',
        `<p>The RollWorks connection <strong>${escapeHtml(outcome.connection.displayName)}</strong> is now authorized` +
          ` for the RollWorks organization <strong>${escapeHtml(outcome.organizationName)}</strong>.</p>` +
          `<p>Status: <code id="status">${escapeHtml(outcome.connection.status)}</code>. ${
            ready
              ? 'Exports can use it.'
              : 'Add an export user (POST /api/connections/{id}/export-user) to make it ready for exports.'
          }</p><p class="id">Connection id: <code id="connection-id">${escapeHtml(outcome.connection.id)}</code></p>` +
          '<p>You can close this window.</p>',
      ),
    };
  }
  const about = outcome.connection
    ? `<p>Connection: <strong>${escapeHtml(outcome.connection.displayName)}</strong> (<code>${escapeHtml(outcome.connection.id)}</code>).</p>`
    : '';
  return {
    status: 400,
    html: page(
      'Connection not authorized',
      `<p>${escapeHtml(outcome.message)}</p>${about}<p>Error code: <code id="error-code">${escapeHtml(outcome.code)}</code></p>`,
    ),
  };
}

/** For unexpected failures: says nothing about the cause (it is in the logs). */
export function renderCallbackErrorPage(): { status: number; html: string } {
  return {
    status: 500,
    html: page(
      'Connection not authorized',
      '<p>Something went wrong while completing the RollWorks sign-in. Start the authorization again; if it keeps failing, ask the service operator to check the logs.</p>',
    ),
  };
}

/** The start of every HTML page the app serves, up to the page's own head elements. */
export const HTML_HEAD = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">`;

function page(title: string, body: string): string {
  return `${HTML_HEAD}
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222;line-height:1.5}
h1{font-size:1.4rem}code{background:#f3f3f3;padding:0 .2rem}.id{color:#666;font-size:.9rem}
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}

/** Headers for the callback page: no caching, no referrer (the URL held a code), nothing active. */
export const CALLBACK_PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
  'X-Content-Type-Options': 'nosniff',
};
