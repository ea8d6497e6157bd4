import { z } from 'zod';
import { idParams, recordId, shortText } from '../../platform/http/fields.ts';
import { paginationQuery } from '../../platform/http/pagination.ts';

export { idParams };

/** Conditions are checked by views.conditions.ts and automations.rules.ts, which name what is wrong. */
const conditionList = z.array(z.unknown()).max(100);

/**
 * An automation as clients write it. Conditions come as `conditions: {all, any}` (Zendesk's form) or as
 * top-level `all`/`any`; actions are checked by rules.actions.ts.
 */
export const automationInput = z.object({
  title: shortText(255).min(1, 'cannot be blank').optional(),
  active: z.boolean().optional(),
  position: z.number().int().min(0).max(100_000).optional(),
  conditions: z.object({ all: conditionList.optional(), any: conditionList.optional() }).optional(),
  all: conditionList.optional(),
  any: conditionList.optional(),
  actions: z.array(z.unknown()).max(100).optional(),
});
export type AutomationInput = z.infer<typeof automationInput>;

export const automationBody = z.object({ automation: automationInput });

const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

export const listAutomationsQuery = paginationQuery.extend({ active: booleanQuery.optional() });

export const searchAutomationsQuery = listAutomationsQuery.extend({
  query: z.string().trim().min(1).max(255),
});

export const updateManyBody = z.object({
  automations: z
    .array(
      z.object({
        id: recordId,
        position: z.number().int().min(0).max(100_000).optional(),
        active: z.boolean().optional(),
      }),
    )
    .min(1)
    .max(100),
});

export const destroyManyQuery = z.object({
  ids: z
    .string()
    .max(2_000)
    .transform((s) => [...new Set(s.split(',').map((x) => Number(x.trim())))])
    .refine(
      (ids) => ids.length > 0 && ids.length <= 100 && ids.every((n) => Number.isSafeInteger(n) && n > 0),
      'is a list of up to 100 ids',
    ),
});
