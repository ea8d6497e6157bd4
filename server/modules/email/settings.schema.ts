import { z } from 'zod';

/** A blocked or rejected sender: an address, or `@domain` for every address of a domain. */
const senderPattern = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .regex(/^([^\s@<>(),;:"[\]\\]+)?@[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'must be an address or @domain');

export const settingsInput = z.object({
  spam_threshold: z.number().min(0).max(100).optional(),
  blocked_senders: z.array(senderPattern).max(1000).optional(),
  rejected_senders: z.array(senderPattern).max(1000).optional(),
  sender_rate_limit: z.number().int().min(0).max(100_000).optional(),
  text_template: z.string().max(100_000).nullable().optional(),
  html_template: z.string().max(200_000).nullable().optional(),
});
export type SettingsInput = z.infer<typeof settingsInput>;

export const settingsBody = z.object({ email_settings: settingsInput });

export const previewBody = z.object({
  text_template: z.string().max(100_000).nullable().optional(),
  html_template: z.string().max(200_000).nullable().optional(),
});

const hostname = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'must be a domain name');
const selector = z
  .string()
  .trim()
  .toLowerCase()
  .max(63)
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be a DNS label');

export const dkimGenerateBody = z.object({ domain: hostname, selector });
export const dkimImportBody = z.object({ domain: hostname, selector, private_key: z.string().max(20_000) });
