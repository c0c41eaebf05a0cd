// COL_ERR_* registry: one entry per expected failure, with its HTTP status and gRPC code.
// docs/errors.md has an anchor per code (generated); e2e/src/docs/error-registry.test.ts checks that
// every code the collector sends is here and every code here is sent somewhere.
import { status as GrpcStatus } from '@grpc/grpc-js';

interface ErrorSpec {
  readonly message: string;
  readonly httpStatus: number;
  readonly grpcCode: GrpcStatus;
}

export const COLLECTOR_ERRORS = {
  COL_ERR_CONFIG_INVALID: { message: 'configuration is invalid', httpStatus: 500, grpcCode: GrpcStatus.INTERNAL },
  COL_ERR_STORAGE_UNREACHABLE: { message: 'ClickHouse is unreachable', httpStatus: 503, grpcCode: GrpcStatus.UNAVAILABLE },
  COL_ERR_STORAGE_QUERY: { message: 'ClickHouse rejected a query', httpStatus: 500, grpcCode: GrpcStatus.INTERNAL },
  COL_ERR_MIGRATION_FAILED: { message: 'a schema migration failed', httpStatus: 500, grpcCode: GrpcStatus.INTERNAL },
  COL_ERR_MIGRATION_EDITED: { message: 'an applied schema migration was changed after it shipped', httpStatus: 500, grpcCode: GrpcStatus.INTERNAL },
  COL_ERR_INGEST_INVALID: { message: 'the export request is invalid', httpStatus: 400, grpcCode: GrpcStatus.INVALID_ARGUMENT },
  COL_ERR_INGEST_TOO_LARGE: { message: 'the export request has too many rows', httpStatus: 413, grpcCode: GrpcStatus.INVALID_ARGUMENT },
  COL_ERR_INGEST_OVERLOADED: { message: 'the collector queue is full, retry later', httpStatus: 503, grpcCode: GrpcStatus.RESOURCE_EXHAUSTED },
  COL_ERR_AUTH_MISSING: { message: 'no credentials were given', httpStatus: 401, grpcCode: GrpcStatus.UNAUTHENTICATED },
  COL_ERR_AUTH_INVALID: { message: 'the credentials are not valid', httpStatus: 401, grpcCode: GrpcStatus.UNAUTHENTICATED },
  COL_ERR_AUTH_FORBIDDEN: { message: 'the role of this key does not allow this', httpStatus: 403, grpcCode: GrpcStatus.PERMISSION_DENIED },
  COL_ERR_API_BAD_REQUEST: { message: 'the request parameters are invalid', httpStatus: 400, grpcCode: GrpcStatus.INVALID_ARGUMENT },
  COL_ERR_API_NOT_FOUND: { message: 'not found', httpStatus: 404, grpcCode: GrpcStatus.NOT_FOUND },
  COL_ERR_API_RANGE_TOO_LARGE: { message: 'the requested range or number of points is too large', httpStatus: 400, grpcCode: GrpcStatus.INVALID_ARGUMENT },
  COL_ERR_API_QUERY_TOO_EXPENSIVE: { message: 'the query took too long', httpStatus: 422, grpcCode: GrpcStatus.RESOURCE_EXHAUSTED },
  COL_ERR_API_METHOD_NOT_ALLOWED: { message: 'this method is not allowed on this route', httpStatus: 405, grpcCode: GrpcStatus.UNIMPLEMENTED },
  COL_ERR_API_BODY_TOO_LARGE: { message: 'the request body is too large', httpStatus: 413, grpcCode: GrpcStatus.INVALID_ARGUMENT },
  COL_ERR_API_UNSUPPORTED_MEDIA_TYPE: { message: 'the request body is not JSON', httpStatus: 415, grpcCode: GrpcStatus.INVALID_ARGUMENT },
  COL_ERR_API_HEADERS_TOO_LARGE: { message: 'the request URL and headers are too large', httpStatus: 431, grpcCode: GrpcStatus.INVALID_ARGUMENT },
  COL_ERR_INTERNAL: { message: 'an unexpected error (a bug): the collector log has the details', httpStatus: 500, grpcCode: GrpcStatus.INTERNAL },
  COL_ERR_INTERNAL_UNSCOPED_QUERY: { message: 'a query without the tenant filter was refused', httpStatus: 500, grpcCode: GrpcStatus.INTERNAL },
} as const satisfies Record<string, ErrorSpec>;

export type CollectorErrorCode = keyof typeof COLLECTOR_ERRORS;

/** An expected failure with a stable code; `detail` says what happened and what to do. */
export class AppError extends Error {
  readonly code: CollectorErrorCode;
  readonly httpStatus: number;
  readonly grpcCode: GrpcStatus;
  /** Seconds after which a retry makes sense (back-pressure). */
  readonly retryAfterS: number | undefined;

  constructor(code: CollectorErrorCode, detail?: string, opts: { cause?: unknown; retryAfterS?: number } = {}) {
    const spec = COLLECTOR_ERRORS[code];
    super(detail === undefined ? spec.message : `${spec.message}: ${detail}`, { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.httpStatus = spec.httpStatus;
    this.grpcCode = spec.grpcCode;
    this.retryAfterS = opts.retryAfterS;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
