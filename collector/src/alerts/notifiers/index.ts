// Notifier registry keyed by channel type (docs/style.md "10. Do this, like …"): adding a channel is one entry here.
import type { NotificationAlert } from '../alert-types.js';
import { createAlertmanagerNotifier } from './alertmanager.js';
import type { SendResult } from './send-result.js';
import { createWebhookNotifier } from './webhook.js';

export interface Notifier {
  readonly channel: string;
  /** true: active alerts are re-sent every resend interval (Alertmanager); false: state changes only */
  readonly resends: boolean;
  send(alerts: readonly NotificationAlert[]): Promise<SendResult>;
}

export type ChannelConfig = { type: 'alertmanager'; url: string } | { type: 'webhook'; url: string; secret: string };

export interface NotifierEnv {
  fetch: typeof fetch;
  timeoutMs: number;
  nowS: () => number;
  externalUrl: string;
}

type Factories = { [K in ChannelConfig['type']]: (cfg: Extract<ChannelConfig, { type: K }>, env: NotifierEnv) => Notifier };

export const NOTIFIERS: Factories = {
  alertmanager: (cfg, env) => createAlertmanagerNotifier({ url: cfg.url, timeoutMs: env.timeoutMs, fetch: env.fetch }),
  webhook: (cfg, env) =>
    createWebhookNotifier({ url: cfg.url, secret: cfg.secret, timeoutMs: env.timeoutMs, fetch: env.fetch, nowS: env.nowS, externalUrl: env.externalUrl }),
};

export function createNotifier(cfg: ChannelConfig, env: NotifierEnv): Notifier {
  // each entry is typed for its own config; the lookup narrows through the union
  const make = NOTIFIERS[cfg.type] as (c: ChannelConfig, e: NotifierEnv) => Notifier;
  return make(cfg, env);
}

export interface DeliveryOptions {
  attempts: number;
  baseDelayMs: number;
  sleep: (ms: number) => Promise<void>;
}

export type DeliveryOutcome = { delivered: true; attempts: number } | { delivered: false; attempts: number; error: Error };

/** Sends with capped exponential backoff on retryable results; a failed or exhausted send is a dead letter. */
export async function deliver(n: Notifier, alerts: readonly NotificationAlert[], o: DeliveryOptions): Promise<DeliveryOutcome> {
  let last: Error = new Error('not sent');
  for (let attempt = 1; attempt <= o.attempts; attempt++) {
    const r = await n.send(alerts);
    if (r.status === 'ok') return { delivered: true, attempts: attempt };
    last = r.error;
    if (r.status === 'failed') return { delivered: false, attempts: attempt, error: last };
    if (attempt < o.attempts) await o.sleep(Math.min(10_000, o.baseDelayMs * 2 ** (attempt - 1)));
  }
  return { delivered: false, attempts: o.attempts, error: last };
}
