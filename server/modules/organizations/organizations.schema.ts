import { z } from 'zod';
import { idParams, shortText, tagList } from '../../platform/http/fields.ts';
import { paginationQuery } from '../../platform/http/pagination.ts';

export { idParams };

const domainName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9-]+\.)+[a-z]{2,63}$/, 'is not a domain name');

/** Fields a client may write on an organization; anything else in the body is ignored, as Zendesk does. */
const organizationFields = {
  name: shortText(255).min(1, 'cannot be blank'),
  details: shortText(10_000).nullable(),
  notes: shortText(10_000).nullable(),
  external_id: shortText(255).nullable(),
  domain_names: z.array(domainName).max(100),
  group_id: z.number().int().positive().nullable(),
  shared_tickets: z.boolean(),
  shared_comments: z.boolean(),
  tags: tagList,
  organization_fields: z.record(z.string(), z.unknown()),
};

export const organizationInput = z.object(organizationFields).partial();
export type OrganizationInput = z.infer<typeof organizationInput>;

export const createOrganizationBody = z.object({
  organization: organizationInput.extend({ name: organizationFields.name }),
});
export const updateOrganizationBody = z.object({ organization: organizationInput });

export const listOrganizationsQuery = paginationQuery;

export const showManyQuery = z.object({
  ids: z.string().optional(),
  external_ids: z.string().optional(),
});

export const searchOrganizationsQuery = paginationQuery.extend({
  external_id: z.string().optional(),
  name: z.string().optional(),
});

/** Zendesk requires at least two characters before it autocompletes. */
export const autocompleteQuery = paginationQuery.extend({
  name: z.string().trim().min(2, 'needs at least 2 characters').max(255),
});
