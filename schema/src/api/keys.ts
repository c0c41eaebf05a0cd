import { z } from 'zod';

export const API_ROLES = ['viewer', 'operator', 'admin'] as const;
export const ApiRoleSchema = z.enum(API_ROLES);
export type ApiRole = z.infer<typeof ApiRoleSchema>;

/** POST /api/v1/admin/keys body (admin only). The key's tenant is the caller's tenant. */
export const CreateApiKeyRequestSchema = z.object({
  name: z.string().min(1).max(128),
  role: ApiRoleSchema,
});
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequestSchema>;

/** A stored key as listed: never the secret, only its id and a short prefix. */
export const ApiKeyInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: ApiRoleSchema,
  prefix: z.string(),
  created_at: z.string(),
  revoked: z.boolean(),
});
export type ApiKeyInfo = z.infer<typeof ApiKeyInfoSchema>;

/** The create answer: the only time the secret is shown. */
export const CreateApiKeyResponseSchema = ApiKeyInfoSchema.extend({ key: z.string() });
export type CreateApiKeyResponse = z.infer<typeof CreateApiKeyResponseSchema>;

export const ApiKeyListResponseSchema = z.object({ keys: z.array(ApiKeyInfoSchema) });
export type ApiKeyListResponse = z.infer<typeof ApiKeyListResponseSchema>;

export const ApiKeyIdParamsSchema = z.object({ id: z.string().regex(/^[a-f0-9]{16}$/) });
export type ApiKeyIdParams = z.infer<typeof ApiKeyIdParamsSchema>;

/** GET /api/v1/whoami: the caller's tenant and role (the dashboard hides what the role cannot do). */
export const WhoAmIResponseSchema = z.object({ tenant: z.string(), role: ApiRoleSchema, auth: z.enum(['api_key', 'dev_mode']) });
export type WhoAmIResponse = z.infer<typeof WhoAmIResponseSchema>;
