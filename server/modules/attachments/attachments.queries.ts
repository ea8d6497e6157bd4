import type { TenantDb } from '../../platform/db/tenant-db.ts';
import type { AttachmentRecord, AttachmentRow } from './attachments.presenter.ts';

export type { AttachmentRecord, AttachmentRow };

/** Thumbnails grouped by the id of their image. */
function byParent(thumbnails: AttachmentRecord[]): Map<number, AttachmentRecord[]> {
  const groups = new Map<number, AttachmentRecord[]>();
  for (const t of thumbnails) groups.set(t.parent_id!, [...(groups.get(t.parent_id!) ?? []), t]);
  return groups;
}

/** Gives each row its thumbnails (thumbnails themselves get none), in one query. */
async function withThumbnails(db: TenantDb, rows: AttachmentRecord[]): Promise<AttachmentRow[]> {
  const parents = rows.filter((r) => r.parent_id === null).map((r) => r.id);
  const thumbnails = parents.length
    ? await db.selectFrom('attachments').selectAll().where('parent_id', 'in', parents).orderBy('id').execute()
    : [];
  const groups = byParent(thumbnails);
  return rows.map((r) => ({ ...r, thumbnails: groups.get(r.id) ?? [] }));
}

export async function findAttachment(db: TenantDb, id: number): Promise<AttachmentRow | undefined> {
  const row = await db.selectFrom('attachments').selectAll().where('id', '=', id).executeTakeFirst();
  return row && (await withThumbnails(db, [row]))[0];
}

/** The attachment a download URL names. */
export async function findAttachmentByContentToken(
  db: TenantDb,
  token: string,
): Promise<AttachmentRecord | undefined> {
  return db.selectFrom('attachments').selectAll().where('content_token', '=', token).executeTakeFirst();
}

/** The files of an unclaimed, unexpired upload (thumbnails nested), oldest first. */
export async function findUploadFiles(db: TenantDb, token: string): Promise<AttachmentRow[]> {
  const rows = await db
    .selectFrom('attachments')
    .selectAll()
    .where('upload_token', '=', token)
    .where('parent_id', 'is', null)
    .where('expires_at', '>', new Date())
    .orderBy('id')
    .execute();
  return withThumbnails(db, rows);
}

/** The attachments of each comment (thumbnails nested), oldest first; comments without any are absent. */
export async function attachmentsForComments(
  db: TenantDb,
  commentIds: number[],
): Promise<Map<number, AttachmentRow[]>> {
  const byComment = new Map<number, AttachmentRow[]>();
  if (commentIds.length === 0) return byComment;
  const rows = await db
    .selectFrom('attachments')
    .selectAll()
    .where('comment_id', 'in', commentIds)
    .orderBy('id')
    .execute();
  const thumbnails = byParent(rows.filter((r) => r.parent_id !== null));
  for (const row of rows) {
    if (row.parent_id !== null) continue;
    const list = byComment.get(row.comment_id!) ?? [];
    list.push({ ...row, thumbnails: thumbnails.get(row.id) ?? [] });
    byComment.set(row.comment_id!, list);
  }
  return byComment;
}

/** A file (not a thumbnail) of a comment on a ticket, by all three ids; undefined unless they match. */
export async function findCommentAttachment(
  db: TenantDb,
  ids: { ticketId: number; commentId: number; attachmentId: number },
): Promise<AttachmentRecord | undefined> {
  return db
    .selectFrom('attachments')
    .innerJoin('ticket_comments', (j) =>
      j
        .onRef('ticket_comments.account_id', '=', 'attachments.account_id')
        .onRef('ticket_comments.id', '=', 'attachments.comment_id'),
    )
    .selectAll('attachments')
    .where('attachments.id', '=', ids.attachmentId)
    .where('attachments.parent_id', 'is', null)
    .where('ticket_comments.id', '=', ids.commentId)
    .where('ticket_comments.ticket_id', '=', ids.ticketId)
    .executeTakeFirst();
}
