// The one HTTP translation of errors, for every way a request can fail: AppError → its status and
// `{code, message}`; Fastify's own refusals (body too large, wrong content type, bad JSON, bad URL
// encoding, a route that exists under another method) → a COL_ERR_* code whose message says what to
// do; a request line + headers over Node's 16 KiB limit → 431 with a code, written on the socket
// (Node refuses it before Fastify sees a request); anything else → 500 without detail.
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { AppError, COLLECTOR_ERRORS, isAppError, type CollectorErrorCode } from '../errors.js';

/** Request bodies (only POST /api/v1/admin/keys and the alert ack take one) are JSON of at most this. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
/** Node's default limit on the request line + headers (`--max-http-header-size`). */
const HEADER_LIMIT_KIB = 16;

/** C0 and C1 control characters (NUL, newline, escape, DEL ...). */
export function isControl(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

/** What a message may echo of a request's path: 120 characters, control characters as `?`. */
export function shownPath(url: string): string {
  const path = url.split('?')[0] ?? '';
  let clean = '';
  for (const ch of path) clean += isControl(ch) ? '?' : ch;
  return clean.length > 120 ? `${clean.slice(0, 120)}… (${clean.length} characters)` : clean;
}

function send(reply: FastifyReply, status: number, code: CollectorErrorCode, message: string): FastifyReply {
  return reply.status(status).send({ code, message });
}

/** Fastify's refusals of a request (status < 500) as the API's codes, each saying what to do. */
function clientError(err: FastifyError, req: FastifyRequest): AppError {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('COL_ERR_API_BODY_TOO_LARGE', `the body is larger than ${BODY_LIMIT_BYTES / 1024 / 1024} MiB; send a smaller JSON body`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError(
        'COL_ERR_API_UNSUPPORTED_MEDIA_TYPE',
        `${JSON.stringify((req.headers['content-type'] ?? '').slice(0, 60))} is not accepted; send the body as JSON with content-type: application/json`,
      );
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('COL_ERR_API_BAD_REQUEST', 'the body is not valid JSON; send a JSON object with content-type: application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('COL_ERR_API_BAD_REQUEST', 'the body is empty; send a JSON object or no content-type');
    default:
      // __proto__ / constructor keys (FST_ERR_CTP_*_POISONING is a SyntaxError from secure-json-parse) and the rest
      return new AppError('COL_ERR_API_BAD_REQUEST', err.message.slice(0, 200));
  }
}

/** Methods registered for a path (`:param` matches one segment; `*` routes only outside /api/). */
function methodsFor(routes: readonly { method: string; parts: string[] }[], url: string): string[] {
  const path = (url.split('?')[0] ?? '').split('/');
  const api = url.startsWith('/api/');
  const out = new Set<string>();
  for (const r of routes) {
    const wild = r.parts.at(-1) === '*';
    if (wild && api) continue;
    const n = wild ? r.parts.length - 1 : r.parts.length;
    if (wild ? path.length < n : path.length !== n) continue;
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      const p = r.parts[i] as string;
      ok = p.startsWith(':') ? (path[i] ?? '') !== '' : p === path[i];
    }
    if (ok) out.add(r.method);
  }
  return [...out].sort();
}

/**
 * Options for Fastify's constructor: router errors (bad percent-encoding) as a 400 with a code,
 * path parameters as long as the URL may be (the route's zod schema decides, e.g. host names of up
 * to 253 characters; the router's default of 100 answered them 414), and the 431 above.
 */
export function httpServerOptions(): Pick<FastifyServerOptions, 'bodyLimit' | 'frameworkErrors' | 'clientErrorHandler' | 'routerOptions'> {
  return {
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: HEADER_LIMIT_KIB * 1024 },
    frameworkErrors: (err, req, reply) => {
      const detail =
        err.code === 'FST_ERR_BAD_URL'
          ? `the path ${JSON.stringify(shownPath(req.url))} is not valid percent-encoded UTF-8`
          : `the path ${JSON.stringify(shownPath(req.url))} cannot be routed (${err.code})`;
      void send(reply, 400, 'COL_ERR_API_BAD_REQUEST', `${COLLECTOR_ERRORS.COL_ERR_API_BAD_REQUEST.message}: ${detail}`);
    },
    clientErrorHandler: (err: NodeJS.ErrnoException, socket: Socket) => {
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      const overflow = err.code === 'HPE_HEADER_OVERFLOW';
      const status = overflow ? 431 : 400;
      const code: CollectorErrorCode = overflow ? 'COL_ERR_API_HEADERS_TOO_LARGE' : 'COL_ERR_API_BAD_REQUEST';
      const message = overflow
        ? `${COLLECTOR_ERRORS[code].message}: the URL and headers together exceed ${HEADER_LIMIT_KIB} KiB; shorten the query string (filter values are at most 256 characters)`
        : `${COLLECTOR_ERRORS[code].message}: the request is not valid HTTP/1.1`;
      const body = JSON.stringify({ code, message });
      if (socket.writable) {
        socket.write(
          `HTTP/1.1 ${status} ${overflow ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
      }
      socket.destroy();
    },
  };
}

/** Error and not-found handlers of `app`; call before any route is added (it records the routes for 405 answers). */
export function registerErrorHandler(app: FastifyInstance): void {
  const routes: { method: string; parts: string[] }[] = [];
  app.addHook('onRoute', (r) => {
    for (const m of Array.isArray(r.method) ? r.method : [r.method]) routes.push({ method: String(m).toUpperCase(), parts: r.url.split('/') });
  });
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
      const e = clientError(err as FastifyError, req);
      return reply.status(e.httpStatus).send({ code: e.code, message: e.message });
    }
    req.log.error({ err }, 'unexpected error');
    return reply.status(500).send({ code: 'COL_ERR_INTERNAL', message: 'internal error (see collector log)' });
  });
  app.setNotFoundHandler((req, reply) => {
    const allow = methodsFor(routes, req.url);
    if (allow.length > 0) {
      void reply.header('allow', allow.join(', '));
      return send(
        reply,
        405,
        'COL_ERR_API_METHOD_NOT_ALLOWED',
        `${COLLECTOR_ERRORS.COL_ERR_API_METHOD_NOT_ALLOWED.message}: ${req.method} ${shownPath(req.url)}; use ${allow.join(' or ')}`,
      );
    }
    return send(reply, 404, 'COL_ERR_API_NOT_FOUND', `no route ${req.method.slice(0, 20)} ${shownPath(req.url)} (the routes are listed at /openapi.json)`);
  });
}
