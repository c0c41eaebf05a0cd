// The agent's one outcome vocabulary for delivering a batch: what one Export call returned
// (SendResult, a value: nothing on the export path throws) and what the retrying sender made of it
// (SendOutcome), and the one backoff policy every retry loop of the agent uses.
import type { ExportResponse } from '@renderwatch/proto';

export type SendResult =
  | { status: 'ok'; response: ExportResponse }
  | { status: 'retryable'; retryInMs?: number; error: Error }
  | { status: 'failed'; error: Error };

/** ok/duplicate: acked and removed; retry: kept, sent again after a backoff; refused: token refused,
 *  kept; invalid: refused as malformed, dropped; vanished: the store lost it (counted there). */
export type SendOutcome = 'ok' | 'duplicate' | 'retry' | 'refused' | 'invalid' | 'vanished';

/** Jittered backoff in [cap/2, cap], cap = min(max, initial·2^attempt); never below the hint. */
export function backoffMs(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random, hintMs?: number): number {
  const cap = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  const jittered = Math.round(cap / 2 + (random() * cap) / 2);
  return Math.max(jittered, hintMs ?? 0);
}
