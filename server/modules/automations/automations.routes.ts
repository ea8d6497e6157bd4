import { clock } from '../../platform/clock.ts';
import { commandContext, created, defineRoute, respond } from '../../platform/http/define-route.ts';
import { ruleCollectionRoutes } from '../rules/rules.routes.ts';
import { ruleListQuery } from '../rules/rules.schema.ts';
import {
  createAutomation,
  deleteAutomations,
  updateAutomation,
  updateManyAutomations,
} from './automations.commands.ts';
import { presentAutomation } from './automations.presenter.ts';
import { findAutomation } from './automations.queries.ts';
import { runAutomations } from './automations.run.ts';
import { automationBody, idParams } from './automations.schema.ts';

const tags = ['Automations'];

export const automationRoutes = [
  ...ruleCollectionRoutes({
    kind: 'automation',
    table: 'automations',
    tag: 'Automations',
    one: 'an automation',
    listQuery: ruleListQuery,
    maxBulk: 100,
    present: presentAutomation,
    updateMany: updateManyAutomations,
    destroy: deleteAutomations,
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
