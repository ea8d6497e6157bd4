import { z } from 'zod';
import { idParams, shortText } from '../../platform/http/fields.ts';

export const imapConnectionParams = idParams;

/** A host name or an IP address, as an admin types it (no scheme, no port). */
const imapHost = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(
    /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?|[0-9a-f:.]+)$/i,
    'must be a host name such as imap.example.com',
  );

const mailboxName = z.string().trim().min(1).max(255);

/** Create and update take the same fields; on create `name`, `host`, `username` and `password` are required. */
export const imapConnectionInput = z.object({
  name: shortText(255).min(1).optional(),
  host: imapHost.optional(),
  port: z.coerce.number().int().min(1).max(65535).optional(),
  secure: z.boolean().optional(),
  username: z.string().trim().min(1).max(255).optional(),
  /** Write-only: never returned. */
  password: z.string().min(1).max(1024).optional(),
  mailbox: mailboxName.optional(),
  after_processing: z.enum(['seen', 'move', 'delete']).optional(),
  move_to: mailboxName.nullable().optional(),
  active: z.boolean().optional(),
});
export type ImapConnectionInput = z.infer<typeof imapConnectionInput>;

export const imapConnectionBody = z.object({ imap_connection: imapConnectionInput });
