import { z } from 'zod';
import { idParams, recordId, shortText } from '../../platform/http/fields.ts';
import { ruleListQuery, rulePosition } from '../rules/rules.schema.ts';

export { idParams };

/** A trigger as clients write it; conditions and actions are checked by triggers.conditions.ts and rules.actions.ts. */
export const triggerInput = z.object({
  title: shortText(255).min(1, 'cannot be blank').optional(),
  description: shortText(10_000).nullable().optional(),
  active: z.boolean().optional(),
  position: rulePosition.optional(),
  conditions: z.object({ all: z.unknown().optional(), any: z.unknown().optional() }).optional(),
  actions: z.array(z.unknown()).max(100).optional(),
  category_id: z.unknown().optional(),
});
export type TriggerInput = z.infer<typeof triggerInput>;

export const triggerBody = z.object({ trigger: triggerInput });

/** Zendesk clients send `sort_by`; it is accepted and lists stay in id order. */
export const listTriggersQuery = ruleListQuery.extend({ sort_by: z.string().max(40).optional() });

export const reorderBody = z.object({ trigger_ids: z.array(recordId).min(1).max(1000) });
