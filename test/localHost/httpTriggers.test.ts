import net from 'node:net';
import path from 'node:path';
import { startTestStack, type TestStack } from '../support/stack';
import { calls } from './fixtures/probe';

let stack: TestStack;
let key: string;

beforeAll(async () => {
  stack = await startTestStack({
    files: [path.join(__dirname, 'fixtures', 'functions', 'http.ts')],
    sharedStorage: true,
  });
  key = stack.settings.FUNCTIONS_KEY;
});

afterAll(async () => {
  await stack?.stop();
});

async function problemOf(response: Response) {
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await response.json()) as { status: number; detail: string };
}

describe('local Functions host: HTTP triggers', () => {
  it('serves a route under the host.json routePrefix with its parameters and query', async () => {
    const response = await stack.fetch('/api/items/42?sort=asc');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { id: string; sort: string; invocationId: string };
    expect(body).toMatchObject({ id: '42', sort: 'asc' });
    const call = calls.find((entry) => entry.functionName === 'itemsGet');
    expect(call?.input).toEqual({ params: { id: '42' } });
    expect(stack.host.invocations.map((entry) => entry.invocationId)).toContain(body.invocationId);
  });

  it('matches literal segments case-insensitively and prefers them over parameters', async () => {
    const literal = await stack.fetch('/api/items/new');
    expect(await literal.text()).toBe('the new-item form');
    const mixedCase = await stack.fetch('/API/Items/7');
    expect(((await mixedCase.json()) as { id: string }).id).toBe('7');
  });

  it('answers 404 problem+json when no route matches (constraint, unknown path, outside the prefix)', async () => {
    for (const unknown of ['/api/items/not-a-number', '/api/nothing-here', '/items/42']) {
      const response = await stack.fetch(unknown);
      expect(response.status).toBe(404);
      expect((await problemOf(response)).detail).toContain(new URL(stack.url(unknown)).pathname);
    }
  });

  it('answers 405 with Allow when the route exists but not for the method', async () => {
    const response = await stack.fetch('/api/items/42', { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
    expect((await problemOf(response)).status).toBe(405);
  });

  it('requires the function key for function-level routes, by header or code query', async () => {
    const body = JSON.stringify({ name: 'tent' });
    const anonymous = await stack.fetch('/api/items', { method: 'POST', body });
    expect(anonymous.status).toBe(401);
    await problemOf(anonymous);
    const wrongKey = await stack.fetch('/api/items', {
      method: 'POST',
      body,
      headers: { 'x-functions-key': 'nope' },
    });
    expect(wrongKey.status).toBe(401);

    const withHeader = await stack.fetch('/api/items', {
      method: 'POST',
      body,
      headers: { 'x-functions-key': key },
    });
    expect(withHeader.status).toBe(201);
    expect(withHeader.headers.get('location')).toBe('/api/items/7');
    expect(withHeader.headers.get('x-method')).toBe('POST');
    expect(withHeader.headers.getSetCookie()).toEqual(['seen=1; Path=/; HttpOnly']);
    expect(await withHeader.json()).toEqual({ received: { name: 'tent' } });

    const withCode = await stack.fetch(`/api/items?code=${encodeURIComponent(key)}`, { method: 'PUT', body });
    expect(withCode.status).toBe(201);
    expect(withCode.headers.get('x-method')).toBe('PUT');
  });

  it('requires the key for admin-level routes too', async () => {
    expect((await stack.fetch('/api/admin/ping')).status).toBe(401);
    expect((await stack.fetch('/api/admin/ping', { headers: { 'x-functions-key': key } })).status).toBe(204);
  });

  it('serves optional route parameters with and without a value', async () => {
    expect(await (await stack.fetch('/api/files')).json()).toEqual({ name: null });
    expect(await (await stack.fetch('/api/files/report%20one.csv')).json()).toEqual({
      name: 'report one.csv',
    });
  });

  it('answers 500 problem+json when a handler throws, and records the failed invocation', async () => {
    const response = await stack.fetch('/api/broken');
    expect(response.status).toBe(500);
    expect((await problemOf(response)).detail).toContain('broken');
    expect(stack.host.invocations.filter((entry) => entry.functionName === 'broken').at(-1)).toMatchObject({
      outcome: 'failed',
      error: 'the handler failed',
    });
  });

  it('serves the local token issuer JWKS next to the functions', async () => {
    const response = await stack.fetch('/.well-known/jwks.json');
    expect(response.status).toBe(200);
    const jwks = (await response.json()) as { keys: { kty: string; kid: string; d?: string }[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', kid: 'local-1' });
    expect(jwks.keys[0].d).toBeUndefined();
    expect(stack.settings.LOCAL_AUTH_JWKS_URI).toBe(stack.url('/.well-known/jwks.json'));
  });

  it('answers malformed percent-encoding in a path parameter with 400 problem+json, never a 5xx', async () => {
    for (const bad of ['%', '%zz', '%C0%AF']) {
      const response = await stack.fetch(`/api/files/${bad}`);
      expect({ bad, status: response.status }).toEqual({ bad, status: 400 });
      expect(await problemOf(response)).toMatchObject({ status: 400, field: 'path' });
    }
  });

  it('does not resolve dot segments into another route', async () => {
    // fetch would resolve the dot segments itself before sending
    for (const path of ['/api/files/../items/new', '/api/files/%2e%2e/items/new', '/api/./items/new']) {
      const response = await rawRequest(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect(response.headers).toMatch(/content-type: application\/problem\+json/i);
    }
    expect(await (await stack.fetch('/api/items/new')).text()).toBe('the new-item form');
  });

  it('answers what the HTTP parser refuses (a huge request line, duplicate Authorization) with problem+json', async () => {
    const huge = await rawRequest(`GET /api/items/${'a'.repeat(17_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(huge.status).toBe(431);
    expect(huge.headers).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(huge.body)).toMatchObject({ status: 431, code: 'REQUEST_TOO_LARGE' });

    const twice = await rawRequest(
      'GET /api/items/1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\r\nAuthorization: Bearer b\r\nConnection: close\r\n\r\n',
    );
    expect(twice.status).toBeLessThan(500);
    expect(twice.body.length).toBeGreaterThan(0);
    if (twice.status >= 400) expect(twice.headers).toMatch(/content-type: application\/problem\+json/i);
  });
});

/** One request written byte for byte (fetch would refuse or merge what these tests send). */
function rawRequest(text: string): Promise<{ status: number; headers: string; body: string }> {
  const { port, hostname } = new URL(stack.host.origin);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(text));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, ...rest] = received.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), headers: head, body: rest.join('\r\n\r\n') });
    });
  });
}
