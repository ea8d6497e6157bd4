import { z } from 'zod';
import { idParams, shortText } from '../../platform/http/fields.ts';
import { paginationQuery } from '../../platform/http/pagination.ts';

export { idParams };

/** An id in a body; clients send numbers, some send numeric strings. */
const bodyId = z.coerce.number().int().positive();

/** `{type: "User", id}` (personal), `{type: "Group", id | ids}`, or null (everyone). */
export const restrictionInput = z
  .object({
    type: z.enum(['User', 'Group']),
    id: bodyId.optional(),
    ids: z.array(bodyId).max(100).optional(),
  })
  .nullable();
export type RestrictionInput = z.infer<typeof restrictionInput>;

/** Conditions are checked by views.conditions.ts, which names the offending field or operator. */
const conditionList = z.array(z.unknown()).max(100);

const outputInput = z.object({
  columns: z.array(z.unknown()).max(50).optional(),
  group_by: z.string().max(100).nullable().optional(),
  group_order: z.string().max(10).nullable().optional(),
  sort_by: z.string().max(100).nullable().optional(),
  sort_order: z.string().max(10).nullable().optional(),
});
export type OutputInput = z.infer<typeof outputInput>;

/**
 * A view as clients write it. Zendesk takes conditions both as `conditions: {all, any}` and as top-level
 * `all`/`any`, and columns/sorting as `output` (or the `execution` it shows); every form is accepted.
 */
export const viewInput = z.object({
  title: shortText(255).min(1, 'cannot be blank').optional(),
  description: shortText(10_000).nullable().optional(),
  active: z.boolean().optional(),
  position: z.number().int().min(0).max(100_000).optional(),
  restriction: restrictionInput.optional(),
  all: conditionList.optional(),
  any: conditionList.optional(),
  conditions: z.object({ all: conditionList.optional(), any: conditionList.optional() }).optional(),
  output: outputInput.optional(),
  execution: outputInput.optional(),
});
export type ViewInput = z.infer<typeof viewInput>;

export const createViewBody = z.object({ view: viewInput });
export const updateViewBody = z.object({ view: viewInput });
export const previewBody = z.object({ view: viewInput });

const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

export const listViewsQuery = paginationQuery.extend({
  active: booleanQuery.optional(),
  access: z.enum(['personal', 'shared', 'account']).optional(),
  group_id: z.coerce.number().int().positive().optional(),
});

export const searchViewsQuery = listViewsQuery.extend({ query: z.string().trim().max(255).default('') });

export const idsQuery = z.object({ ids: z.string().max(2_000).default('') });

/** Execute and list tickets: the view's own sort unless the request names one. */
export const executeQuery = paginationQuery.extend({
  sort_by: z.string().max(100).optional(),
  sort_order: z.enum(['asc', 'desc']).optional(),
});
export type ExecuteQuery = z.infer<typeof executeQuery>;
