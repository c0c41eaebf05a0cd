import type { FastifyError, FastifyInstance } from 'fastify';
import { COLLECTOR_ERRORS, isAppError } from '../errors.js';

/** The one HTTP translation of errors: AppError → its status and `{code, message}`; anything else → 500. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    if (isAppError(err)) {
      if (err.retryAfterS !== undefined) void reply.header('retry-after', String(err.retryAfterS));
      if (err.httpStatus >= 500) {
        // A 5xx message may quote ClickHouse (DB::Exception ...): the log gets it, the body never does.
        req.log.error({ err }, 'request failed');
        const hint = err.retryAfterS === undefined ? 'see the collector log' : `retry in ${err.retryAfterS} s`;
        return reply.status(err.httpStatus).send({ code: err.code, message: `${COLLECTOR_ERRORS[err.code].message} (${hint})` });
      }
      return reply.status(err.httpStatus).send({ code: err.code, message: err.message });
    }
    const status = 'statusCode' in err && typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status < 500) {
      return reply.status(status).send({ code: 'COL_ERR_API_BAD_REQUEST', message: err.message });
    }
    req.log.error({ err }, 'unexpected error');
    return reply.status(500).send({ code: 'COL_ERR_INTERNAL', message: 'internal error (see collector log)' });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({ code: 'COL_ERR_API_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0] ?? ''}` }),
  );
}
