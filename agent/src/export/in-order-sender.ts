// Delivers batches one at a time, in order, retrying transient failures with jittered, capped
// exponential backoff that honours the collector's retry hint. Memory-bounded: beyond `maxQueued`
// the oldest batch is dropped and counted. Superseded by retrying-sender.ts over a spool or memory
// store (kept while commands/run.ts still uses it).
import type { ExportRequest } from '@renderwatch/proto';
import type { Logger } from 'pino';
import type { ExportClient, SendResult } from './export-client.js';
import { backoffMs } from './retrying-sender.js';

export { backoffMs } from './retrying-sender.js';

export interface SenderOptions {
  client: ExportClient;
  log: Logger;
  deadlineMs: number;
  maxQueued: number;
  backoff?: { initialMs: number; maxMs: number };
  random?: () => number;
  onOutcome?: (outcome: 'ok' | 'retry' | 'failed' | 'dropped', req: ExportRequest, result?: SendResult) => void;
}

export interface InOrderSender {
  enqueue(req: ExportRequest): void;
  /** Resolves when the queue is empty (or after `timeoutMs`). */
  drain(timeoutMs: number): Promise<boolean>;
  readonly queued: number;
  stop(): void;
}

export function createInOrderSender(o: SenderOptions): InOrderSender {
  const queue: ExportRequest[] = [];
  const random = o.random ?? Math.random;
  const { initialMs, maxMs } = o.backoff ?? { initialMs: 250, maxMs: 30_000 };
  let busy = false;
  let stopped = false;
  let attempt = 0;
  let lastFailureLogged = 0;
  let timer: NodeJS.Timeout | undefined;

  function pump(): void {
    if (busy || stopped) return;
    const head = queue[0];
    if (head === undefined) return;
    busy = true;
    o.client.send(head, o.deadlineMs).then((r) => {
      busy = false;
      if (r.status === 'ok') {
        queue.shift();
        attempt = 0;
        o.onOutcome?.('ok', head, r);
        pump();
        return;
      }
      if (r.status === 'failed') {
        // Not retryable (invalid batch, refused token): drop it, say so once per minute.
        queue.shift();
        o.onOutcome?.('failed', head, r);
        if (Date.now() - lastFailureLogged > 60_000) {
          lastFailureLogged = Date.now();
          o.log.error({ err: r.error, batchSeq: head.batchSeq }, 'collector refused a batch');
        }
        pump();
        return;
      }
      o.onOutcome?.('retry', head, r);
      if (attempt === 0) o.log.warn({ err: r.error }, 'collector unavailable, retrying with backoff');
      const wait = backoffMs(attempt++, initialMs, maxMs, random, r.retryInMs);
      timer = setTimeout(pump, wait);
    }, (err: unknown) => {
      busy = false;
      o.log.error({ err }, 'export send threw');
      timer = setTimeout(pump, backoffMs(attempt++, initialMs, maxMs, random));
    });
  }

  return {
    enqueue(req) {
      queue.push(req);
      while (queue.length > o.maxQueued) {
        const dropped = queue.splice(busy ? 1 : 0, 1)[0];
        if (dropped !== undefined) o.onOutcome?.('dropped', dropped);
      }
      pump();
    },
    async drain(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (queue.length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      return queue.length === 0;
    },
    get queued() {
      return queue.length;
    },
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
