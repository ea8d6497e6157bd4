import { SESSION_COOKIE } from '../../platform/auth/credentials.ts';
import { defineRoute, respond } from '../../platform/http/define-route.ts';
import { listEnvelope, paginate, paginationQuery } from '../../platform/http/pagination.ts';
import {
  createApiToken,
  createOauthToken,
  destroySession,
  revokeApiToken,
  revokeOauthToken,
} from './access.commands.ts';
import { presentApiToken, presentOauthToken } from './access.presenter.ts';
import { createApiTokenBody, createOauthTokenBody, idParams } from './access.schema.ts';
import { invitationRoutes } from './invitations.routes.ts';

const tags = ['Access'];

export const accessRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v2/api_tokens',
    auth: 'admin',
    tags,
    summary: "List the account's API tokens (never the tokens themselves)",
    query: paginationQuery,
    handler: async (ctx) => {
      const page = await paginate(ctx.db.selectFrom('api_tokens').selectAll(), 'api_tokens.id', ctx.query);
      return respond(
        200,
        listEnvelope(
          'api_tokens',
          page,
          (t) => presentApiToken(t, ctx.url),
          (p) => ctx.url(`/api/v2/api_tokens.json?${new URLSearchParams(p)}`),
        ),
      );
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/api_tokens',
    auth: 'admin',
    tags,
    summary: 'Create an API token; the token is shown in this response only',
    body: createApiTokenBody,
    handler: async (ctx) => {
      const { row, token } = await createApiToken(
        { db: ctx.db, actor: ctx.actor, ip: ctx.ip },
        ctx.body.api_token.description,
      );
      return respond(201, { api_token: presentApiToken(row, ctx.url, token) });
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v2/api_tokens/:id',
    auth: 'admin',
    tags,
    summary: 'Revoke an API token',
    params: idParams,
    handler: async (ctx) => {
      await revokeApiToken({ db: ctx.db, actor: ctx.actor, ip: ctx.ip }, ctx.params.id);
      return respond(204);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/oauth/tokens',
    auth: 'admin',
    tags,
    summary: 'List Bearer tokens',
    query: paginationQuery,
    handler: async (ctx) => {
      const page = await paginate(
        ctx.db.selectFrom('oauth_tokens').selectAll(),
        'oauth_tokens.id',
        ctx.query,
      );
      return respond(
        200,
        listEnvelope(
          'tokens',
          page,
          (t) => presentOauthToken(t, ctx.url),
          (p) => ctx.url(`/api/v2/oauth/tokens.json?${new URLSearchParams(p)}`),
        ),
      );
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/oauth/tokens',
    auth: 'admin',
    tags,
    summary: 'Create a Bearer token for a user (scopes read, write); full_token is shown once',
    body: createOauthTokenBody,
    handler: async (ctx) => {
      const { row, token } = await createOauthToken(
        { db: ctx.db, actor: ctx.actor, ip: ctx.ip },
        {
          userId: ctx.body.token.user_id ?? ctx.actor.userId,
          scopes: ctx.body.token.scopes,
          expiresAt: ctx.body.token.expires_at ? new Date(ctx.body.token.expires_at) : null,
        },
      );
      return respond(201, { token: presentOauthToken(row, ctx.url, token) });
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v2/oauth/tokens/:id',
    auth: 'admin',
    tags,
    summary: 'Revoke a Bearer token',
    params: idParams,
    handler: async (ctx) => {
      await revokeOauthToken({ db: ctx.db, actor: ctx.actor, ip: ctx.ip }, ctx.params.id);
      return respond(204);
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v2/users/me/logout',
    auth: 'end_user',
    tags,
    summary: 'Sign out the current session',
    handler: async (ctx) => {
      if (ctx.actor.sessionId) await destroySession(ctx.db, ctx.actor.sessionId, ctx.actor.userId, ctx.ip);
      ctx.reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return respond(204);
    },
  }),
  ...invitationRoutes,
];
