import { z } from 'zod';
import { shortText } from '../../platform/http/fields.ts';

/** An email address as admins type it: one mailbox, no display name. */
export const mailbox = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .regex(/^[^\s@<>(),;:"[\]\\]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'must be an email address');

export const addressInput = z.object({
  email: mailbox.optional(),
  name: shortText(255).nullable().optional(),
  default: z.boolean().optional(),
});
export type AddressInput = z.infer<typeof addressInput>;

export const addressBody = z.object({ recipient_address: addressInput });
export const verifyPageParams = z.object({ token: z.string().max(200) });
