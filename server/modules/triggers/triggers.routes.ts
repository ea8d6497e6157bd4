import {
  commandContext,
  created,
  defineRoute,
  type HandlerContext,
  listBody,
  respond,
} from '../../platform/http/define-route.ts';
import { ruleDefinitions } from '../rules/rules.definitions.ts';
import {
  createTrigger,
  deleteTriggers,
  reorderTriggers,
  updateManyTriggers,
  updateTrigger,
} from './triggers.commands.ts';
import { presentTrigger, type TriggerRow } from './triggers.presenter.ts';
import { findTrigger, listTriggers } from './triggers.queries.ts';
import {
  destroyManyQuery,
  idParams,
  listTriggersQuery,
  reorderBody,
  searchTriggersQuery,
  triggerBody,
  updateManyBody,
} from './triggers.schema.ts';

const tags = ['Triggers'];
type Ctx = HandlerContext<any, any, any>;
const presentAll = (ctx: Ctx) => (t: TriggerRow) => presentTrigger(t, ctx.url);

export const triggerRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v2/triggers',
    auth: 'admin',
    tags,
    summary: 'List triggers',
    query: listTriggersQuery,
    handler: async (ctx) => {
      const page = await listTriggers(ctx.db, { active: ctx.query.active }, ctx.query);
      return respond(200, listBody(ctx, 'triggers', page, '/api/v2/triggers.json', presentAll(ctx)));
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/triggers/active',
    auth: 'admin',
    tags,
    summary: 'List active triggers',
    query: listTriggersQuery,
    handler: async (ctx) => {
      const page = await listTriggers(ctx.db, { active: true }, ctx.query);
      return respond(200, listBody(ctx, 'triggers', page, '/api/v2/triggers/active.json', presentAll(ctx)));
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/triggers/search',
    auth: 'admin',
    tags,
    summary: 'Triggers whose title contains the query',
    query: searchTriggersQuery,
    handler: async (ctx) => {
      const filters = { active: ctx.query.active, titleContains: ctx.query.query };
      const page = await listTriggers(ctx.db, filters, ctx.query);
      return respond(200, listBody(ctx, 'triggers', page, '/api/v2/triggers/search.json', presentAll(ctx)));
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/triggers/definitions',
    auth: 'admin',
    tags,
    summary: 'The conditions and actions a trigger may use, with their operators and values',
    handler: async (ctx) => respond(200, await ruleDefinitions(ctx.db, 'trigger')),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/automations/definitions',
    auth: 'admin',
    tags: ['Automations'],
    summary: 'The conditions and actions an automation may use, with their operators and values',
    handler: async (ctx) => respond(200, await ruleDefinitions(ctx.db, 'automation')),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/triggers/:id',
    auth: 'admin',
    tags,
    summary: 'Show a trigger',
    params: idParams,
    handler: async (ctx) =>
      respond(200, { trigger: presentTrigger(await findTrigger(ctx.db, ctx.params.id), ctx.url) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/triggers',
    auth: 'admin',
    tags,
    summary: 'Create a trigger (added last unless a position is given)',
    body: triggerBody,
    handler: async (ctx) => {
      const trigger = await createTrigger(commandContext(ctx), ctx.body.trigger);
      return created('trigger', presentTrigger(trigger, ctx.url));
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/triggers/reorder',
    auth: 'admin',
    tags,
    summary: 'Set the order triggers run in',
    body: reorderBody,
    handler: async (ctx) => {
      await reorderTriggers(commandContext(ctx), ctx.body.trigger_ids);
      const page = await listTriggers(ctx.db, {}, { per_page: 100 });
      return respond(200, listBody(ctx, 'triggers', page, '/api/v2/triggers.json', presentAll(ctx)));
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/triggers/update_many',
    auth: 'admin',
    tags,
    summary: 'Update the position or active flag of several triggers',
    body: updateManyBody,
    handler: async (ctx) => {
      const rows = await updateManyTriggers(commandContext(ctx), ctx.body.triggers);
      return respond(200, { triggers: rows.map(presentAll(ctx)) });
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v2/triggers/destroy_many',
    auth: 'admin',
    tags,
    summary: 'Delete several triggers',
    query: destroyManyQuery,
    handler: async (ctx) => {
      await deleteTriggers(commandContext(ctx), ctx.query.ids);
      return respond(204);
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/triggers/:id',
    auth: 'admin',
    tags,
    summary: 'Update a trigger; `conditions` and `actions` replace the whole set',
    params: idParams,
    body: triggerBody,
    handler: async (ctx) => {
      const trigger = await updateTrigger(commandContext(ctx), ctx.params.id, ctx.body.trigger);
      return respond(200, { trigger: presentTrigger(trigger, ctx.url) });
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v2/triggers/:id',
    auth: 'admin',
    tags,
    summary: 'Delete a trigger',
    params: idParams,
    handler: async (ctx) => {
      await deleteTriggers(commandContext(ctx), [ctx.params.id]);
      return respond(204);
    },
  }),
];
