// The domain side of Export: validate, admit through the bounded queue, then the group writer
// dedups on (tenant, agent_id, batch_seq), inserts every table, records the batch and only then
// acks. The gRPC handler is a thin adapter over `ingest()`.
import type { ExportRequest } from '@renderwatch/proto';
import type { Logger } from 'pino';
import { AppError, isAppError } from '../errors.js';
import type { Storage } from '../storage/clickhouse.js';
import { createGroupWriter, type PendingBatch } from './group-writer.js';
import { createIngestLimiter, type IngestLimits } from './ingest-limiter.js';
import { countRows, toRows } from './rows.js';
import { validateRequest, type HostLimits, type Rejection } from './validate.js';

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
  /** GPUs, processes and extensions per host (COLLECTOR_MAX_GPUS_PER_HOST, _PROCESSES_PER_GPU, _EXTENSIONS_PER_START). */
  hostLimits: HostLimits;
  /** Bounded queue in front of ClickHouse (COLLECTOR_INGEST_MAX_INFLIGHT, _QUEUE_MAX, _RETRY_AFTER_S: defaults in config.ts only). */
  limits: IngestLimits;
  /** Group commit, one group at a time: a group is written at this many rows, or once its oldest batch waited `lingerMs` (and `lingerMs` passed since the last group ended), or at once when nothing is being written and no group started or ended for `lingerMs` (COLLECTOR_INGEST_GROUP_ROWS, _LINGER_MS; ./group-writer.ts). */
  grouping: { groupRows: number; lingerMs: number };
  now?: () => number;
  /** Values rejected by the physical ranges of ./validate.ts (collector /metrics, by field and reason). */
  onRejected?: (rejections: readonly Rejection[]) => void;
}

export function createIngestService(deps: IngestDeps): IngestService {
  const now = deps.now ?? Date.now;
  const limiter = createIngestLimiter(deps.limits);
  const writer = createGroupWriter({ storage: deps.storage, now, maxRowsPerWrite: Math.max(deps.maxBatchRows, 100_000), ...deps.grouping });
  /** Checks and converts a batch on the call; what it returns holds bytes, not the decoded request. */
  function prepare(tenant: string, req: ExportRequest): PendingBatch {
    const total = countRows(req);
    if (total > deps.maxBatchRows) {
      throw new AppError('COL_ERR_INGEST_TOO_LARGE', `${total} rows > ${deps.maxBatchRows}; send smaller batches`);
    }
    // Validate before queueing: a bad batch never takes a slot. Out-of-range values are dropped
    // one by one (the rest of the batch is kept) and counted.
    const rejected = validateRequest(req, deps.hostLimits);
    if (rejected.length > 0) deps.onRejected?.(rejected);
    const converted = toRows(tenant, req, now());
    return { id: converted.id, rows: converted.rows, total: rejected.length > 0 ? countRows(req) : total };
  }

  async function admit(batch: PendingBatch): Promise<IngestResult> {
    try {
      return await limiter.run(() => writer.write(batch));
    } catch (err: unknown) {
      // ClickHouse down or restarting: back-pressure with a hint; the agent keeps the batch.
      if (isAppError(err) && err.code === 'COL_ERR_STORAGE_UNREACHABLE' && err.retryAfterS === undefined) {
        throw new AppError('COL_ERR_STORAGE_UNREACHABLE', err.message, { cause: err, retryAfterS: deps.limits.retryAfterS });
      }
      throw err;
    }
  }

  return {
    // Not async: the decoded request stays out of any frame that waits for ClickHouse.
    ingest(tenant, req) {
      let batch: PendingBatch;
      try {
        batch = prepare(tenant, req);
      } catch (err: unknown) {
        return Promise.reject(err);
      }
      return admit(batch);
    },
  };
}
