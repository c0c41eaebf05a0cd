// Thin gRPC adapter: authenticate → ingest → ack. Domain work lives in ../ingest.
import { status, type Metadata, type sendUnaryData, type ServerDuplexStream, type ServerUnaryCall } from '@grpc/grpc-js';
import type { ExportRequest, ExportResponse, TelemetryServiceServer } from '@renderwatch/proto';
import type { Logger } from 'pino';
import { AppError, isAppError, type CollectorErrorCode } from '../errors.js';
import type { IngestResult, IngestService } from '../ingest/ingest-service.js';
import { endStreamsAtStop, malformedReason } from './server.js';
import { toGrpcStatus } from './to-grpc-status.js';
import { onceEvery } from './once-every.js';

/** Maps the call's metadata (the agent's token) to a tenant, or throws an AppError. */
export type TenantResolver = (md: Metadata) => string;

/** Bounded outcome label of an Export call (collector /metrics). */
export type ExportOutcome = 'ok' | 'duplicate' | 'rejected' | 'unauthenticated' | 'overloaded' | 'unavailable' | 'failed';

export interface TelemetryServiceDeps {
  ingest: IngestService;
  resolveTenant: TenantResolver;
  log: Logger;
  onResult?: (outcome: ExportOutcome, rows: number) => void;
  /** Rows written for a call that was answered before its batch was (a passed deadline): counted as rows, not as an outcome. */
  onWritten?: (rows: number) => void;
  now?: () => number;
}

const OUTCOME_OF: Partial<Record<CollectorErrorCode, ExportOutcome>> = {
  COL_ERR_INGEST_INVALID: 'rejected',
  COL_ERR_INGEST_TOO_LARGE: 'rejected',
  COL_ERR_AUTH_MISSING: 'unauthenticated',
  COL_ERR_AUTH_INVALID: 'unauthenticated',
  COL_ERR_INGEST_OVERLOADED: 'overloaded',
  COL_ERR_STORAGE_UNREACHABLE: 'unavailable',
};

export function createTelemetryService(deps: TelemetryServiceDeps): TelemetryServiceServer {
  const log = deps.log.child({ module: 'grpc.telemetry' });
  const shouldLog = onceEvery(60_000, deps.now ?? Date.now);

  /** Counts and logs (at most once a minute per outcome and code) a refused batch. */
  function refused(err: unknown, agentId: string): void {
    const outcome = isAppError(err) ? (OUTCOME_OF[err.code] ?? 'failed') : 'failed';
    deps.onResult?.(outcome, 0);
    const code = isAppError(err) ? err.code : 'unknown';
    if (shouldLog(`${outcome}:${code}`)) {
      const ctx = { agentId: agentId.slice(0, 128), code, detail: err instanceof Error ? err.message : String(err) };
      if (outcome === 'failed') log.error({ ...ctx, err }, 'export failed');
      else if (outcome === 'unavailable' || outcome === 'overloaded') log.warn(ctx, 'export pushed back');
      else log.warn(ctx, 'export rejected');
    }
  }

  /** One batch: malformed → INVALID_ARGUMENT; then the token's tenant; then ingest (dedup, write, ack). */
  function exportOne(req: ExportRequest, md: Metadata): Promise<IngestResult> {
    const malformed = malformedReason(req);
    if (malformed !== undefined)
      return Promise.reject(
        new AppError('COL_ERR_INGEST_INVALID', `not an ExportRequest protobuf (${malformed.slice(0, 80)}); send a renderwatch.telemetry.v1.ExportRequest`),
      );
    let tenant: string;
    try {
      tenant = deps.resolveTenant(md);
    } catch (err: unknown) {
      return Promise.reject(err);
    }
    return deps.ingest.ingest(tenant, req);
  }

  const ack = (r: IngestResult): ExportResponse => {
    deps.onResult?.(r.duplicate ? 'duplicate' : 'ok', r.acceptedRows);
    return { acceptedRows: r.acceptedRows, duplicate: r.duplicate };
  };

  /** Each open ExportStream's way to end at stop; `stopping` once the server stops. */
  const open = new Set<() => Promise<void>>();
  let stopping = false;

  const service: TelemetryServiceServer = {
    export(call: ServerUnaryCall<ExportRequest, ExportResponse>, callback: sendUnaryData<ExportResponse>): void {
      const agentId = call.request.agentId;
      exportOne(call.request, call.metadata).then(
        (r) => {
          // Answered already (its deadline passed, or the caller cancelled): the rows are written,
          // the call was counted by the status it got (grpc/transport-refusals.ts), not as ok.
          if (call.cancelled) deps.onWritten?.(r.acceptedRows);
          else callback(null, ack(r));
        },
        (err: unknown) => {
          refused(err, agentId);
          callback(toGrpcStatus(err));
        },
      );
    },

    // One long-lived stream per agent. Batches are ingested as they arrive (up to
    // STREAM_MAX_PENDING at once; the stream is paused beyond) and acknowledged in arrival order. The
    // first refused batch ends the stream with its status; later batches are not acknowledged. At
    // stop, the batches received are acked and the stream ends with STOPPING (the agent sends the
    // rest again on its next stream, to another replica or to this collector once it is back).
    exportStream(call: ServerDuplexStream<ExportRequest, ExportResponse>): void {
      let tail: Promise<boolean> = Promise.resolve(true);
      let pending = 0;
      let failed = false;
      /** Its status is decided (OK after the agent's half-close, or STOPPING): nothing is read or ended again. */
      let closing = false;
      const stop = (): Promise<void> => {
        closing = true;
        call.pause();
        return tail.then((ok) => {
          if (ok && !call.cancelled) call.emit('error', STOPPING);
        });
      };
      const forget = (): void => {
        open.delete(stop);
      };
      call.on('finish', forget);
      call.on('cancelled', forget);
      if (stopping) {
        void stop();
        return;
      }
      open.add(stop);
      call.on('data', (req: ExportRequest) => {
        if (failed || closing) return;
        pending++;
        if (pending >= STREAM_MAX_PENDING) call.pause();
        const agentId = req.agentId; // only this is kept past the call: the request can be collected
        const result = exportOne(req, call.metadata);
        result.catch(() => {}); // awaited in order below
        tail = tail.then(async (ok) => {
          try {
            if (!ok) return false;
            const r = await result;
            if (!call.cancelled) call.write(ack(r));
            return true;
          } catch (err: unknown) {
            failed = true;
            refused(err, agentId);
            call.emit('error', toGrpcStatus(err));
            return false;
          } finally {
            pending--;
            if (pending < STREAM_MAX_PENDING && !failed && !closing) call.resume();
          }
        });
      });
      call.on('end', () => {
        if (closing) return;
        closing = true;
        forget();
        void tail.then((ok) => {
          if (ok) call.end();
        });
      });
      call.on('error', () => {
        failed = true;
      });
    },
  };
  endStreamsAtStop(service, async () => {
    stopping = true;
    await Promise.all([...open].map((end) => end()));
  });
  return service;
}

/** How an ExportStream ends when the collector stops: retryable, the unacknowledged batches go on the agent's next stream. */
export const STOPPING = { code: status.UNAVAILABLE, details: 'the collector is stopping; send the batches not acknowledged again' } as const;

/** Batches of one ExportStream being ingested at once before the stream is paused (HTTP/2 flow control holds the rest). */
export const STREAM_MAX_PENDING = 16;
