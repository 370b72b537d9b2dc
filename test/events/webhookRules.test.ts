import { Webhook as StandardWebhook } from 'standardwebhooks';
import { retryable, retryAgain, retryDelayMs, RETRY_WINDOW_MS } from '../../shared/events/retryPolicy';
import { newSigningSecret, signWebhook } from '../../shared/events/webhookSignature';
import { addressAllowed, resolutionProblem, urlFormProblem } from '../../shared/events/webhookUrl';
import { assertNoPersonalData } from '../../shared/events/personalData';

describe('webhook signatures', () => {
  it('verify with the standardwebhooks library, and fail when the body or the secret differ', () => {
    const secret = newSigningSecret();
    const body = JSON.stringify({ specversion: '1.0', id: 'evt-1', data: { count: 3 } });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'webhook-id': 'evt-1',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook(secret, 'evt-1', timestamp, body),
    };
    expect(new StandardWebhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new StandardWebhook(secret).verify(body.replace('3', '4'), headers)).toThrow();
    expect(() => new StandardWebhook(newSigningSecret()).verify(body, headers)).toThrow();
  });
});

describe('retries', () => {
  it.each([
    [{ kind: 'response', status: 500 }, true],
    [{ kind: 'response', status: 503 }, true],
    [{ kind: 'response', status: 408 }, true],
    [{ kind: 'response', status: 429 }, true],
    [{ kind: 'timeout' }, true],
    [{ kind: 'connectionError' }, true],
    [{ kind: 'response', status: 400 }, false],
    [{ kind: 'response', status: 404 }, false],
    [{ kind: 'response', status: 410 }, false],
    [{ kind: 'refused', reason: 'address not allowed' }, false],
  ] as const)('%j is retried: %s', (outcome, expected) => {
    expect(retryable(outcome)).toBe(expected);
  });

  it('back off exponentially with jitter up to 4 hours, and keep trying for at least 24 hours', () => {
    expect(retryDelayMs(1, () => 0)).toBe(15_000);
    expect(retryDelayMs(1, () => 1)).toBe(30_000);
    expect(retryDelayMs(3, () => 1)).toBe(120_000);
    expect(retryDelayMs(30, () => 1)).toBe(4 * 3600_000);
    const first = new Date('2026-12-01T00:00:00Z');
    const failing = { kind: 'response', status: 503 } as const;
    expect(retryAgain(failing, first, new Date(first.getTime() + 24 * 3600_000))).toBe(true);
    expect(retryAgain(failing, first, new Date(first.getTime() + RETRY_WINDOW_MS))).toBe(false);
    // the whole schedule, with the least jitter, still spans 24 hours before it gives up
    let elapsed = 0;
    let attempt = 1;
    while (retryAgain(failing, first, new Date(first.getTime() + elapsed)))
      elapsed += retryDelayMs(attempt++, () => 0);
    expect(elapsed).toBeGreaterThanOrEqual(24 * 3600_000);
  });
});

describe('webhook URLs', () => {
  const azure = { inAzure: true };
  const local = { inAzure: false };

  it('must be https in Azure; http only to loopback on the local stack', () => {
    expect(urlFormProblem('https://hooks.example.com/x', azure)).toBeUndefined();
    expect(urlFormProblem('http://hooks.example.com/x', azure)).toBe('must use https');
    expect(urlFormProblem('http://127.0.0.1:9000/x', azure)).toBe('must use https');
    expect(urlFormProblem('http://127.0.0.1:9000/x', local)).toBeUndefined();
    expect(urlFormProblem('http://[::1]:9000/x', local)).toBeUndefined();
    expect(urlFormProblem('http://hooks.example.com/x', local)).toMatch(/loopback/);
    expect(urlFormProblem('https://user:pw@hooks.example.com/', azure)).toMatch(/credentials/);
    expect(urlFormProblem('ftp://hooks.example.com/', azure)).toBe('must use https');
    expect(urlFormProblem('not a url', azure)).toMatch(/absolute URL/);
  });

  it('may not reach private, loopback or link-local addresses in Azure', async () => {
    for (const address of [
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '127.0.0.1',
      '169.254.169.254',
      '::1',
      'fe80::1',
      'fd00::1',
      '0.0.0.0',
      '::ffff:10.0.0.1',
    ]) {
      expect({ address, allowed: addressAllowed(address, azure) }).toEqual({ address, allowed: false });
    }
    expect(addressAllowed('20.50.2.1', azure)).toBe(true);
    expect(addressAllowed('10.1.2.3', local)).toBe(true);
    expect(await resolutionProblem('https://169.254.169.254/metadata', azure)).toMatch(
      /private, loopback or link-local/,
    );
    expect(await resolutionProblem('https://localhost/x', azure)).toMatch(/private, loopback or link-local/);
    expect(await resolutionProblem('https://[fd00::1]/x', azure)).toMatch(/private/);
  });
});

describe('event data', () => {
  it('refuses anything that looks like an email, a digest or a token, naming the field only', () => {
    expect(() =>
      assertNoPersonalData({ exportId: 'e-1', read: 250_000, message: 'Segment sent.' }),
    ).not.toThrow();
    expect(() => assertNoPersonalData({ note: 'ann@example.com' })).toThrow(/"note"/);
    expect(() => assertNoPersonalData({ note: 'ann@example.com' })).not.toThrow(/ann@/);
    expect(() => assertNoPersonalData({ members: ['0cc175b9c0f1b6a831c399e269772661'] })).toThrow(
      /"members"/,
    );
    expect(() => assertNoPersonalData({ auth: 'Bearer abc.def' })).toThrow(/"auth"/);
    expect(() => assertNoPersonalData({ token: 'eyJhbGciOi.eyJzdWIi.c2ln' })).toThrow(/"token"/);
    expect(() => assertNoPersonalData({ members: ['a'.repeat(64)] })).toThrow(/"members"/);
  });
});
