import type { Actor } from '../../platform/auth/authenticate.ts';
import type { CommandContext } from '../../platform/commands.ts';
import {
  commandContext,
  defineRoute,
  type HandlerContext,
  listBody,
  respond,
} from '../../platform/http/define-route.ts';
import type { PaginationQuery } from '../../platform/http/pagination.ts';
import type { RuleKind } from './rules.actions.ts';
import { ruleDefinitions } from './rules.definitions.ts';
import { listRules, type RuleFilters, type RuleRow, type RuleTable } from './rules.queries.ts';
import {
  type RulePositionChange,
  ruleIdsQuery,
  type ruleListQuery,
  ruleSearchQuery,
  ruleUpdateManyBody,
} from './rules.schema.ts';

/** What differs between the two rule kinds in the routes they share. */
export interface RuleKindRoutes<T extends RuleTable> {
  kind: RuleKind;
  /** The table, also the URL segment and the key of lists and update_many bodies. */
  table: T;
  tag: string;
  /** The kind with its article, for summaries: "a trigger". */
  one: string;
  listQuery: typeof ruleListQuery;
  /** The most rules one update_many or destroy_many takes. */
  maxBulk: number;
  present(row: RuleRow<T>, url: (path: string) => string): unknown;
  updateMany(ctx: CommandContext & { actor: Actor }, items: RulePositionChange[]): Promise<RuleRow<T>[]>;
  destroy(ctx: CommandContext & { actor: Actor }, ids: number[]): Promise<void>;
}

/**
 * The collection routes Zendesk gives triggers and automations alike: list, active, search, definitions,
 * update_many and destroy_many. Each module adds the routes of one rule (and triggers their reorder).
 */
export function ruleCollectionRoutes<T extends RuleTable>(k: RuleKindRoutes<T>) {
  const base = `/api/v2/${k.table}`;
  const tags = [k.tag];
  const presentAll = (ctx: HandlerContext<any, any, any>) => (row: RuleRow<T>) => k.present(row, ctx.url);
  const listed = async (
    ctx: HandlerContext<any, PaginationQuery, any>,
    filters: RuleFilters,
    path: string,
  ) => {
    const page = await listRules(ctx.db, k.table, filters, ctx.query);
    return respond(200, listBody(ctx, k.table, page, `${path}.json`, presentAll(ctx)));
  };
  return [
    defineRoute({
      method: 'GET',
      url: base,
      auth: 'admin',
      tags,
      summary: `List ${k.table}`,
      query: k.listQuery,
      handler: (ctx) => listed(ctx, { active: ctx.query.active }, base),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/active`,
      auth: 'admin',
      tags,
      summary: `List active ${k.table}`,
      query: k.listQuery,
      handler: (ctx) => listed(ctx, { active: true }, `${base}/active`),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/search`,
      auth: 'admin',
      tags,
      summary: `${k.tag} whose title contains the query`,
      query: ruleSearchQuery(k.listQuery),
      handler: (ctx) =>
        listed(ctx, { active: ctx.query.active, titleContains: ctx.query.query }, `${base}/search`),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/definitions`,
      auth: 'admin',
      tags,
      summary: `The conditions and actions ${k.one} may use, with their operators and values`,
      handler: async (ctx) => respond(200, await ruleDefinitions(ctx.db, k.kind)),
    }),
    defineRoute({
      method: 'PUT',
      url: `${base}/update_many`,
      auth: 'admin',
      tags,
      summary: `Update the position or active flag of several ${k.table}`,
      body: ruleUpdateManyBody(k.table, k.maxBulk),
      handler: async (ctx) => {
        const rows = await k.updateMany(commandContext(ctx), ctx.body[k.table]);
        return respond(200, { [k.table]: rows.map(presentAll(ctx)) });
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: `${base}/destroy_many`,
      auth: 'admin',
      tags,
      summary: `Delete several ${k.table} (all or none)`,
      query: ruleIdsQuery(k.maxBulk),
      handler: async (ctx) => {
        await k.destroy(commandContext(ctx), ctx.query.ids);
        return respond(204);
      },
    }),
  ];
}
