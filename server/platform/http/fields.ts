import { z } from 'zod';
import { PASSWORD_MIN_LENGTH } from '../auth/secrets.ts';

/** Request fields every module validates the same way. */

/** A record id in a path or query: a positive integer (Zendesk ids are integers). */
export const recordId = z.coerce.number().int().positive();

export const idParams = z.object({ id: recordId });

/** Trimmed text with a length bound. */
export const shortText = (max: number) => z.string().trim().max(max);

/** A password someone chooses: long enough to resist guessing, short enough to hash cheaply. */
export const newPassword = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(200);

/** Zendesk tags: single words, stored lower-case and once each. */
export const tagList = z
  .array(
    z
      .string()
      .trim()
      .min(1)
      .max(80)
      .regex(/^[^\s,]+$/, 'must be single words'),
  )
  .max(200)
  .transform((tags) => [...new Set(tags.map((t) => t.toLowerCase()))]);
