// Thin gRPC adapter: authenticate → ingest → ack. Domain work lives in ../ingest.
import type { Metadata, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { ExportRequest, ExportResponse, TelemetryServiceServer } from '@renderwatch/proto';
import type { Logger } from 'pino';
import { AppError, isAppError, type CollectorErrorCode } from '../errors.js';
import type { IngestService } from '../ingest/ingest-service.js';
import { malformedReason } from './server.js';
import { toGrpcStatus } from './to-grpc-status.js';

/** Maps the call's metadata (the agent's token) to a tenant, or throws an AppError. */
export type TenantResolver = (md: Metadata) => string;

/** Bounded outcome label of an Export call (collector /metrics). */
export type ExportOutcome = 'ok' | 'duplicate' | 'rejected' | 'unauthenticated' | 'overloaded' | 'unavailable' | 'failed';

export interface TelemetryServiceDeps {
  ingest: IngestService;
  resolveTenant: TenantResolver;
  log: Logger;
  onResult?: (outcome: ExportOutcome, rows: number) => void;
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

/** Logs each (outcome, code) at most once per `everyMs`: a refused fleet must not flood the log. */
function onceEvery(everyMs: number, now: () => number): (key: string) => boolean {
  const last = new Map<string, number>();
  return (key) => {
    const t = now();
    const prev = last.get(key);
    if (prev !== undefined && t - prev < everyMs) return false;
    last.set(key, t);
    return true;
  };
}

export function createTelemetryService(deps: TelemetryServiceDeps): TelemetryServiceServer {
  const log = deps.log.child({ module: 'grpc.telemetry' });
  const shouldLog = onceEvery(60_000, deps.now ?? Date.now);

  function refuse(err: unknown, req: ExportRequest, callback: sendUnaryData<ExportResponse>): void {
    const outcome = isAppError(err) ? (OUTCOME_OF[err.code] ?? 'failed') : 'failed';
    deps.onResult?.(outcome, 0);
    const code = isAppError(err) ? err.code : 'unknown';
    if (shouldLog(`${outcome}:${code}`)) {
      const ctx = { agentId: req.agentId.slice(0, 128), code, detail: err instanceof Error ? err.message : String(err) };
      if (outcome === 'failed') log.error({ ...ctx, err }, 'export failed');
      else if (outcome === 'unavailable' || outcome === 'overloaded') log.warn(ctx, 'export pushed back');
      else log.warn(ctx, 'export rejected');
    }
    callback(toGrpcStatus(err));
  }

  return {
    export(call: ServerUnaryCall<ExportRequest, ExportResponse>, callback: sendUnaryData<ExportResponse>): void {
      const malformed = malformedReason(call.request);
      if (malformed !== undefined) {
        refuse(new AppError('COL_ERR_INGEST_INVALID', `not an ExportRequest protobuf (${malformed})`), call.request, callback);
        return;
      }
      let tenant: string;
      try {
        tenant = deps.resolveTenant(call.metadata);
      } catch (err: unknown) {
        refuse(err, call.request, callback);
        return;
      }
      deps.ingest.ingest(tenant, call.request).then(
        (r) => {
          deps.onResult?.(r.duplicate ? 'duplicate' : 'ok', r.acceptedRows);
          callback(null, { acceptedRows: r.acceptedRows, duplicate: r.duplicate });
        },
        (err: unknown) => refuse(err, call.request, callback),
      );
    },
  };
}
