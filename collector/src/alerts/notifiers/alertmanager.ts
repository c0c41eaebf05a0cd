// Prometheus Alertmanager API v2: POST /api/v2/alerts with a JSON array of postable alerts
// (labels, annotations, startsAt, endsAt, generatorURL). The label set is Alertmanager's identity.
import type { NotificationAlert } from '../alert-types.js';
import { postJson, type SendResult } from './send-result.js';

export interface AlertmanagerOptions {
  url: string;
  timeoutMs: number;
  fetch: typeof fetch;
}

export function alertmanagerBody(alerts: readonly NotificationAlert[]): string {
  return JSON.stringify(
    alerts.map((a) => ({ labels: a.labels, annotations: a.annotations, startsAt: a.startsAt, endsAt: a.endsAt, generatorURL: a.generatorURL })),
  );
}

export function createAlertmanagerNotifier(o: AlertmanagerOptions) {
  const endpoint = new URL('/api/v2/alerts', o.url).toString();
  return {
    channel: 'alertmanager',
    /** Alertmanager expects active alerts to be re-sent (docs/slos.md "Delivery") */
    resends: true,
    send: (alerts: readonly NotificationAlert[]): Promise<SendResult> => postJson(o.fetch, endpoint, alertmanagerBody(alerts), {}, o.timeoutMs),
  };
}
