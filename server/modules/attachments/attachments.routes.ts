import { create as contentDisposition } from 'content-disposition';
import {
  commandContext,
  defineRoute,
  type HandlerContext,
  respond,
} from '../../platform/http/define-route.ts';
import { HavenError, notFound } from '../../platform/http/errors.ts';
import { blobStore } from '../../platform/storage/blob-store.ts';
import { scopeAllows, ticketScope } from '../tickets/tickets.policy.ts';
import { deleteUpload, redactAttachment, uploadFile } from './attachments.commands.ts';
import { servedInline } from './attachments.files.ts';
import { canSeeAttachment } from './attachments.policy.ts';
import { presentAttachment, presentUpload } from './attachments.presenter.ts';
import {
  findAttachment,
  findAttachmentByContentToken,
  findCommentAttachment,
} from './attachments.queries.ts';
import { downloadQuery, idParams, redactParams, tokenParams, uploadQuery } from './attachments.schema.ts';

const tags = ['Attachments'];

/** Zendesk's attachment redaction. node-zendesk sends DELETE to this path where the API documents PUT. */
function redactRoute(method: 'PUT' | 'DELETE') {
  return defineRoute({
    method,
    url: '/api/v2/tickets/:ticket_id/comments/:comment_id/attachments/:attachment_id/redact',
    auth: 'agent',
    tags,
    summary: 'Redact a comment attachment: its bytes are deleted and it becomes an empty redacted.txt',
    params: redactParams,
    handler: async (ctx) => {
      const { ticket_id: ticketId, comment_id: commentId, attachment_id: attachmentId } = ctx.params;
      const ticket = await ctx.db
        .selectFrom('tickets')
        .selectAll()
        .where('id', '=', ticketId)
        .executeTakeFirst();
      if (!ticket || !scopeAllows(await ticketScope(ctx.db, ctx.actor), ticket)) throw notFound();
      const found = await findCommentAttachment(ctx.db, { ticketId, commentId, attachmentId });
      if (!found) throw notFound();
      await redactAttachment(ctx.db, found.id, ctx.actor.userId);
      const redacted = (await findAttachment(ctx.db, found.id))!;
      return respond(200, { attachment: presentAttachment(redacted, ctx.url) });
    },
  });
}

/** The bytes of an attachment the caller may see, served so that a browser can never run them. */
async function download(ctx: HandlerContext<{ token: string }, unknown, unknown>) {
  if (!ctx.maybeActor) {
    // Someone signed out following a link (from a notification email, say) signs in and comes back.
    return respond(302, undefined, { Location: `/sign_in?return_to=${encodeURIComponent(ctx.req.url)}` });
  }
  const row = await findAttachmentByContentToken(ctx.db, ctx.params.token);
  if (!row || !(await canSeeAttachment(ctx.db, ctx.actor, row))) throw notFound();
  const etag = `"${row.content_token}${row.deleted ? '-redacted' : ''}"`;
  const headers = {
    ETag: etag,
    // Revalidated on every use, so a revoked permission takes effect at once.
    'Cache-Control': 'private, no-cache',
  };
  if (ctx.req.headers['if-none-match'] === etag) return respond(304, undefined, headers);
  const bytes = row.file_id === null ? Buffer.alloc(0) : await blobStore.get(ctx.db, row.file_id);
  if (!bytes) throw notFound();
  const disposition = servedInline(row.content_type, row.width) ? 'inline' : 'attachment';
  return respond(200, bytes, {
    ...headers,
    'Content-Type': row.content_type,
    'Content-Disposition': contentDisposition(row.file_name, { type: disposition }),
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
  });
}

export const attachmentRoutes = [
  defineRoute({
    method: 'POST',
    url: '/api/v2/uploads',
    auth: 'end_user',
    tags,
    summary: 'Upload a file (the raw bytes are the body); pass token to add it to an earlier upload',
    rawBody: true,
    query: uploadQuery,
    responses: { 201: { description: 'The upload, with its token for a comment’s `uploads`' } },
    handler: async (ctx) => {
      const declared = ctx.req.headers['content-type'];
      if (declared?.toLowerCase().startsWith('multipart/')) {
        throw new HavenError('CS_UNSUPPORTED_MEDIA_TYPE', {
          description: 'Send the file itself as the request body, not a multipart form',
        });
      }
      const upload = await uploadFile(commandContext(ctx), {
        fileName: ctx.query.filename,
        token: ctx.query.token,
        bytes: ctx.body as Buffer,
        declaredType: declared,
        maxBytes: ctx.services.config.maxUploadBytes,
      });
      return respond(201, { upload: presentUpload(upload, ctx.url) });
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v2/uploads/:token',
    auth: 'end_user',
    tags,
    summary: 'Delete an upload no comment has used yet, with its files',
    params: tokenParams,
    handler: async (ctx) => {
      await deleteUpload(commandContext(ctx), ctx.params.token);
      return respond(204);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/attachments/:id',
    auth: 'end_user',
    tags,
    summary: 'Show an attachment (whoever may see its comment, or its uploader before it is used)',
    params: idParams,
    handler: async (ctx) => {
      const row = await findAttachment(ctx.db, ctx.params.id);
      if (!row || !(await canSeeAttachment(ctx.db, ctx.actor, row))) throw notFound();
      return respond(200, { attachment: presentAttachment(row, ctx.url) });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/attachments/token/:token',
    // Any signed-in user (checked in the handler, which sends the signed-out to sign in); a link people
    // open in a browser, so its errors are pages and it is not part of the JSON API document.
    auth: 'public',
    page: true,
    summary: "Download an attachment's bytes (its content_url)",
    params: tokenParams,
    query: downloadQuery,
    handler: download,
  }),
  redactRoute('PUT'),
  redactRoute('DELETE'),
];
