import { escapeHtml } from './http';

export interface AuthorizeParams {
  clientId: string;
  redirectUri: string;
  state: string;
  scope: string;
}

const STYLE = `
  *{box-sizing:border-box}
  body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
    font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;background:#f2f4f7;color:#1d2939}
  main{width:100%;max-width:400px;background:#fff;border-radius:12px;padding:32px;
    box-shadow:0 1px 3px rgba(16,24,40,.1),0 8px 24px rgba(16,24,40,.08)}
  .brand{font-weight:700;font-size:20px;color:#5b21b6;margin:0 0 4px}
  .tag{display:inline-block;font-size:12px;color:#6941c6;background:#f4f3ff;border-radius:999px;padding:2px 10px;margin-bottom:16px}
  h1{font-size:18px;margin:0 0 8px}
  p{margin:0 0 16px;color:#475467;line-height:1.45;font-size:14px}
  label{display:block;font-size:14px;font-weight:600;margin:12px 0 6px}
  input{width:100%;padding:10px 12px;border:1px solid #d0d5dd;border-radius:8px;font-size:15px}
  input:focus{outline:2px solid #7f56d9;border-color:#7f56d9}
  .error{background:#fef3f2;border:1px solid #fecdca;color:#b42318;border-radius:8px;padding:10px 12px;font-size:14px;margin-bottom:8px}
  .actions{display:flex;flex-direction:row-reverse;gap:12px;margin-top:24px}
  button{flex:1;padding:10px 12px;border-radius:8px;font-size:15px;font-weight:600;cursor:pointer;border:1px solid transparent}
  .allow{background:#6941c6;color:#fff}
  .allow:hover{background:#53389e}
  .deny{background:#fff;color:#344054;border-color:#d0d5dd}
  .deny:hover{background:#f9fafb}
  code{font-size:13px;background:#f2f4f7;padding:1px 4px;border-radius:4px}
`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

export function signInPage(
  params: AuthorizeParams,
  options: { error?: string; username?: string } = {},
): string {
  const hidden = (name: string, value: string) =>
    `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  return layout(
    'Sign in to RollWorks (simulator)',
    `<div class="brand">RollWorks</div><span class="tag">Local simulator</span>
<h1>Sign in and allow access</h1>
<p>The application <code>${escapeHtml(params.clientId)}</code> asks for access to your RollWorks account
(scope <code>${escapeHtml(params.scope)}</code>): read your organization and advertisers, and manage CRM audiences.</p>
${options.error ? `<div class="error" role="alert">${escapeHtml(options.error)}</div>` : ''}
<form method="post" action="/auth/authorize">
${hidden('client_id', params.clientId)}${hidden('redirect_uri', params.redirectUri)}${hidden('state', params.state)}${hidden('scope', params.scope)}${hidden('response_type', 'code')}
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required value="${escapeHtml(options.username ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<!-- Allow comes first in the markup so pressing Enter allows; row-reverse shows it on the right. -->
<div class="actions">
<button class="allow" type="submit" name="decision" value="allow">Allow</button>
<button class="deny" type="submit" name="decision" value="deny" formnovalidate>Deny</button>
</div>
</form>`,
  );
}

export function authorizeErrorPage(message: string): string {
  return layout(
    'Authorization error',
    `<div class="brand">RollWorks</div><span class="tag">Local simulator</span>
<h1>This sign-in link is not valid</h1>
<div class="error" role="alert">${escapeHtml(message)}</div>
<p>Nothing was sent back to the application. Check its client id and redirect URI.</p>`,
  );
}
