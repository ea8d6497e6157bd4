import { defineRoute, respond } from '../../platform/http/define-route.ts';
import { updateAccount } from './accounts.commands.ts';
import { presentAccount } from './accounts.presenter.ts';
import { updateAccountBody } from './accounts.schema.ts';

export const accountRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v2/account',
    auth: 'end_user',
    tags: ['Account'],
    summary: 'The account this request is for',
    handler: async (ctx) => respond(200, { account: presentAccount(ctx.account, ctx.url) }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/account',
    auth: 'admin',
    tags: ['Account'],
    summary: "Update the account's name, region, industry, time zone, locale or custom domain",
    body: updateAccountBody,
    handler: async (ctx) => {
      const account = await updateAccount(
        ctx.services.system('account settings'),
        ctx.account.id,
        ctx.body.account,
        {
          userId: ctx.actor.userId,
          ip: ctx.ip,
        },
      );
      ctx.services.accounts.invalidate();
      return respond(200, { account: presentAccount(account, ctx.url) });
    },
  }),
];
