// Sends the oldest unacked batches of a store, in batch_seq order, with a deadline on every call,
// at most `maxInFlight` at once (1 = strictly one after another), and jittered, capped exponential
// backoff that never retries sooner than the collector's retry-after-s hint. Outcomes are values
// (SendResult); nothing here throws. A batch leaves the store only when the collector acked it
// (ok or duplicate) or refused it as invalid; a refused token keeps the batches and retries slowly.
import { status } from '@grpc/grpc-js';
import { ExportRequest } from '@renderwatch/proto';
import type { Logger } from 'pino';
import type { BatchStore, StoredBatch } from './batch-store.js';
import type { ExportClient } from './export-client.js';
import { backoffMs, type SendOutcome, type SendResult } from './send-result.js';

export type { SendOutcome };

export interface RetryingSenderOptions {
  client: ExportClient;
  store: BatchStore;
  log: Logger;
  /** Deadline of one Export call, ms. */
  deadlineMs: number;
  /** Batches sent concurrently (default 1: strict order). */
  maxInFlight?: number;
  backoff?: { initialMs: number; maxMs: number };
  random?: () => number;
  /** Every outcome; `rows` = samples + events of the batch when the store knows it (else 0). */
  onOutcome?: (outcome: SendOutcome, seq: number, result: SendResult | undefined, rows: number) => void;
}

export interface RetryingSender {
  /** A batch was added to the store: send it when the sender is idle. */
  kick(): void;
  /** Resolves true when the store is empty, false after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean>;
  stop(): void;
  readonly attempt: number;
}

/** Codes that mean "this agent is not allowed": keep the data, retry at the slowest pace. */
const AUTH_CODES = new Set<number>([status.UNAUTHENTICATED, status.PERMISSION_DENIED]);

function codeOf(err: Error): number | undefined {
  const c = (err as Error & { code?: unknown }).code;
  return typeof c === 'number' ? c : undefined;
}

interface SendStep {
  retry: boolean;
  hintMs?: number;
  auth?: boolean;
}

export function createRetryingSender(o: RetryingSenderOptions): RetryingSender {
  const random = o.random ?? Math.random;
  const { initialMs, maxMs } = o.backoff ?? { initialMs: 250, maxMs: 30_000 };
  const window = Math.max(1, o.maxInFlight ?? 1);
  const log = o.log.child({ module: 'export.sender' });
  let busy = false;
  let stopped = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;
  let lastErrorLog = 0;

  async function sendOne(b: StoredBatch): Promise<SendStep> {
    // A disk spool holds the batch encoded: sent as is, without decoding and encoding again.
    const encoded = o.client.sendEncoded !== undefined && b.bytes !== undefined;
    const req = encoded ? b.bytes?.() : b.load();
    if (req === undefined) {
      o.store.ack(b.seq); // gone for good; a store that still listed it would hand it out forever
      o.onOutcome?.('vanished', b.seq, undefined, 0);
      return { retry: false };
    }
    const r =
      req instanceof Uint8Array
        ? await (o.client.sendEncoded?.(req, o.deadlineMs) ?? o.client.send(ExportRequest.decode(req), o.deadlineMs))
        : await o.client.send(req, o.deadlineMs);
    if (r.status === 'ok') {
      o.store.ack(b.seq);
      o.onOutcome?.(r.response.duplicate ? 'duplicate' : 'ok', b.seq, r, b.rows ?? 0);
      return { retry: false };
    }
    if (r.status === 'retryable') {
      o.onOutcome?.('retry', b.seq, r, b.rows ?? 0);
      return { retry: true, ...(r.retryInMs === undefined ? {} : { hintMs: r.retryInMs }) };
    }
    const code = codeOf(r.error);
    if (code !== undefined && AUTH_CODES.has(code)) {
      o.onOutcome?.('refused', b.seq, r, b.rows ?? 0);
      if (Date.now() - lastErrorLog > 60_000) {
        lastErrorLog = Date.now();
        log.error({ err: r.error }, 'collector refused the agent token; batches are kept and retried (check AGENT_TOKEN)');
      }
      return { retry: true, auth: true };
    }
    // Invalid batch: it would be refused forever and block every later one.
    o.store.ack(b.seq);
    o.onOutcome?.('invalid', b.seq, r, b.rows ?? 0);
    log.error({ err: r.error, batchSeq: b.seq }, 'collector refused a batch as invalid; dropped');
    return { retry: false };
  }

  function schedule(ms: number): void {
    if (stopped) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      pump();
    }, ms);
  }

  function pump(): void {
    if (busy || stopped || timer !== undefined) return;
    const batches = o.store.head(window);
    if (batches.length === 0) return;
    busy = true;
    void Promise.all(batches.map(sendOne))
      .catch((err: unknown) => {
        log.error({ err }, 'export send threw');
        return [{ retry: true } as SendStep];
      })
      .then((results) => {
        busy = false;
        const retries = results.filter((x) => x.retry);
        if (retries.length === 0) {
          attempt = 0;
          pump();
          return;
        }
        if (attempt === 0) log.warn({ batches: o.store.size }, 'collector unavailable, retrying with backoff');
        const hint = Math.max(0, ...retries.map((x) => x.hintMs ?? 0));
        const auth = retries.some((x) => x.auth === true);
        schedule(auth ? maxMs : backoffMs(attempt++, initialMs, maxMs, random, hint));
      });
  }

  return {
    kick: pump,
    async drain(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (o.store.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      return o.store.size === 0;
    },
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
    get attempt() {
      return attempt;
    },
  };
}
