import { clock } from '../../platform/clock.ts';
import {
  commandContext,
  created,
  defineRoute,
  type HandlerContext,
  listBody,
  respond,
} from '../../platform/http/define-route.ts';
import {
  createAutomation,
  deleteAutomations,
  updateAutomation,
  updateManyAutomations,
} from './automations.commands.ts';
import { type AutomationRow, presentAutomation } from './automations.presenter.ts';
import { findAutomation, listAutomations } from './automations.queries.ts';
import { runAutomations } from './automations.run.ts';
import {
  automationBody,
  destroyManyQuery,
  idParams,
  listAutomationsQuery,
  searchAutomationsQuery,
  updateManyBody,
} from './automations.schema.ts';

// `GET /api/v2/automations/definitions` is served with the triggers' (rules.definitions.ts).
const tags = ['Automations'];
type Ctx = HandlerContext<any, any, any>;
const presentAll = (ctx: Ctx) => (a: AutomationRow) => presentAutomation(a, ctx.url);

export const automationRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v2/automations',
    auth: 'admin',
    tags,
    summary: 'List automations',
    query: listAutomationsQuery,
    handler: async (ctx) => {
      const page = await listAutomations(ctx.db, { active: ctx.query.active }, ctx.query);
      return respond(200, listBody(ctx, 'automations', page, '/api/v2/automations.json', presentAll(ctx)));
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/automations/active',
    auth: 'admin',
    tags,
    summary: 'List active automations',
    query: listAutomationsQuery,
    handler: async (ctx) => {
      const page = await listAutomations(ctx.db, { active: true }, ctx.query);
      const path = '/api/v2/automations/active.json';
      return respond(200, listBody(ctx, 'automations', page, path, presentAll(ctx)));
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/automations/search',
    auth: 'admin',
    tags,
    summary: 'Automations whose title contains the query',
    query: searchAutomationsQuery,
    handler: async (ctx) => {
      const filters = { active: ctx.query.active, titleContains: ctx.query.query };
      const page = await listAutomations(ctx.db, filters, ctx.query);
      const path = '/api/v2/automations/search.json';
      return respond(200, listBody(ctx, 'automations', page, path, presentAll(ctx)));
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/automations/:id',
    auth: 'admin',
    tags,
    summary: 'Show an automation',
    params: idParams,
    handler: async (ctx) =>
      respond(200, { automation: presentAutomation(await findAutomation(ctx.db, ctx.params.id), ctx.url) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/automations',
    auth: 'admin',
    tags,
    summary: 'Create an automation (it needs a time condition and must nullify itself)',
    body: automationBody,
    handler: async (ctx) => {
      const automation = await createAutomation(commandContext(ctx), ctx.body.automation);
      return created('automation', presentAutomation(automation, ctx.url));
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/automations/run',
    auth: 'admin',
    tags,
    summary:
      "Run the account's automations now (Haven's; the scheduler runs them hourly) and say what they did",
    handler: async (ctx) => {
      const stats = await runAutomations(ctx.services.system('automations run on demand'), {
        now: clock.now(),
        accountId: ctx.account.id,
        logger: ctx.services.logger,
      });
      return respond(200, { stats });
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/automations/update_many',
    auth: 'admin',
    tags,
    summary: 'Update the position or active flag of several automations',
    body: updateManyBody,
    handler: async (ctx) => {
      const rows = await updateManyAutomations(commandContext(ctx), ctx.body.automations);
      return respond(200, { automations: rows.map(presentAll(ctx)) });
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v2/automations/destroy_many',
    auth: 'admin',
    tags,
    summary: 'Delete several automations (all or none)',
    query: destroyManyQuery,
    handler: async (ctx) => {
      await deleteAutomations(commandContext(ctx), ctx.query.ids);
      return respond(204);
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/automations/:id',
    auth: 'admin',
    tags,
    summary: 'Update an automation; `conditions` replaces both lists, `actions` the whole list',
    params: idParams,
    body: automationBody,
    handler: async (ctx) => {
      const automation = await updateAutomation(commandContext(ctx), ctx.params.id, ctx.body.automation);
      return respond(200, { automation: presentAutomation(automation, ctx.url) });
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v2/automations/:id',
    auth: 'admin',
    tags,
    summary: 'Delete an automation',
    params: idParams,
    handler: async (ctx) => {
      await deleteAutomations(commandContext(ctx), [ctx.params.id]);
      return respond(204);
    },
  }),
];
