import {
  commandContext,
  created,
  defineRoute,
  type HandlerContext,
  listBody,
  respond,
} from '../../platform/http/define-route.ts';
import { listRules } from '../rules/rules.queries.ts';
import { ruleCollectionRoutes } from '../rules/rules.routes.ts';
import {
  createTrigger,
  deleteTriggers,
  reorderTriggers,
  updateManyTriggers,
  updateTrigger,
} from './triggers.commands.ts';
import { presentTrigger, type TriggerRow } from './triggers.presenter.ts';
import { findTrigger } from './triggers.queries.ts';
import { idParams, listTriggersQuery, reorderBody, triggerBody } from './triggers.schema.ts';

const tags = ['Triggers'];
type Ctx = HandlerContext<any, any, any>;
const presentAll = (ctx: Ctx) => (t: TriggerRow) => presentTrigger(t, ctx.url);

export const triggerRoutes = [
  ...ruleCollectionRoutes({
    kind: 'trigger',
    table: 'triggers',
    tag: 'Triggers',
    one: 'a trigger',
    listQuery: listTriggersQuery,
    maxBulk: 1000,
    present: presentTrigger,
    updateMany: updateManyTriggers,
    destroy: deleteTriggers,
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
      const page = await listRules(ctx.db, 'triggers', {}, { per_page: 100 });
      return respond(200, listBody(ctx, 'triggers', page, '/api/v2/triggers.json', presentAll(ctx)));
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
