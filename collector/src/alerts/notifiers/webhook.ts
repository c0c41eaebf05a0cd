// Generic webhook: Alertmanager's webhook JSON (version "4"), one POST per alert, signed with
// HMAC-SHA256 over `<unix seconds>.<body>` in `X-Renderwatch-Signature: t=<s>,v1=<hex>`.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { NotificationAlert } from '../alert-types.js';
import { postJson, type SendResult } from './send-result.js';

export const SIGNATURE_HEADER = 'x-renderwatch-signature';

export interface WebhookOptions {
  url: string;
  secret: string;
  timeoutMs: number;
  fetch: typeof fetch;
  /** seconds since the epoch, for the signature */
  nowS: () => number;
  externalUrl: string;
}

export function signWebhook(secret: string, tS: number, body: string): string {
  return `t=${tS},v1=${createHmac('sha256', secret).update(`${tS}.${body}`).digest('hex')}`;
}

/** Receiver side: true when `header` signs `body` with `secret` and is not older than `toleranceS`. */
export function verifyWebhookSignature(secret: string, header: string, body: string, nowS: number, toleranceS = 300): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (m === null) return false;
  const tS = Number(m[1]);
  if (Math.abs(nowS - tS) > toleranceS) return false;
  const want = Buffer.from(signWebhook(secret, tS, body).slice(-64), 'hex');
  return timingSafeEqual(want, Buffer.from(m[2] ?? '', 'hex'));
}

export function webhookBody(a: NotificationAlert, externalUrl: string): string {
  return JSON.stringify({
    version: '4',
    groupKey: a.fingerprint,
    truncatedAlerts: 0,
    status: a.status,
    receiver: 'renderwatch',
    groupLabels: { alertname: a.labels.alertname ?? '' },
    commonLabels: a.labels,
    commonAnnotations: a.annotations,
    externalURL: externalUrl,
    alerts: [
      {
        status: a.status,
        labels: a.labels,
        annotations: a.annotations,
        startsAt: a.startsAt,
        endsAt: a.endsAt,
        generatorURL: a.generatorURL,
        fingerprint: a.fingerprint,
      },
    ],
  });
}

export function createWebhookNotifier(o: WebhookOptions) {
  return {
    channel: 'webhook',
    /** webhooks hear state changes only */
    resends: false,
    async send(alerts: readonly NotificationAlert[]): Promise<SendResult> {
      for (const a of alerts) {
        const body = webhookBody(a, o.externalUrl);
        const headers: Record<string, string> = o.secret === '' ? {} : { [SIGNATURE_HEADER]: signWebhook(o.secret, o.nowS(), body) };
        const r = await postJson(o.fetch, o.url, body, headers, o.timeoutMs);
        if (r.status !== 'ok') return r;
      }
      return { status: 'ok' };
    },
  };
}
