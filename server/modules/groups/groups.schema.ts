import { z } from 'zod';
import { idParams, recordId } from '../../platform/http/fields.ts';

export { idParams };

import { paginationQuery } from '../../platform/http/pagination.ts';

/**
 * Fields a client may write on a group; anything else in the body is ignored, as Zendesk does. `default` is
 * read-only there too: the account's first group is its default (see groups.commands.ts).
 */
const groupFields = {
  name: z.string().trim().min(1, 'cannot be blank').max(255),
  description: z.string().trim().max(1_000),
  is_public: z.boolean(),
};

export const groupInput = z.object(groupFields).partial();
export type GroupInput = z.infer<typeof groupInput>;

export const createGroupBody = z.object({ group: groupInput.extend({ name: groupFields.name }) });
export const updateGroupBody = z.object({ group: groupInput });

export const userMembershipParams = z.object({
  user_id: recordId,
  id: recordId,
});

/** Zendesk lists deleted groups too unless asked not to. */
const excludeDeleted = z.enum(['true', 'false']).optional();

export const listGroupsQuery = paginationQuery.extend({ exclude_deleted: excludeDeleted });
export const countGroupsQuery = z.object({ exclude_deleted: excludeDeleted });
export const assignableGroupsQuery = paginationQuery;

export const createMembershipBody = z.object({
  group_membership: z.object({
    user_id: z.number().int().positive(),
    group_id: z.number().int().positive(),
  }),
});

export const listMembershipsQuery = paginationQuery.extend({ include: z.string().optional() });
export const includeQuery = z.object({ include: z.string().optional() });
