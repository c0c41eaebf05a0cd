// The alert model shared by the rules, the state machine, the store and the notifiers.
import type { AlertSource, AlertState } from '@renderwatch/schema';

/** A condition that holds now (a rule instance or a burning SLO), before the state machine. */
export interface AlertCandidate {
  source: AlertSource;
  /** SLO or rule name: alerts of a rule whose evaluation failed are left as they are */
  rule: string;
  alertname: string;
  severity: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  value: number | null;
  /** how long the condition must hold before the alert fires */
  forS: number;
  generatorUrl: string;
}

/** One alert as persisted (times in ms since the epoch). */
export interface StoredAlert {
  tenant: string;
  fingerprint: string;
  alertname: string;
  severity: string;
  source: AlertSource;
  rule: string;
  state: AlertState;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  value: number | null;
  activeAtMs: number;
  firedAtMs: number | null;
  resolvedAtMs: number | null;
  ackedBy: string;
  ackedAtMs: number | null;
  lastSentAtMs: number | null;
  updatedAtMs: number;
  generatorUrl: string;
}

/** What a notifier delivers: Alertmanager's alert shape plus our fingerprint. */
export interface NotificationAlert {
  status: 'firing' | 'resolved';
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}
