import { z } from 'zod';
import { shortText } from '../../platform/http/fields.ts';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export const REQUEST_FORMATS = ['json', 'xml', 'form_encoded'] as const;
export const AUTH_TYPES = ['basic_auth', 'bearer_token', 'api_key'] as const;

/** Webhook ids are ULIDs; anything else cannot name one (404, like any unknown id). */
export const webhookId = z.string().regex(/^[0-9A-Za-z_-]{1,64}$/);

export const webhookParams = z.object({ id: webhookId });
export const invocationParams = z.object({ id: webhookId, invocation_id: webhookId });

const upper = (v: unknown) => (typeof v === 'string' ? v.toUpperCase() : v);

/** `{type, data, add_position}`; what `data` must hold depends on the type (checked by the commands). */
export const authenticationInput = z.object({
  type: z.enum(AUTH_TYPES),
  data: z.record(z.string(), z.unknown()).optional(),
  add_position: z.literal('header').optional(),
});
export type AuthenticationInput = z.infer<typeof authenticationInput>;

export const webhookInput = z.object({
  name: shortText(255).optional(),
  description: shortText(1000).nullable().optional(),
  status: z.enum(['active', 'inactive']).optional(),
  endpoint: z.string().trim().max(2048).optional(),
  http_method: z.preprocess(upper, z.enum(HTTP_METHODS)).optional(),
  request_format: z.enum(REQUEST_FORMATS).optional(),
  subscriptions: z.array(z.string().trim().max(255)).max(20).optional(),
  authentication: authenticationInput.nullable().optional(),
  /** Header name → value; in a PATCH a null value removes that header. */
  custom_headers: z.record(z.string(), z.string().nullable()).nullable().optional(),
  /** On create only: a secret of your own instead of a generated one. */
  signing_secret: z
    .object({ algorithm: z.literal('SHA256').optional(), secret: z.string().min(16).max(255).optional() })
    .optional(),
});
export type WebhookInput = z.infer<typeof webhookInput>;

export const webhookBody = z.object({ webhook: webhookInput });

export const listWebhooksQuery = z.object({
  'page[size]': z.coerce.number().int().min(1).max(100).optional(),
  'page[after]': z.string().optional(),
  'page[before]': z.string().optional(),
  'filter[name_contains]': z.string().trim().max(255).optional(),
  'filter[status]': z.enum(['active', 'inactive']).optional(),
});

export const listInvocationsQuery = z.object({
  'page[size]': z.coerce.number().int().min(1).max(100).optional(),
  'page[after]': z.string().optional(),
  'page[before]': z.string().optional(),
  'filter[status]': z.enum(['pending', 'retrying', 'delivered', 'failed']).optional(),
});
export type CursorQuery = { 'page[size]'?: number; 'page[after]'?: string; 'page[before]'?: string };

/**
 * `POST /api/v2/webhooks/test`: a request to send now. With `?webhook_id=` the stored webhook is the base (its
 * credentials and signing secret), and anything given here overrides it.
 */
export const testWebhookBody = z.object({
  request: z
    .object({
      endpoint: z.string().trim().max(2048).optional(),
      http_method: z.preprocess(upper, z.enum(HTTP_METHODS)).optional(),
      request_format: z.enum(REQUEST_FORMATS).optional(),
      headers: z
        .array(z.object({ key: z.string(), value: z.string() }))
        .max(20)
        .optional(),
      payload: z.union([z.string().max(65_536), z.record(z.string(), z.unknown())]).optional(),
      authentication: authenticationInput.nullable().optional(),
    })
    .optional(),
});

export const testWebhookQuery = z.object({ webhook_id: webhookId.optional() });
