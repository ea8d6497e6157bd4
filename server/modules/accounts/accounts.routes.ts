import { defineRoute, respond } from '../../platform/http/define-route.ts';
import { accountBaseUrl } from '../../platform/tenancy/account-urls.ts';
import { updateAccount } from './accounts.commands.ts';
import { presentAccount } from './accounts.presenter.ts';
import { accountsWhereStaff, primaryEmail, type StaffAccountRow } from './accounts.queries.ts';
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
    method: 'GET',
    url: '/api/v2/users/me/accounts',
    auth: 'agent',
    tags: ['Account'],
    summary: 'The accounts on this install where the signed-in person works, for switching between them',
    handler: async (ctx) => {
      const current: StaffAccountRow = ctx.account;
      // The same person elsewhere is the same verified primary email: an unverified one proves nothing.
      const email = await primaryEmail(ctx.db, ctx.actor.userId);
      const found = email?.verified
        ? await accountsWhereStaff(
            ctx.services.system('account switcher: accounts of one person'),
            email.value,
          )
        : [];
      const accounts = found.some((a) => a.id === current.id) ? found : [current, ...found];
      const { accounts: directory, config } = ctx.services;
      return respond(200, {
        accounts: await Promise.all(
          accounts.map(async (a) => ({
            id: a.id,
            name: a.name,
            subdomain: a.subdomain,
            url: `${await accountBaseUrl(directory, config, a)}/agent`,
            current: a.id === current.id,
          })),
        ),
      });
    },
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
