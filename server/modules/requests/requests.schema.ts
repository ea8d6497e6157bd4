import { z } from 'zod';
import { idParams, recordId, shortText } from '../../platform/http/fields.ts';
import { paginationQuery } from '../../platform/http/pagination.ts';
import { TICKET_PRIORITIES, TICKET_TYPES } from '../tickets/tickets.tables.ts';

export { idParams };

/**
 * What an end-user may write on a request: a narrow subset of a ticket. The requester and the comment's author
 * are always the caller and comments are always public, so none of those can be sent.
 */
const bodyId = z.coerce.number().int().positive();
const email = z.string().trim().max(254).email('is not a valid email address');
const personRef = z.union([bodyId, email, z.object({ name: shortText(255).optional(), email })]);
const ccAction = z.object({
  user_id: bodyId.optional(),
  user_email: email.optional(),
  user_name: shortText(255).optional(),
  action: z.enum(['put', 'delete']).default('put'),
});

export const requestComment = z.object({
  body: z.string().max(65_536).optional(),
  html_body: z.string().max(262_144).optional(),
  uploads: z.array(z.string().min(1).max(200)).max(50).optional(),
});

const customFieldValue = z.object({ id: bodyId, value: z.unknown() });

export const createRequestBody = z.object({
  request: z.object({
    subject: shortText(255).optional(),
    comment: requestComment,
    priority: z.enum(TICKET_PRIORITIES).nullable().optional(),
    type: z.enum(TICKET_TYPES).nullable().optional(),
    custom_fields: z.array(customFieldValue).max(500).optional(),
    fields: z.array(customFieldValue).max(500).optional(),
    collaborators: z.array(personRef).max(48).optional(),
    collaborator_ids: z.array(bodyId).max(48).optional(),
    email_ccs: z.array(ccAction).max(48).optional(),
  }),
});
export type CreateRequestInput = z.infer<typeof createRequestBody>['request'];

export const updateRequestBody = z.object({
  request: z.object({
    comment: requestComment.optional(),
    solved: z.boolean().optional(),
    email_ccs: z.array(ccAction).max(48).optional(),
    additional_collaborators: z.array(personRef).max(48).optional(),
  }),
});
export type UpdateRequestInput = z.infer<typeof updateRequestBody>['request'];

export const listRequestsQuery = paginationQuery.extend({
  /** Comma-separated statuses, as Zendesk takes them (`status=open,pending`). */
  status: z.string().max(200).optional(),
  include: z.string().max(200).optional(),
});

export const showRequestQuery = z.object({ include: z.string().max(200).optional() });
export const listRequestCommentsQuery = paginationQuery;
export const requestCommentParams = z.object({ id: recordId, comment_id: recordId });
