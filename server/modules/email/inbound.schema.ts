import { z } from 'zod';
import { recordId } from '../../platform/http/fields.ts';
import { paginationQuery } from '../../platform/http/pagination.ts';

export const INBOUND_STATUSES = [
  'received',
  'processed',
  'suspended',
  'ignored',
  'duplicate',
  'failed',
] as const;

/** `POST /email/inbound?recipient=`: the address the provider delivered the message to, when it says. */
export const postInboundQuery = z.object({ recipient: z.string().trim().max(320).optional() });

export const inboundListQuery = paginationQuery.extend({ status: z.enum(INBOUND_STATUSES).optional() });

export const inboundParams = z.object({ id: recordId });

/** Content types a mail provider posts a raw message as. */
export const RAW_MESSAGE_TYPES = new Set(['message/rfc822', 'application/octet-stream', 'text/plain']);

export const suspendedListQuery = paginationQuery.extend({
  sort_by: z.enum(['author_email', 'cause', 'created_at', 'subject']).optional(),
});

/** `?ids=1,2,3` of the bulk endpoints. */
export const idsQuery = z.object({ ids: z.string().max(2000).optional() });

/** The stored original of a comment that came by mail. */
export const originalEmailParams = z.object({ id: recordId, comment_id: recordId });
