import http from 'node:http';
import https from 'node:https';
import type { AttemptOutcome } from './retryPolicy';
import { guardedLookup, type UrlRules } from './webhookUrl';

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Sends webhook requests; tests may replace it, the default posts over HTTP(S). */
export interface WebhookSender {
  post(request: WebhookRequest): Promise<AttemptOutcome>;
}

/**
 * POSTs with a time-out, never follows a redirect (a 3xx is an answer, not a new target) and reads at
 * most a little of the answer: receivers are not trusted to be small or quick.
 */
export function createWebhookSender(rules: UrlRules, timeoutMs = 10_000): WebhookSender {
  const lookup = guardedLookup(rules);
  return {
    post({ url, headers, body }) {
      const target = new URL(url);
      const client = target.protocol === 'https:' ? https : http;
      return new Promise<AttemptOutcome>((resolve) => {
        const request = client.request(
          target,
          {
            method: 'POST',
            headers: {
              ...headers,
              'Content-Length': Buffer.byteLength(body),
              'User-Agent': 'rollworks-export',
            },
            lookup,
            timeout: timeoutMs,
          },
          (response) => {
            response.resume();
            response.once('end', () => resolve({ kind: 'response', status: response.statusCode ?? 0 }));
            response.once('error', () => resolve({ kind: 'connectionError' }));
          },
        );
        request.once('timeout', () => {
          request.destroy();
          resolve({ kind: 'timeout' });
        });
        request.once('error', (error: NodeJS.ErrnoException) =>
          resolve(
            error.code === 'EADDRNOTALLOWED'
              ? { kind: 'refused', reason: 'address not allowed' }
              : { kind: 'connectionError' },
          ),
        );
        request.end(body);
      });
    },
  };
}
