import { describe, expect, it } from 'vitest';
import type { NotificationAlert } from '../alert-types.js';
import { createNotifier, deliver, type Notifier } from './index.js';
import { resultOfStatus, type SendResult } from './send-result.js';
import { signWebhook, verifyWebhookSignature } from './webhook.js';

const ALERT: NotificationAlert = {
  status: 'firing',
  fingerprint: 'abc',
  labels: { alertname: 'OomStorm', host: 'h1' },
  annotations: { summary: 's' },
  startsAt: '2026-11-01T00:00:00.000Z',
  endsAt: '2026-11-01T00:04:00.000Z',
  generatorURL: 'http://rw/alerts',
};

function scripted(results: SendResult['status'][]): Notifier & { calls: number } {
  const n = {
    channel: 'test',
    resends: false,
    calls: 0,
    send: () => {
      const s = results[n.calls++] ?? 'ok';
      return Promise.resolve<SendResult>(s === 'ok' ? { status: 'ok' } : { status: s, error: new Error(s) });
    },
  };
  return n;
}

describe('deliver', () => {
  const sleeps: number[] = [];
  const opts = {
    attempts: 3,
    baseDelayMs: 100,
    sleep: (ms: number) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
  };
  it.each([
    ['ok at once', ['ok'], { delivered: true, attempts: 1 }, []],
    ['ok after two retryable failures', ['retryable', 'retryable', 'ok'], { delivered: true, attempts: 3 }, [100, 200]],
    ['dead letter after exhausting retries', ['retryable', 'retryable', 'retryable'], { delivered: false, attempts: 3 }, [100, 200]],
    ['dead letter at once when refused', ['failed'], { delivered: false, attempts: 1 }, []],
  ] as const)('%s', async (_what, script, expected, expectedSleeps) => {
    sleeps.length = 0;
    const n = scripted([...script]);
    expect(await deliver(n, [ALERT], opts)).toMatchObject(expected);
    expect(sleeps).toEqual(expectedSleeps);
  });
});

describe('resultOfStatus', () => {
  it.each([
    [200, 'ok'],
    [204, 'ok'],
    [400, 'failed'],
    [404, 'failed'],
    [408, 'retryable'],
    [429, 'retryable'],
    [500, 'retryable'],
    [503, 'retryable'],
  ])('maps HTTP %d to %s', (status, expected) => {
    expect(resultOfStatus(status, '').status).toBe(expected);
  });
});

describe('webhook signature', () => {
  const body = '{"version":"4"}';
  it('verifies its own signature and refuses tampering, other secrets and stale timestamps', () => {
    const h = signWebhook('s3cret', 1_000_000, body);
    expect(h).toMatch(/^t=1000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature('s3cret', h, body, 1_000_010)).toBe(true);
    expect(verifyWebhookSignature('s3cret', h, `${body} `, 1_000_010)).toBe(false);
    expect(verifyWebhookSignature('other', h, body, 1_000_010)).toBe(false);
    expect(verifyWebhookSignature('s3cret', h, body, 1_000_301)).toBe(false);
    expect(verifyWebhookSignature('s3cret', 'garbage', body, 1_000_010)).toBe(false);
  });

  it('signs what the webhook notifier sends', async () => {
    const seen: { body: string; sig: string }[] = [];
    const fakeFetch: typeof fetch = (_url, init) => {
      const headers = new Headers(init?.headers);
      seen.push({ body: String(init?.body), sig: headers.get('x-renderwatch-signature') ?? '' });
      return Promise.resolve(new Response('', { status: 200 }));
    };
    const n = createNotifier(
      { type: 'webhook', url: 'http://127.0.0.1:9/hook', secret: 'k' },
      { fetch: fakeFetch, timeoutMs: 1000, nowS: () => 1_000_000, externalUrl: 'http://rw' },
    );
    expect(await n.send([ALERT])).toEqual({ status: 'ok' });
    const sent = seen[0];
    expect(sent === undefined ? false : verifyWebhookSignature('k', sent.sig, sent.body, 1_000_000)).toBe(true);
    expect(JSON.parse(sent?.body ?? '{}')).toMatchObject({
      version: '4',
      status: 'firing',
      groupKey: 'abc',
      alerts: [{ fingerprint: 'abc', labels: { host: 'h1' } }],
    });
  });
});
