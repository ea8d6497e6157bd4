import { z } from 'zod';
import { idParams, shortText } from '../../platform/http/fields.ts';
import { rulePosition } from '../rules/rules.schema.ts';

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
  position: rulePosition.optional(),
  conditions: z.object({ all: conditionList.optional(), any: conditionList.optional() }).optional(),
  all: conditionList.optional(),
  any: conditionList.optional(),
  actions: z.array(z.unknown()).max(100).optional(),
});
export type AutomationInput = z.infer<typeof automationInput>;

export const automationBody = z.object({ automation: automationInput });
