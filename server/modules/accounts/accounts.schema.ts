import { z } from 'zod';
import { newPassword } from '../../platform/http/fields.ts';

const RESERVED = new Set([
  'www',
  'api',
  'admin',
  'app',
  'mail',
  'smtp',
  'help',
  'support',
  'status',
  'static',
  'assets',
  'widget',
  'haven',
]);

export const subdomain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
    'must be 1–63 letters, digits or hyphens, not starting or ending with a hyphen',
  )
  .refine((s) => !RESERVED.has(s), 'is reserved');

export const REGIONS = [
  'unspecified',
  'north_america',
  'latin_america',
  'europe',
  'middle_east_africa',
  'asia_pacific',
] as const;
export const INDUSTRIES = [
  'unspecified',
  'software',
  'retail',
  'education',
  'finance',
  'government',
  'healthcare',
  'media',
  'travel',
  'manufacturing',
  'nonprofit',
  'professional_services',
  'other',
] as const;

export const newAccountInput = z.object({
  subdomain,
  name: z.string().trim().min(1, 'cannot be blank').max(255),
  adminName: z.string().trim().min(1, 'cannot be blank').max(255),
  adminEmail: z.string().trim().max(254).email('is not a valid email address'),
  adminPassword: newPassword,
  region: z.enum(REGIONS).default('unspecified'),
  industry: z.enum(INDUSTRIES).default('unspecified'),
});
export type NewAccountInput = z.input<typeof newAccountInput>;

export const updateAccountBody = z.object({
  account: z
    .object({
      name: z.string().trim().min(1).max(255),
      region: z.enum(REGIONS),
      industry: z.enum(INDUSTRIES),
      time_zone: z.string().trim().min(1).max(64),
      locale: z.string().trim().min(2).max(20),
      host_mapping: z
        .string()
        .trim()
        .toLowerCase()
        .regex(
          /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?\.[a-z]{2,}$/,
          'must be a host name such as support.example.com',
        )
        .nullable(),
    })
    .partial(),
});
