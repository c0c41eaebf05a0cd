// Admin API for API keys (admin role; keys of the caller's own tenant only) and /api/v1/whoami.
import { ApiKeyIdParamsSchema, CreateApiKeyRequestSchema, type ApiKeyListResponse, type CreateApiKeyResponse, type WhoAmIResponse } from '@renderwatch/schema';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import type { ApiKeyAuth } from '../api-keys.js';
import { isControl } from '../error-handler.js';
import { parseInput } from '../parse-input.js';

export function registerKeyRoutes(app: FastifyInstance, auth: ApiKeyAuth): void {
  app.get('/api/v1/whoami', { schema: { tags: ['auth'], summary: 'The tenant and role of the calling key' } }, (req): WhoAmIResponse => {
    const who = auth.authenticate(req);
    return { tenant: who.tenant, role: who.role, auth: auth.mode() };
  });
  app.get('/api/v1/admin/keys', { schema: { tags: ['auth'], summary: "API keys of the caller's tenant (admin)" } }, (req): ApiKeyListResponse => {
    const who = auth.require(req, 'admin');
    return { keys: auth.list(who.tenant) };
  });
  app.post(
    '/api/v1/admin/keys',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create an API key (admin); the secret is shown once',
        body: z.toJSONSchema(CreateApiKeyRequestSchema, { io: 'input' }),
      },
    },
    (req, reply): Promise<CreateApiKeyResponse> => {
      const who = auth.require(req, 'admin');
      const body = parseInput(CreateApiKeyRequestSchema, req.body);
      // The name is shown in key lists and the dashboard: printable text only (a NUL or newline was stored as given).
      if ([...body.name].some(isControl)) throw new AppError('COL_ERR_API_BAD_REQUEST', 'name: control characters are not allowed');
      void reply.status(201);
      return auth.create(who.tenant, body.name, body.role);
    },
  );
  app.delete(
    '/api/v1/admin/keys/:id',
    { schema: { tags: ['auth'], summary: 'Revoke an API key (admin)', params: z.toJSONSchema(ApiKeyIdParamsSchema, { io: 'input' }) } },
    (req): Promise<{ revoked: true }> => {
      const who = auth.require(req, 'admin');
      const { id } = parseInput(ApiKeyIdParamsSchema, req.params);
      return auth.revoke(who.tenant, id).then((ok) => {
        if (!ok) throw new AppError('COL_ERR_API_NOT_FOUND', `no API key ${id}`);
        return { revoked: true as const };
      });
    },
  );
}
