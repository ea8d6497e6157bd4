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

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

function isLocale(value: string): boolean {
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
}

/** An IANA time zone (`Europe/Paris`, `UTC`): clients format the account's dates with it. */
const timeZone = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .refine(isTimeZone, 'is not a time zone such as Europe/Paris or UTC');

/** A BCP 47 language tag (`en-US`, `fr`). */
const locale = z.string().trim().min(2).max(20).refine(isLocale, 'is not a locale such as en-US');

/** `#rrggbb`; stored in lower case so equal colours compare equal. */
export const brandColor = z
  .string()
  .trim()
  .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour such as #1f5fbf')
  .transform((v) => v.toLowerCase());

export const updateAccountBody = z.object({
  account: z
    .object({
      name: z.string().trim().min(1).max(255),
      region: z.enum(REGIONS),
      industry: z.enum(INDUSTRIES),
      time_zone: timeZone,
      locale,
      host_mapping: z
        .string()
        .trim()
        .toLowerCase()
        .regex(
          /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?\.[a-z]{2,}$/,
          'must be a host name such as support.example.com',
        )
        .nullable(),
      brand_color: brandColor.nullable(),
    })
    .partial(),
});
