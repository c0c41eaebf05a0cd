import type { FastifyRequest } from 'fastify';

/** Resolves the tenant (and role) of an HTTP request from its API key; throws AppError when refused. */
export type RequestAuthenticator = (req: FastifyRequest) => { tenant: string; role: 'viewer' | 'operator' | 'admin' };
