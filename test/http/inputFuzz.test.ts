import net from 'node:net';
import { startApiHost, type ApiHost } from '../connections/support/apiHost';
import { signInAtRollWorks, startHarness, type Harness } from '../connections/support/harness';

/**
 * Every operation of the OpenAPI document, called with a catalogue of malformed inputs: malformed
 * percent-encoding, control characters and unpaired surrogates in path parameters, odd query strings,
 * bodies of the wrong type, shape, size, depth or media type. Nothing may answer 5xx, every refusal is
 * problem+json, and no table changes.
 */
jest.setTimeout(180_000);

let harness: Harness;
let api: ApiHost;
let admin: string;

beforeAll(async () => {
  harness = await startHarness();
  api = await startApiHost(harness, ['http.ts']);
  admin = await api.token({ roles: ['Exports.Admin'], sub: 'fuzz-admin' });
}, 120_000);
afterAll(async () => {
  await api?.stop();
  await harness?.stop();
});

interface Operation {
  operationId: string;
  /** Answers people's browsers with pages: its refusals are HTML too. */
  html: boolean;
  method: string;
  template: string;
  params: string[];
  hasBody: boolean;
  /** Takes a streamed text body (text/plain, text/csv) instead of JSON. */
  textBody: boolean;
  bodyFields: string[];
}

interface OpenApiOperation {
  operationId: string;
  parameters?: { in: string; name: string }[];
  responses: Record<string, { content?: Record<string, unknown> }>;
  requestBody?: { content: Record<string, { schema?: { properties?: Record<string, unknown> } }> };
}

async function operations(): Promise<Operation[]> {
  const document = (await (await fetch(`${api.origin}/api/openapi.json`)).json()) as {
    paths: Record<string, Record<string, OpenApiOperation>>;
  };
  const found: Operation[] = [];
  for (const [template, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const schema = operation.requestBody?.content['application/json']?.schema;
      found.push({
        operationId: operation.operationId,
        html: Object.values(operation.responses).some((response) => 'text/html' in (response.content ?? {})),
        method: method.toUpperCase(),
        template,
        params: (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
        hasBody: Boolean(operation.requestBody),
        textBody: Boolean(operation.requestBody?.content['text/plain']),
        bodyFields: Object.keys(schema?.properties ?? {}),
      });
    }
  }
  return found;
}

const PATH_VALUES = [
  '%',
  '%zz',
  '%C0%AF',
  'a%00b',
  'a%1bb',
  '%ED%A0%80',
  'x'.repeat(5_000),
  'a%20',
  '%20a',
  '..',
];

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const BODIES: { name: string; body: string; type?: string }[] = [
  { name: 'an array', body: '[]' },
  { name: 'a string', body: '"x"' },
  { name: 'a number', body: '42' },
  { name: 'null', body: 'null' },
  { name: 'not JSON', body: '{"a":' },
  { name: 'deeply nested', body: nested(50_000) },
  { name: '2 MB', body: JSON.stringify({ displayName: 'x'.repeat(2 * 1024 * 1024) }) },
  { name: 'text/plain', body: '{}', type: 'text/plain' },
  { name: 'no Content-Type', body: '{"displayName":"x"}', type: '' },
];
/** Text bodies (suppression lists) that hold nothing usable: sent to a real connection too. */
const TEXT_BODIES: { name: string; body: string | Buffer; type: string }[] = [
  {
    name: 'invalid UTF-8',
    body: Buffer.from([0xff, 0xfe, 0xc0, 0xaf, 0x0a, 0xed, 0xa0, 0x80]),
    type: 'text/plain',
  },
  { name: 'control characters', body: 'a\u0000b@example\u001b.com\n\u0007', type: 'text/plain' },
  { name: 'a 2 MB line', body: 'x'.repeat(2 * 1024 * 1024), type: 'text/plain' },
  { name: 'CSV with two columns and no column', body: 'a,b\n1,2\n', type: 'text/csv' },
  { name: 'CSV with a broken quote', body: 'Email\n"a@example.com\n', type: 'text/csv' },
  { name: 'CSV header only', body: 'Email\n', type: 'text/csv' },
  { name: 'a charset that is not UTF-8', body: 'a@example.com', type: 'text/plain; charset=utf-16' },
  { name: 'JSON', body: '{"emails":["a@example.com"]}', type: 'application/json' },
];

/**
 * A valid body per operation that takes one: each field is then replaced by each bad value in turn,
 * so a value is judged by its own rule and not refused for a sibling that is missing.
 */
const VALID_BODIES: Record<string, Record<string, unknown>> = {
  createConnection: { displayName: 'Fuzz', access: 'admins', dataPrivacyConsent: true },
  updateConnection: { displayName: 'Fuzz' },
  createExport: {
    displayName: 'Fuzz',
    connectionId: 'c0000000-0000-4000-8000-000000000000',
    advertiserId: 'ADV1',
    emailField: 'Email',
    segments: ['seg-a'],
  },
  updateExport: {
    displayName: 'Fuzz',
    connectionId: 'c0000000-0000-4000-8000-000000000000',
    advertiserId: 'ADV1',
    emailField: 'Email',
    segments: ['seg-a'],
  },
  startRun: { dryRun: true },
  createWebhook: { url: 'http://127.0.0.1:9/hook', events: ['run.failed'], description: 'Fuzz' },
};

const FIELD_VALUES: unknown[] = [
  '\ud800',
  'a\u0000b',
  'a\u001bb',
  'a\u0007b',
  12,
  true,
  null,
  [],
  {},
  'x'.repeat(100_000),
];

interface Answer {
  status: number;
  contentType: string;
}

/** One request written as is: fetch would normalize or refuse some of these paths. */
function send(
  method: string,
  path: string,
  body?: string | Buffer,
  type = 'application/json',
): Promise<Answer> {
  const { hostname, port } = new URL(api.origin);
  const head = [
    `${method} ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    `Authorization: Bearer ${admin}`,
    'Connection: close',
  ];
  if (body !== undefined) {
    if (type) head.push(`Content-Type: ${type}`);
    head.push(`Content-Length: ${Buffer.byteLength(body)}`);
  }
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () =>
      // write, not end: the server closes a half-closed socket before an async handler answers
      socket.write(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), Buffer.from(body ?? '')])),
    );
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const answerHead = Buffer.concat(chunks).toString('utf8').split('\r\n\r\n')[0];
      resolve({
        status: Number(answerHead.split(' ')[1]),
        contentType: /content-type: ([^\r\n]+)/i.exec(answerHead)?.[1] ?? '',
      });
    });
  });
}

/** The document's paths are served as they are (they hold the /api prefix). */
const fill = (template: string, params: string[], value: (name: string) => string) =>
  params.reduce((path, name) => path.replace(`{${name}}`, value(name)), template);

it('answers every malformed input to every operation with a 4xx problem+json and changes nothing', async () => {
  const ops = await operations();
  expect(ops.length).toBeGreaterThan(15);
  expect(ops.every((op) => op.template.startsWith('/api/'))).toBe(true);
  const connection = (await fetch(`${api.origin}/api/connections`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ displayName: 'Fuzz texts', access: 'admins', dataPrivacyConsent: true }),
  }).then((response) => response.json())) as { id: string };
  const before = await harness.allTableText();
  const findings: string[] = [];
  const check = (label: string, answer: Answer) => {
    if (answer.status < 400 || answer.status >= 500) findings.push(`${label}: ${answer.status}`);
    else if (!answer.contentType.startsWith('application/problem+json')) {
      findings.push(`${label}: ${answer.status} ${answer.contentType || 'no content type'}`);
    }
  };

  for (const op of ops) {
    for (const param of op.params) {
      for (const bad of PATH_VALUES) {
        const path = fill(op.template, op.params, (name) => (name === param ? bad : 'exp_missing'));
        check(
          `${op.method} ${path.slice(0, 80)}`,
          await send(op.method, path, op.hasBody ? '{}' : undefined),
        );
      }
    }
    const path = fill(op.template, op.params, () => 'exp_missing');
    if (op.method === 'GET') {
      for (const query of ['?top[]=1', '?top=1&top=2', '?%zz=1', `?q=${'x'.repeat(5_000)}`]) {
        const answer = await send(op.method, `${path}${query}`);
        const expected = op.html ? 'text/html' : 'application/problem+json';
        const problem = answer.contentType.startsWith(expected);
        if (answer.status >= 500 || (answer.status >= 400 && !problem)) {
          findings.push(`${op.method} ${path}${query.slice(0, 20)}: ${answer.status}`);
        }
      }
    }
    if (!op.hasBody) continue;
    for (const { name, body, type } of BODIES) {
      check(`${op.method} ${path} with ${name}`, await send(op.method, path, body, type));
    }
    if (op.textBody) {
      const real = fill(op.template, op.params, () => connection.id);
      for (const { name, body, type } of TEXT_BODIES) {
        check(`${op.method} ${real} with ${name}`, await send(op.method, real, body, type));
        check(
          `${op.method} ${real}?column= with ${name}`,
          await send(op.method, `${real}?column=`, body, type),
        );
      }
      continue;
    }
    const valid = VALID_BODIES[op.operationId];
    if (!valid) findings.push(`${op.operationId}: no valid body in VALID_BODIES to fuzz from`);
    for (const field of op.bodyFields) {
      for (const value of FIELD_VALUES) {
        if (typeof value === typeof valid?.[field] && typeof value !== 'string') continue; // may be valid
        const label = `${op.method} ${path} with ${field}=${JSON.stringify(value)?.slice(0, 12)}`;
        check(label, await send(op.method, path, JSON.stringify({ ...valid, [field]: value })));
      }
    }
  }
  expect(findings).toEqual([]);
  expect(await harness.allTableText()).toBe(before);
});

it('refuses an OAuth callback that repeats its state, with a page, and the genuine state still signs in', async () => {
  const headers = { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' };
  const created = await fetch(`${api.origin}/api/connections`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ displayName: 'Twice', access: 'admins', dataPrivacyConsent: true }),
  }).then((response) => response.json() as Promise<{ id: string }>);
  const { authorizeUrl } = (await fetch(`${api.origin}/api/connections/${created.id}/authorize`, {
    method: 'POST',
    headers,
  }).then((response) => response.json())) as { authorizeUrl: string };
  const redirect = await signInAtRollWorks(authorizeUrl);
  const state = redirect.searchParams.get('state')!;
  const code = redirect.searchParams.get('code')!;
  const callback = `${api.origin}/api/oauth/rollworks/callback`;

  const forged = await fetch(`${callback}?state=forged&state=${encodeURIComponent(state)}&code=${code}`);
  expect(forged.status).toBe(400);
  expect(forged.headers.get('content-type')).toMatch(/^text\/html/);
  expect(await forged.text()).toMatch(/state: is given more than once/);

  const genuine = await fetch(`${callback}?state=${encodeURIComponent(state)}&code=${code}`);
  expect(genuine.status).toBe(200);
});
