// JSON request bodies: Fastify's own parser (proto and constructor poisoning refused), except that
// an empty body with `content-type: application/json` is no body. Clients that set the JSON content
// type on every request (DELETE /api/v1/admin/keys/:id, POST .../ack without a comment) got a 400
// "Body cannot be empty" for it; the routes treat a missing body as `{}`. No other content type is read.
import type { FastifyInstance } from 'fastify';

export function registerJsonBody(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  // The API takes JSON only: a text/plain body (curl --data-binary, fetch with a string) is a 415 that says so.
  app.removeContentTypeParser('text/plain');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (body.length === 0) {
      done(null, undefined);
      return;
    }
    parse(req, typeof body === 'string' ? body : body.toString('utf8'), done);
  });
}
