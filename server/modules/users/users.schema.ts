import { z } from 'zod';
import { idParams, newPassword, recordId, shortText, tagList } from '../../platform/http/fields.ts';
import { paginationQuery } from '../../platform/http/pagination.ts';

export { idParams };

export const USER_ROLES = ['end-user', 'agent', 'admin'] as const;

const email = z.string().trim().max(254).email('is not a valid email address');

/** Fields a client may write on a user; anything else in the body is ignored, as Zendesk does. */
const userFields = {
  name: shortText(255).min(1, 'cannot be blank'),
  email: email.nullable(),
  role: z.enum(USER_ROLES),
  external_id: shortText(255).nullable(),
  organization_id: z.number().int().positive().nullable(),
  default_group_id: z.number().int().positive().nullable(),
  verified: z.boolean(),
  phone: shortText(50)
    .regex(/^\+?[0-9 ().-]{3,}$/, 'is not a phone number')
    .nullable(),
  alias: shortText(255).nullable(),
  details: shortText(10_000).nullable(),
  notes: shortText(10_000).nullable(),
  locale: shortText(20).min(2),
  time_zone: shortText(64).min(1),
  tags: tagList,
  user_fields: z.record(z.string(), z.unknown()),
  signature: shortText(2_000).nullable(),
  ticket_restriction: z.enum(['organization', 'groups', 'assigned', 'requested']).nullable(),
  only_private_comments: z.boolean(),
  restricted_agent: z.boolean(),
  moderator: z.boolean(),
  suspended: z.boolean(),
};

export const userInput = z.object(userFields).partial();
export type UserInput = z.infer<typeof userInput>;

export const createUserBody = z.object({ user: userInput.extend({ name: userFields.name }) });
export const updateUserBody = z.object({ user: userInput });
export const createOrUpdateUserBody = z.object({ user: userInput });

export const listUsersQuery = paginationQuery.extend({
  role: z.enum(USER_ROLES).optional(),
  'role[]': z.union([z.enum(USER_ROLES), z.array(z.enum(USER_ROLES))]).optional(),
  include: z.string().optional(),
  external_id: z.string().optional(),
});

export const searchUsersQuery = paginationQuery.extend({
  query: z.string().trim().max(500).optional(),
  external_id: z.string().optional(),
  include: z.string().optional(),
});

export const showManyQuery = z.object({
  ids: z.string().optional(),
  external_ids: z.string().optional(),
  include: z.string().optional(),
});

export const includeQuery = z.object({ include: z.string().optional() });

export const setPasswordBody = z.object({
  password: newPassword,
  previous_password: z.string().max(200).optional(),
});

export const identityBody = z.object({
  identity: z.object({
    type: z.enum(['email', 'phone_number']),
    value: z.string().trim().min(3).max(254),
    verified: z.boolean().optional(),
  }),
});

export const identityParams = z.object({
  id: recordId,
  identity_id: recordId,
});
