// The agent daemon's delivery pipeline from its config: spool under AGENT_STATE_DIR/spool →
// retrying sender → Export client (token, gzip, TLS/mTLS). commands/run.ts uses it; the batcher
// starts at `firstSeq` so batch_seq continues after everything this spool ever held.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AgentConfig } from '../config.js';
import { clientCredentialsFromFiles, createExportClient, type ExportClient } from './export-client.js';
import { createRetryingSender, type SendOutcome } from './retrying-sender.js';
import { openSpool, type SpoolStats } from './spool.js';
import type { ExportRequest } from '@renderwatch/proto';

export type DeliveryConfig = Pick<
  AgentConfig,
  | 'AGENT_COLLECTOR_ADDRESS'
  | 'AGENT_TOKEN'
  | 'AGENT_STATE_DIR'
  | 'AGENT_EXPORT_DEADLINE_MS'
  | 'AGENT_EXPORT_MAX_INFLIGHT'
  | 'AGENT_SPOOL_MAX_BYTES'
  | 'AGENT_SPOOL_MAX_AGE_S'
  | 'AGENT_TLS'
  | 'AGENT_TLS_CA_FILE'
  | 'AGENT_TLS_CERT_FILE'
  | 'AGENT_TLS_KEY_FILE'
>;

export interface Delivery {
  /** The batch_seq the batcher must start at. */
  readonly firstSeq: number;
  /** Spools the batch (fsync'd), then lets the sender send it. */
  deliver(req: ExportRequest): void;
  stats(): SpoolStats;
  drain(timeoutMs: number): Promise<boolean>;
  close(): void;
}

export function tlsWanted(cfg: DeliveryConfig): boolean {
  return cfg.AGENT_TLS === 'on' || cfg.AGENT_TLS_CA_FILE !== '' || cfg.AGENT_TLS_CERT_FILE !== '';
}

export function createDelivery(
  cfg: DeliveryConfig,
  log: Logger,
  deps: { client?: ExportClient; onOutcome?: (o: SendOutcome, seq: number) => void } = {},
): Delivery {
  const spool = openSpool({
    dir: join(cfg.AGENT_STATE_DIR, 'spool'),
    maxBytes: cfg.AGENT_SPOOL_MAX_BYTES,
    maxAgeMs: cfg.AGENT_SPOOL_MAX_AGE_S * 1000,
    log,
  });
  const client =
    deps.client ??
    createExportClient({
      address: cfg.AGENT_COLLECTOR_ADDRESS,
      ...(cfg.AGENT_TOKEN === '' ? {} : { token: cfg.AGENT_TOKEN }),
      ...(tlsWanted(cfg)
        ? { credentials: clientCredentialsFromFiles({ caFile: cfg.AGENT_TLS_CA_FILE, certFile: cfg.AGENT_TLS_CERT_FILE, keyFile: cfg.AGENT_TLS_KEY_FILE }) }
        : {}),
    });
  const sender = createRetryingSender({
    client,
    store: spool,
    log,
    deadlineMs: cfg.AGENT_EXPORT_DEADLINE_MS,
    maxInFlight: cfg.AGENT_EXPORT_MAX_INFLIGHT,
    ...(deps.onOutcome === undefined ? {} : { onOutcome: deps.onOutcome }),
  });
  sender.kick(); // what an earlier run left unacked
  return {
    firstSeq: spool.nextSeq,
    deliver(req) {
      spool.append(req);
      sender.kick();
    },
    stats: () => spool.stats(),
    drain: (ms) => sender.drain(ms),
    close() {
      sender.stop();
      client.close();
    },
  };
}
