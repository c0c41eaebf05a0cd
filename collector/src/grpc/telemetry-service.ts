// Thin gRPC adapter: authenticate → ingest → ack. Domain work lives in ../ingest.
import type { Metadata, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { ExportRequest, ExportResponse, TelemetryServiceServer } from '@renderwatch/proto';
import type { Logger } from 'pino';
import { isAppError } from '../errors.js';
import type { IngestService } from '../ingest/ingest-service.js';
import { toGrpcStatus } from './to-grpc-status.js';

/** Maps the call's metadata (the agent's token) to a tenant, or throws an AppError. */
export type TenantResolver = (md: Metadata) => string;

export interface TelemetryServiceDeps {
  ingest: IngestService;
  resolveTenant: TenantResolver;
  log: Logger;
  onResult?: (outcome: 'ok' | 'duplicate' | 'rejected' | 'failed', rows: number) => void;
}

export function createTelemetryService(deps: TelemetryServiceDeps): TelemetryServiceServer {
  const log = deps.log.child({ module: 'grpc.telemetry' });
  return {
    export(call: ServerUnaryCall<ExportRequest, ExportResponse>, callback: sendUnaryData<ExportResponse>): void {
      let tenant: string;
      try {
        tenant = deps.resolveTenant(call.metadata);
      } catch (err: unknown) {
        deps.onResult?.('rejected', 0);
        callback(toGrpcStatus(err));
        return;
      }
      deps.ingest.ingest(tenant, call.request).then(
        (r) => {
          deps.onResult?.(r.duplicate ? 'duplicate' : 'ok', r.acceptedRows);
          callback(null, { acceptedRows: r.acceptedRows, duplicate: r.duplicate });
        },
        (err: unknown) => {
          if (isAppError(err) && err.code === 'COL_ERR_INGEST_INVALID') {
            deps.onResult?.('rejected', 0);
            log.warn({ agentId: call.request.agentId.slice(0, 128), code: err.code, detail: err.message }, 'export rejected');
          } else {
            deps.onResult?.('failed', 0);
            log.error({ err }, 'export failed');
          }
          callback(toGrpcStatus(err));
        },
      );
    },
  };
}
