import { z } from 'zod';
import { recordId, shortText } from '../../platform/http/fields.ts';
import { paginationQuery } from '../../platform/http/pagination.ts';
import { type FieldKind, PROFILE_FIELD_TYPES, TICKET_FIELD_TYPES } from './fields.tables.ts';

/** A tag: one word, lower-cased, as tickets store tags. Option values and checkbox tags are tags. */
const tag = z
  .string()
  .trim()
  .min(1, 'cannot be blank')
  .max(80)
  .regex(/^[^\s,]+$/, 'must be a single word (it is used as a tag)')
  .transform((t) => t.toLowerCase());

/** Where user and organization values are stored; all digits would read as an id in `/user_fields/{id}`. */
const fieldKey = z
  .string()
  .trim()
  .min(1, 'cannot be blank')
  .max(64)
  .regex(/^[A-Za-z0-9_]+$/, 'may hold only letters, numbers and underscores')
  .refine((k) => !/^\d+$/.test(k), 'cannot be only numbers');

export const optionInput = z.object({
  id: z.number().int().positive().optional(),
  name: shortText(255).min(1, 'cannot be blank'),
  value: tag,
  default: z.boolean().optional(),
});
export type OptionInput = z.infer<typeof optionInput>;

/** Attributes every kind of field has; anything else in a body is ignored, as Zendesk does. */
const common = {
  type: z.string(),
  title: shortText(255).min(1, 'cannot be blank'),
  description: shortText(10_000).nullable(),
  position: z.number().int().min(0).max(1_000_000),
  active: z.boolean(),
  regexp_for_validation: z.string().max(1_000).nullable(),
  tag: tag.nullable(),
  custom_field_options: z.array(optionInput).max(2_000),
};

const ticketFieldInput = z
  .object({
    ...common,
    agent_description: shortText(10_000).nullable(),
    required: z.boolean(),
    collapsed_for_agents: z.boolean(),
    title_in_portal: shortText(255).nullable(),
    visible_in_portal: z.boolean(),
    editable_in_portal: z.boolean(),
    required_in_portal: z.boolean(),
  })
  .partial();

const profileFieldInput = z.object({ ...common, key: fieldKey }).partial();

/** What the commands accept: the union of the ticket and profile attributes, all optional. */
export type FieldInput = z.infer<typeof ticketFieldInput> & z.infer<typeof profileFieldInput>;

export const createTicketFieldBody = z.object({
  ticket_field: ticketFieldInput.extend({ type: z.enum(TICKET_FIELD_TYPES), title: common.title }),
});
export const updateTicketFieldBody = z.object({ ticket_field: ticketFieldInput });

const createProfileField = profileFieldInput.extend({
  type: z.enum(PROFILE_FIELD_TYPES),
  title: common.title,
  key: fieldKey,
});
export const createUserFieldBody = z.object({ user_field: createProfileField });
export const updateUserFieldBody = z.object({ user_field: profileFieldInput });
export const createOrganizationFieldBody = z.object({ organization_field: createProfileField });
export const updateOrganizationFieldBody = z.object({ organization_field: profileFieldInput });

/** `POST …/options`: with an id it updates that option, without one it creates (Zendesk semantics). */
export const saveOptionBody = z.object({
  custom_field_option: optionInput.partial().extend({ position: z.number().int().min(0).optional() }),
});
export type SaveOptionInput = z.infer<typeof saveOptionBody>['custom_field_option'];

/** Ticket fields are addressed by id; user and organization fields by id or key, as at Zendesk. */
export const fieldRef = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .transform((s) => (/^\d+$/.test(s) ? Number(s) : s));
export type FieldRef = z.infer<typeof fieldRef>;

/** Path parameters of one kind's routes: `/{kind}_fields/:id` and `/{kind}_fields/:{kind}_field_id/options/:id`. */
export function fieldParams(kind: FieldKind) {
  const ref = kind === 'ticket' ? recordId : fieldRef;
  const parent = `${kind}_field_id`;
  return {
    field: z.object({ id: ref }),
    options: z.object({ [parent]: ref }),
    option: z.object({ [parent]: ref, id: recordId }),
  };
}

export const listFieldsQuery = paginationQuery;
