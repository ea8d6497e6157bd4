import { z } from 'zod';
import { recordId } from '../../platform/http/fields.ts';
import { paginationQuery } from '../../platform/http/pagination.ts';
import type { RuleTable } from './rules.queries.ts';

/** Request schemas triggers and automations share (rules.routes.ts serves the routes they belong to). */

export const rulePosition = z.number().int().min(0).max(100_000);

const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

/** `GET /<rules>` and `/<rules>/active`. */
export const ruleListQuery = paginationQuery.extend({ active: booleanQuery.optional() });

/** `GET /<rules>/search`: the list's parameters and the text the title must contain. */
export const ruleSearchQuery = (list: typeof ruleListQuery) =>
  list.extend({ query: z.string().trim().min(1).max(255) });

const positionChange = z.object({
  id: recordId,
  position: rulePosition.optional(),
  active: z.boolean().optional(),
});
export type RulePositionChange = z.infer<typeof positionChange>;

/** `PUT /<rules>/update_many`: `{"<rules>": [{id, position?, active?}, …]}`, at most `max` of them. */
export const ruleUpdateManyBody = (key: RuleTable, max: number) =>
  z.object({ [key]: z.array(positionChange).min(1).max(max) });

/** `DELETE /<rules>/destroy_many?ids=1,2,3`: up to `max` positive integer ids, each counted once. */
export const ruleIdsQuery = (max: number) =>
  z.object({
    ids: z
      .string()
      .max(max * 20)
      .transform((s) => [...new Set(s.split(',').map((x) => Number(x.trim())))])
      .refine(
        (ids) => ids.length > 0 && ids.length <= max && ids.every((n) => Number.isSafeInteger(n) && n > 0),
        `is a list of up to ${max} ids`,
      ),
  });
