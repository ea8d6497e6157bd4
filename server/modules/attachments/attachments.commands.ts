import { randomBytes } from 'node:crypto';
import type { Actor } from '../../platform/auth/authenticate.ts';
import type { CommandContext } from '../../platform/commands.ts';
import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { appendEvent } from '../../platform/events/outbox.ts';
import { invalid, notFound } from '../../platform/http/errors.ts';
import { blobStore } from '../../platform/storage/blob-store.ts';
import { ATTACHMENT_EVENTS } from './attachments.events.ts';
import {
  assertAllowed,
  cleanFileName,
  contentTypeFor,
  inspectImage,
  thumbnailName,
} from './attachments.files.ts';
import { type AttachmentRow, findUploadFiles } from './attachments.queries.ts';

/** Unused uploads expire an hour after their last file was added, as at Zendesk. */
export const UPLOAD_LIFETIME_MS = 60 * 60 * 1000;

/** Upload and download tokens: 144 random bits, URL-safe. */
const newToken = () => randomBytes(18).toString('base64url');

export interface UploadInput {
  /** As the client sent it; cleaned and checked here. */
  fileName: string | undefined;
  bytes: Buffer;
  /** An upload to add the file to, from an earlier answer. */
  token?: string;
  /** The request's Content-Type, used only when the name says nothing. */
  declaredType?: string;
  maxBytes: number;
}

export interface Upload {
  token: string;
  expiresAt: Date;
  attachment: AttachmentRow;
  attachments: AttachmentRow[];
}

/**
 * Stores one uploaded file (and a thumbnail for images) in a new upload, or in `token`'s upload when the
 * caller made it and it has not expired. The upload waits for a comment to claim it (`claimUploads`).
 */
export async function uploadFile(
  ctx: CommandContext & { actor: Actor },
  input: UploadInput,
): Promise<Upload> {
  const fileName = cleanFileName(input.fileName);
  if (input.bytes.length === 0) throw invalid('file', 'File: cannot be empty', 'BlankValue');
  if (input.bytes.length > input.maxBytes) {
    throw invalid('file', `File: is larger than the ${input.maxBytes} bytes allowed`, 'TooLarge');
  }
  assertAllowed(fileName, input.bytes);
  // Decoding happens before the transaction: it can take a moment on a large image.
  const image = await inspectImage(input.bytes);

  return ctx.db.transaction(async (db) => {
    let token = input.token;
    if (token === undefined) {
      token = newToken();
    } else {
      const owners = await db
        .selectFrom('attachments')
        .select('uploader_id')
        .where('upload_token', '=', token)
        .where('parent_id', 'is', null)
        .where('expires_at', '>', new Date())
        .forUpdate()
        .execute();
      if (owners.length === 0 || owners.some((o) => o.uploader_id !== ctx.actor.userId)) {
        throw invalid('token', `Upload token ${token} is not valid`, 'InvalidValue');
      }
    }
    const expiresAt = new Date(Date.now() + UPLOAD_LIFETIME_MS);
    const upload = { upload_token: token, uploader_id: ctx.actor.userId, expires_at: expiresAt };
    const file = await blobStore.put(db, input.bytes);
    const { id } = await db
      .insertInto('attachments', {
        ...upload,
        file_id: file.id,
        content_token: newToken(),
        file_name: fileName,
        content_type: image?.contentType ?? contentTypeFor(fileName, input.declaredType),
        size: file.size,
        width: image?.width ?? null,
        height: image?.height ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (image) {
      const thumb = image.thumbnail;
      const thumbFile = await blobStore.put(db, thumb.bytes);
      await db
        .insertInto('attachments', {
          ...upload,
          parent_id: id,
          file_id: thumbFile.id,
          content_token: newToken(),
          file_name: thumbnailName(fileName, thumb.contentType),
          content_type: thumb.contentType,
          size: thumbFile.size,
          width: thumb.width,
          height: thumb.height,
        })
        .execute();
    }
    // Adding a file keeps the whole upload alive for another hour.
    await db
      .updateTable('attachments')
      .set({ expires_at: expiresAt })
      .where('upload_token', '=', token)
      .execute();
    const attachments = await findUploadFiles(db, token);
    return { token, expiresAt, attachment: attachments.find((a) => a.id === id)!, attachments };
  });
}

/** Deletes an unclaimed upload and its files; only its uploader may, and anyone else gets 404. */
export async function deleteUpload(ctx: CommandContext & { actor: Actor }, token: string): Promise<void> {
  await ctx.db.transaction(async (db) => {
    const files = await findUploadFiles(db, token);
    if (files.length === 0 || files.some((f) => f.uploader_id !== ctx.actor.userId)) throw notFound();
    // Thumbnails go by cascade, bytes by the attachments trigger.
    await db.deleteFrom('attachments').where('upload_token', '=', token).execute();
  });
}

/**
 * Attaches every file of the given uploads to a comment, inside the caller's transaction (pass its
 * TenantDb). Each token must name a live upload of the comment's author (any uploader when the author is
 * null, for system-made comments); otherwise nothing is claimed and it is a 422 on `uploads`.
 * Returns the ids of the attached files (thumbnails follow their images), oldest first.
 */
export async function claimUploads(
  db: TenantDb,
  tokens: string[],
  target: { ticketId: number; commentId: number; authorId: number | null },
): Promise<number[]> {
  const wanted = [...new Set(tokens)];
  if (wanted.length === 0) return [];
  return db.transaction(async (tx) => {
    const comment = await tx
      .selectFrom('ticket_comments')
      .select('id')
      .where('id', '=', target.commentId)
      .where('ticket_id', '=', target.ticketId)
      .executeTakeFirst();
    if (!comment) throw new Error(`Comment ${target.commentId} is not on ticket ${target.ticketId}`);
    const files = await tx
      .selectFrom('attachments')
      .select(['upload_token', 'uploader_id'])
      .where('upload_token', 'in', wanted)
      .where('expires_at', '>', new Date())
      .forUpdate()
      .execute();
    for (const token of wanted) {
      const mine = files.filter((f) => f.upload_token === token);
      const usable =
        mine.length > 0 && (target.authorId === null || mine.every((f) => f.uploader_id === target.authorId));
      if (!usable) throw invalid('uploads', `Upload token ${token} is not valid`, 'InvalidValue');
    }
    const claimed = await tx
      .updateTable('attachments')
      .set({ comment_id: comment.id, upload_token: null, expires_at: null })
      .where('upload_token', 'in', wanted)
      .returning(['id', 'parent_id'])
      .execute();
    return claimed
      .filter((a) => a.parent_id === null)
      .map((a) => a.id)
      .sort((a, b) => a - b);
  });
}

/**
 * Zendesk's attachment redaction: the bytes and thumbnails are deleted for good and the attachment stays
 * as an empty `redacted.txt` marked deleted. Redacting twice changes nothing.
 */
export async function redactAttachment(
  db: TenantDb,
  attachmentId: number,
  actorId: number | null = null,
): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await tx
      .selectFrom('attachments')
      .select(['id', 'file_id', 'deleted', 'comment_id'])
      .where('id', '=', attachmentId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw notFound();
    if (row.deleted) return;
    await tx.deleteFrom('attachments').where('parent_id', '=', row.id).execute();
    await tx
      .updateTable('attachments')
      .set({
        file_id: null,
        file_name: 'redacted.txt',
        content_type: 'text/plain',
        size: 0,
        width: null,
        height: null,
        deleted: true,
      })
      .where('id', '=', row.id)
      .execute();
    if (row.file_id !== null) await blobStore.delete(tx, row.file_id);
    await appendEvent(tx, {
      type: ATTACHMENT_EVENTS.redacted,
      subjectType: 'attachment',
      subjectId: row.id,
      actorId,
      payload: { comment_id: row.comment_id },
    });
  });
}
