/**
 * Signs in on RollWorks' (the simulator's) authorize page the way a browser does: load the page,
 * fill the form's username and password, keep its hidden fields, press Allow, and follow the
 * redirect back to the app. Codes, states and tokens stay inside this module; nothing is printed.
 */

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'" };
const unescapeHtml = (text: string) =>
  text.replace(/&(amp|lt|gt|quot|#39|apos);/g, (_, name: string) => ENTITIES[name]);

function attributes(tag: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const match of tag.matchAll(/([a-zA-Z_:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    found[match[1].toLowerCase()] = unescapeHtml(match[2] ?? match[3] ?? match[4] ?? '');
  }
  return found;
}

export interface SignInForm {
  action: string;
  method: string;
  fields: URLSearchParams;
}

/** The sign-in form of an authorize page, filled as a person would fill it before pressing Allow. */
export function fillSignInForm(
  html: string,
  pageUrl: string,
  credentials: { username: string; password: string },
): SignInForm {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error('the RollWorks authorize page has no sign-in form');
  const formAttributes = attributes(form[1]);
  const fields = new URLSearchParams();
  let filledUser = false;
  let filledPassword = false;
  for (const input of form[2].matchAll(/<input\b([^>]*)>/gi)) {
    const { name, type = 'text', value = '' } = attributes(input[1]);
    if (!name) continue;
    if (type === 'password') {
      fields.set(name, credentials.password);
      filledPassword = true;
    } else if (type === 'hidden') {
      fields.set(name, value);
    } else if (/user|login|email/i.test(name)) {
      fields.set(name, credentials.username);
      filledUser = true;
    }
  }
  const allow = [...form[2].matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/gi)]
    .map((button) => ({ attrs: attributes(button[1]), label: button[2].trim() }))
    .find((button) => /allow/i.test(button.label) || /allow/i.test(button.attrs.value ?? ''));
  if (!filledUser || !filledPassword || !allow) {
    throw new Error('the RollWorks sign-in form lacks a username field, a password field or an Allow button');
  }
  if (allow.attrs.name) fields.set(allow.attrs.name, allow.attrs.value ?? '');
  return {
    action: new URL(formAttributes.action || pageUrl, pageUrl).toString(),
    method: (formAttributes.method || 'get').toUpperCase(),
    fields,
  };
}

/**
 * From the app's authorize URL to the URL RollWorks redirects the browser to after Allow (the app's
 * callback with `code` and `state`).
 */
export async function signInAndAllow(
  authorizeUrl: string,
  credentials: { username: string; password: string },
): Promise<string> {
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200) {
    throw new Error(`the RollWorks authorize page answered ${page.status} instead of the sign-in form`);
  }
  const form = fillSignInForm(html, authorizeUrl, credentials);
  const response = await fetch(form.action, {
    method: form.method,
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.fields.toString(),
  });
  await response.arrayBuffer();
  const location = response.headers.get('location');
  if (response.status < 300 || response.status >= 400 || !location) {
    throw new Error(`signing in on RollWorks answered ${response.status} without a redirect back to the app`);
  }
  const target = new URL(location, form.action);
  if (target.searchParams.has('error')) {
    throw new Error(
      `RollWorks refused the sign-in: ${target.searchParams.get('error_description') ?? target.searchParams.get('error')}`,
    );
  }
  return target.toString();
}

/** Opens the app's OAuth callback as the browser would; returns the page's status and text. */
export async function openCallback(callbackUrl: string): Promise<{ status: number; text: string }> {
  const response = await fetch(callbackUrl, { redirect: 'manual' });
  const html = await response.text();
  const text = html
    .replace(/<style[\s\S]*?<\/style>/gi, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return { status: response.status, text: unescapeHtml(text) };
}
