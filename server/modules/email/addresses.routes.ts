import type { HavenConfig } from '../../config.ts';
import { defineRoute, respond } from '../../platform/http/define-route.ts';
import { idParams } from '../../platform/http/fields.ts';
import { escapeHtml, renderPage } from '../../platform/http/pages.ts';
import { accountBaseUrl } from '../../platform/tenancy/account-urls.ts';
import { page } from '../access/access.forms.ts';
import {
  createAddress,
  deleteAddress,
  findAddress,
  listAddresses,
  sendVerification,
  updateAddress,
  verifyByToken,
} from './addresses.commands.ts';
import { presentAddress } from './addresses.presenter.ts';
import { addressBody, verifyPageParams } from './addresses.schema.ts';
import { systemAddress } from './email.inbound.ts';

const tags = ['Support addresses'];

const builtIn = (ctx: { services: { config: HavenConfig }; account: { subdomain: string } }) =>
  systemAddress(ctx.services.config, ctx.account.subdomain);

/** Zendesk's recipient_addresses API (`.json` optional). Admins manage them; agents may read them. */
export const addressRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v2/recipient_addresses',
    auth: 'agent',
    tags,
    summary: 'List support addresses (the built-in address is always among them)',
    handler: async (ctx) => {
      const rows = await listAddresses(ctx.db, ctx.services.config, ctx.account);
      return respond(200, {
        recipient_addresses: rows.map((r) => presentAddress(r, ctx.url, builtIn(ctx))),
        next_page: null,
        previous_page: null,
        count: rows.length,
      });
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/recipient_addresses',
    auth: 'admin',
    tags,
    summary: 'Add a support address (verify it before it is used as a sender)',
    body: addressBody,
    handler: async (ctx) => {
      const row = await createAddress(
        ctx.db,
        ctx.services.system('support address uniqueness'),
        ctx.services.config,
        ctx.account,
        ctx.body.recipient_address,
      );
      const shown = presentAddress(row, ctx.url, builtIn(ctx));
      return respond(201, { recipient_address: shown }, { Location: shown.url });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/recipient_addresses/:id',
    auth: 'agent',
    tags,
    summary: 'Show a support address',
    params: idParams,
    handler: async (ctx) =>
      respond(200, {
        recipient_address: presentAddress(await findAddress(ctx.db, ctx.params.id), ctx.url, builtIn(ctx)),
      }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/recipient_addresses/:id',
    auth: 'admin',
    tags,
    summary: 'Rename a support address or make it the default',
    params: idParams,
    body: addressBody,
    handler: async (ctx) => {
      const row = await updateAddress(ctx.db, ctx.params.id, ctx.body.recipient_address);
      return respond(200, { recipient_address: presentAddress(row, ctx.url, builtIn(ctx)) });
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v2/recipient_addresses/:id',
    auth: 'admin',
    tags,
    summary: 'Delete a support address (not the built-in one)',
    params: idParams,
    handler: async (ctx) => {
      await deleteAddress(ctx.db, ctx.services.config, ctx.account, ctx.params.id);
      return respond(204);
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/recipient_addresses/:id/verify',
    auth: 'admin',
    tags,
    summary: 'Send a confirmation mail with a verification link to the address',
    params: idParams,
    handler: async (ctx) => {
      const baseUrl = await accountBaseUrl(ctx.services.accounts, ctx.services.config, ctx.account);
      const row = await sendVerification(
        ctx.db,
        ctx.services,
        ctx.services.config,
        ctx.account,
        baseUrl,
        ctx.params.id,
      );
      return respond(200, { recipient_address: presentAddress(row, ctx.url, builtIn(ctx)) });
    },
  }),
];

/** The page the confirmation mail links to. */
export const addressPages = [
  defineRoute({
    method: 'GET',
    url: '/email/verify/:token',
    auth: 'public',
    page: true,
    summary: 'Confirm a support address',
    params: verifyPageParams,
    handler: async (ctx) => {
      const account = ctx.maybeAccount;
      const found = account
        ? await verifyByToken(
            ctx.services.system('support address verification'),
            account.id,
            ctx.params.token,
          )
        : null;
      if (!found) {
        return page(
          404,
          renderPage(
            'Link not valid',
            '<h1>This confirmation link is not valid</h1><p class="lead">It may have been used already. An admin can send a new one from the support addresses settings.</p>',
          ),
        );
      }
      return page(
        200,
        renderPage(
          'Address confirmed',
          `<h1>Address confirmed</h1><p class="lead">${escapeHtml(found.email)} is now a verified support address.</p>`,
        ),
      );
    },
  }),
];
