import { z } from 'zod';
import { idParams } from '../../platform/http/fields.ts';

export { idParams };

export const createApiTokenBody = z.object({
  api_token: z.object({ description: z.string().trim().max(255).default('') }).default({ description: '' }),
});

export const createOauthTokenBody = z.object({
  token: z.object({
    user_id: z.number().int().positive().optional(),
    scopes: z.array(z.string()).min(1),
    expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
  }),
});

export const signInForm = z.object({
  email: z.string().trim().max(254).default(''),
  password: z.string().max(200).default(''),
  subdomain: z.string().trim().max(63).optional(),
  authenticity_token: z.string().optional(),
  return_to: z.string().optional(),
});

export const setupForm = z.object({
  name: z.string().default(''),
  subdomain: z.string().default(''),
  admin_name: z.string().default(''),
  admin_email: z.string().default(''),
  admin_password: z.string().default(''),
  authenticity_token: z.string().optional(),
});

export const setPasswordQuery = z.object({ token: z.string().max(200).optional() });

/** Lenient on purpose: the page, not a JSON error, tells the person what to fix. */
export const setPasswordForm = z.object({
  token: z.string().max(200).default(''),
  password: z.string().max(1_000).default(''),
  password_confirmation: z.string().max(1_000).default(''),
  authenticity_token: z.string().optional(),
});
