import { z } from 'zod';
import { idParams, recordId, shortText } from '../../platform/http/fields.ts';
import { paginationQuery } from '../../platform/http/pagination.ts';

export { idParams };

/** A trigger as clients write it; conditions and actions are checked by triggers.conditions.ts and rules.actions.ts. */
export const triggerInput = z.object({
  title: shortText(255).min(1, 'cannot be blank').optional(),
  description: shortText(10_000).nullable().optional(),
  active: z.boolean().optional(),
  position: z.number().int().min(0).max(100_000).optional(),
  conditions: z.object({ all: z.unknown().optional(), any: z.unknown().optional() }).optional(),
  actions: z.array(z.unknown()).max(100).optional(),
  category_id: z.unknown().optional(),
});
export type TriggerInput = z.infer<typeof triggerInput>;

export const triggerBody = z.object({ trigger: triggerInput });

const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

export const listTriggersQuery = paginationQuery.extend({
  active: booleanQuery.optional(),
  sort_by: z.string().max(40).optional(),
});

export const searchTriggersQuery = listTriggersQuery.extend({ query: z.string().trim().min(1).max(255) });

export const reorderBody = z.object({ trigger_ids: z.array(recordId).min(1).max(1000) });

export const updateManyBody = z.object({
  triggers: z
    .array(
      z.object({
        id: recordId,
        position: z.number().int().min(0).max(100_000).optional(),
        active: z.boolean().optional(),
      }),
    )
    .min(1)
    .max(1000),
});

export const destroyManyQuery = z.object({
  ids: z
    .string()
    .max(10_000)
    .transform((s) => s.split(',').map((x) => Number(x.trim())))
    .refine(
      (ids) => ids.length > 0 && ids.every((n) => Number.isSafeInteger(n) && n > 0),
      'is not a list of ids',
    ),
});
