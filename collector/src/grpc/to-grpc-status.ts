import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { isAppError } from '../errors.js';

/** The one translation from an error to a gRPC status (docs/style.md "4. Errors"). Unknown errors become INTERNAL. */
export function toGrpcStatus(err: unknown): Partial<ServiceError> {
  if (isAppError(err)) {
    const md = new Metadata();
    md.set('x-renderwatch-error-code', err.code);
    if (err.retryAfterS !== undefined) md.set('retry-after-s', String(err.retryAfterS));
    return { code: err.grpcCode, details: err.message, metadata: md };
  }
  return { code: status.INTERNAL, details: 'internal error (see collector log)' };
}
