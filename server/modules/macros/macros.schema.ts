import { z } from 'zod';
import { idParams, recordId, shortText } from '../../platform/http/fields.ts';
import { paginationQuery } from '../../platform/http/pagination.ts';
import { restrictionInput } from '../views/views.schema.ts';

export { idParams };

/** A macro as clients write it; actions are checked by macros.actions.ts, which names what is wrong. */
export const macroInput = z.object({
  title: shortText(255).min(1, 'cannot be blank').optional(),
  description: shortText(10_000).nullable().optional(),
  active: z.boolean().optional(),
  position: z.number().int().min(0).max(100_000).optional(),
  restriction: restrictionInput.optional(),
  actions: z.array(z.unknown()).max(100).optional(),
});
export type MacroInput = z.infer<typeof macroInput>;

export const createMacroBody = z.object({ macro: macroInput });
export const updateMacroBody = z.object({ macro: macroInput });

const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

export const listMacrosQuery = paginationQuery.extend({
  active: booleanQuery.optional(),
  access: z.enum(['personal', 'shared', 'account']).optional(),
  category: z.string().trim().max(255).optional(),
  group_id: z.coerce.number().int().positive().optional(),
});

export const searchMacrosQuery = listMacrosQuery.extend({ query: z.string().trim().min(1).max(255) });

export const ticketMacroParams = z.object({ ticket_id: recordId, id: recordId });
