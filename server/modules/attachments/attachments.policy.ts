import type { Actor } from '../../platform/auth/authenticate.ts';
import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { scopeAllows, ticketScope } from '../tickets/tickets.policy.ts';
import type { AttachmentRecord } from './attachments.presenter.ts';

/**
 * Who may see an attachment (its record and its bytes). Deny by default; a hidden attachment is 404.
 * - An upload no comment has claimed yet: only its uploader.
 * - A comment's file: whoever may see the ticket, except that end-users never see internal notes' files.
 */
export async function canSeeAttachment(
  db: TenantDb,
  actor: Actor,
  attachment: AttachmentRecord,
): Promise<boolean> {
  if (attachment.comment_id === null) return attachment.uploader_id === actor.userId;
  const ticket = await db
    .selectFrom('ticket_comments')
    .innerJoin('tickets', (j) =>
      j
        .onRef('tickets.account_id', '=', 'ticket_comments.account_id')
        .onRef('tickets.id', '=', 'ticket_comments.ticket_id'),
    )
    .selectAll('tickets')
    .select('ticket_comments.public as comment_public')
    .where('ticket_comments.id', '=', attachment.comment_id)
    .executeTakeFirst();
  if (!ticket) return false;
  const scope = await ticketScope(db, actor);
  if (!scopeAllows(scope, ticket)) return false;
  return scope.kind !== 'end-user' || ticket.comment_public;
}
