// The domain side of Export: dedup on (tenant, agent_id, batch_seq), insert every table, record
// the batch, ack. The gRPC handler is a thin adapter over `ingest()`.
import type { ExportRequest } from '@renderwatch/proto';
import type { Logger } from 'pino';
import { AppError, isAppError } from '../errors.js';
import type { Storage } from '../storage/clickhouse.js';
import { sql } from '../storage/sql.js';
import { createIngestLimiter, type IngestLimits } from './ingest-limiter.js';
import { countRows, toRows } from './rows.js';
import { splitTs } from './time.js';

export interface IngestResult {
  acceptedRows: number;
  duplicate: boolean;
}

export interface IngestService {
  ingest(tenant: string, req: ExportRequest): Promise<IngestResult>;
}

export interface IngestDeps {
  storage: Storage;
  log: Logger;
  maxBatchRows: number;
  /** Bounded queue in front of ClickHouse (defaults: 16 in flight, 256 queued, retry after 2 s). */
  limits?: IngestLimits;
  now?: () => number;
}

const TABLE_ORDER = ['gpu_samples', 'host_samples', 'runtime_events', 'gpu_status', 'hosts'] as const;

export function createIngestService(deps: IngestDeps): IngestService {
  const now = deps.now ?? Date.now;
  const log = deps.log.child({ module: 'ingest' });
  const limits = deps.limits ?? { maxInFlight: 16, maxQueued: 256, retryAfterS: 2 };
  const limiter = createIngestLimiter(limits);
  return {
    async ingest(tenant, req) {
      const total = countRows(req);
      if (total > deps.maxBatchRows) {
        throw new AppError('COL_ERR_INGEST_TOO_LARGE', `${total} rows > ${deps.maxBatchRows}; send smaller batches`);
      }
      // Validate before queueing: a bad batch never takes a slot.
      const converted = toRows(tenant, req, now());
      try {
        return await limiter.run(() => store(tenant, total, converted));
      } catch (err: unknown) {
        // ClickHouse down or restarting: back-pressure with a hint; the agent keeps the batch.
        if (isAppError(err) && err.code === 'COL_ERR_STORAGE_UNREACHABLE' && err.retryAfterS === undefined) {
          throw new AppError('COL_ERR_STORAGE_UNREACHABLE', err.message, { cause: err, retryAfterS: limits.retryAfterS });
        }
        throw err;
      }
    },
  };

  async function store(tenant: string, total: number, { id, rows }: ReturnType<typeof toRows>): Promise<IngestResult> {
    const seen = await deps.storage.query<{ c: string }>(
      sql`SELECT count() AS c FROM ingest_batches WHERE tenant = ${tenant} AND agent_id = ${id.agent_id} AND batch_seq = ${id.batch_seq}`,
    );
    if (Number(seen[0]?.c ?? 0) > 0) {
      if (log.isLevelEnabled('debug')) log.debug({ agentId: id.agent_id, batchSeq: id.batch_seq }, 'duplicate batch acknowledged');
      return { acceptedRows: 0, duplicate: true };
    }
    // Each table's rows carry their natural key, so a batch re-sent after a partial insert
    // collapses in the Replacing engines; the ledger row is written last, after all tables.
    await Promise.all(TABLE_ORDER.map((t) => deps.storage.insert(t, rows[t])));
    await deps.storage.insert('ingest_batches', [
      { tenant, agent_id: id.agent_id, batch_seq: id.batch_seq, received_at: splitTs(now()).ts, rows: total },
    ]);
    return { acceptedRows: total, duplicate: false };
  }
}
