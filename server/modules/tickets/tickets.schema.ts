import { z } from 'zod';
import { idParams, recordId, shortText, tagList } from '../../platform/http/fields.ts';
import { paginationQuery } from '../../platform/http/pagination.ts';
import { TICKET_PRIORITIES, TICKET_STATUSES, TICKET_TYPES } from './tickets.tables.ts';

export { idParams };

/** An id in a body; clients send numbers, some send numeric strings. */
const bodyId = z.coerce.number().int().positive();
const email = z.string().trim().max(254).email('is not a valid email address');

/** A person named by id, by email, or by name and email (created as an end-user when new). */
const personRef = z.union([
  bodyId,
  email,
  z.object({ name: shortText(255).optional(), email, locale_id: z.unknown().optional() }),
]);

const ccAction = z.object({
  user_id: bodyId.optional(),
  user_email: email.optional(),
  user_name: shortText(255).optional(),
  action: z.enum(['put', 'delete']).default('put'),
});

export const commentInput = z.object({
  body: z.string().max(65_536).optional(),
  html_body: z.string().max(262_144).optional(),
  public: z.boolean().optional(),
  author_id: bodyId.optional(),
  uploads: z.array(z.string().min(1).max(200)).max(50).optional(),
});
export type CommentInput = z.infer<typeof commentInput>;

const customFieldValue = z.object({ id: bodyId, value: z.unknown() });
const timestamp = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), 'is not a date')
  .transform((s) => new Date(s));

/** Fields a client may write on a ticket; anything else is ignored, as Zendesk does. */
export const ticketInput = z.object({
  subject: shortText(255).optional(),
  raw_subject: shortText(255).optional(),
  description: z.string().max(65_536).optional(),
  comment: commentInput.optional(),
  requester_id: bodyId.optional(),
  requester: personRef.optional(),
  submitter_id: bodyId.optional(),
  assignee_id: bodyId.nullable().optional(),
  assignee_email: email.optional(),
  group_id: bodyId.nullable().optional(),
  organization_id: bodyId.nullable().optional(),
  status: z.enum(TICKET_STATUSES).optional(),
  priority: z.enum(TICKET_PRIORITIES).nullable().optional(),
  type: z.enum(TICKET_TYPES).nullable().optional(),
  problem_id: bodyId.nullable().optional(),
  tags: tagList.optional(),
  additional_tags: tagList.optional(),
  remove_tags: tagList.optional(),
  custom_fields: z.array(customFieldValue).max(500).optional(),
  fields: z.array(customFieldValue).max(500).optional(),
  external_id: shortText(255).nullable().optional(),
  due_at: timestamp.nullable().optional(),
  collaborator_ids: z.array(bodyId).max(100).optional(),
  collaborators: z.array(personRef).max(100).optional(),
  email_cc_ids: z.array(bodyId).max(100).optional(),
  email_ccs: z.array(ccAction).max(100).optional(),
  follower_ids: z.array(bodyId).max(100).optional(),
  followers: z.array(ccAction).max(100).optional(),
  recipient: shortText(254).nullable().optional(),
  via_followup_source_id: bodyId.optional(),
  safe_update: z.boolean().optional(),
  updated_stamp: z.string().optional(),
  /** Accepted from imports and channels; API callers are `api`. */
  via: z
    .object({ channel: shortText(40).optional(), source: z.record(z.string(), z.unknown()).optional() })
    .optional(),
});
export type TicketInput = z.infer<typeof ticketInput>;

export const createTicketBody = z.object({ ticket: ticketInput });
export const updateTicketBody = z.object({ ticket: ticketInput });
export const createManyBody = z.object({ tickets: z.array(ticketInput).min(1).max(100) });
export const updateManyBody = z.union([
  z.object({
    tickets: z
      .array(ticketInput.extend({ id: bodyId }))
      .min(1)
      .max(100),
  }),
  z.object({ ticket: ticketInput }),
]);
export const idsQuery = z.object({ ids: z.string().optional(), external_ids: z.string().optional() });

export const listTicketsQuery = paginationQuery.extend({
  sort_by: z.enum(['id', 'created_at', 'updated_at', 'status', 'priority', 'subject']).optional(),
  external_id: z.string().optional(),
  include: z.string().optional(),
});

export const commentParams = z.object({ id: recordId, comment_id: recordId });
export const auditParams = z.object({ id: recordId, audit_id: recordId });
export const listCommentsQuery = paginationQuery.extend({ include: z.string().optional() });
export const redactBody = z.object({ text: z.string().min(1).max(65_536) });
export const mergeBody = z.object({
  ids: z.array(bodyId).min(1).max(5),
  target_comment: z.string().max(65_536).optional(),
  source_comment: z.string().max(65_536).optional(),
  target_comment_is_public: z.boolean().optional(),
  source_comment_is_public: z.boolean().optional(),
});
export const tagsBody = z.object({
  tags: tagList,
  safe_update: z.boolean().optional(),
  updated_stamp: z.string().optional(),
});
export const userTicketsParams = z.object({ id: recordId, kind: z.enum(['requested', 'assigned', 'ccd']) });
