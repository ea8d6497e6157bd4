import { z } from 'zod';
import { idParams, recordId } from '../../platform/http/fields.ts';

export { idParams };

/** node-zendesk sends `token=undefined` (and `binary=undefined`) for options it was not given. */
const givenText = (max: number) =>
  z
    .string()
    .max(max)
    .optional()
    .transform((v) => (v === undefined || v === '' || v === 'undefined' ? undefined : v));

/** `POST /uploads?filename=a.png[&token=T]`; a missing or blank name is a 422 on `filename`. */
export const uploadQuery = z.object({
  filename: z.string().max(1000).optional(),
  token: givenText(100),
});

/** Upload and download tokens are URL-safe random strings; anything else names nothing (404). */
const token = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/);

export const tokenParams = z.object({ token });

/** The download URL repeats the file name for readability (`?name=a.png`); it decides nothing. */
export const downloadQuery = z.object({ name: z.string().optional() });

export const redactParams = z.object({
  ticket_id: recordId,
  comment_id: recordId,
  attachment_id: recordId,
});
