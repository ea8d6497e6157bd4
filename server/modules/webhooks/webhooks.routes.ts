import type { z } from 'zod';
import {
  commandContext,
  defineRoute,
  type HandlerContext,
  listBody,
  respond,
} from '../../platform/http/define-route.ts';
import { EgressError, egressRequest } from '../../platform/http/egress.ts';
import { HavenError, invalid } from '../../platform/http/errors.ts';
import {
  createWebhook,
  deleteWebhook,
  newUlid,
  resetSigningSecret,
  resolveWebhookFields,
  revealSigningSecret,
  updateWebhook,
} from './webhooks.commands.ts';
import { buildWebhookRequest, TEST_SIGNING_SECRET } from './webhooks.delivery.ts';
import { presentAttempt, presentInvocation, presentWebhook } from './webhooks.presenter.ts';
import {
  findInvocation,
  findWebhook,
  listAttempts,
  listInvocations,
  listWebhooks,
  type WebhookRow,
} from './webhooks.queries.ts';
import {
  invocationParams,
  listInvocationsQuery,
  listWebhooksQuery,
  testWebhookBody,
  testWebhookQuery,
  webhookBody,
  webhookParams,
} from './webhooks.schema.ts';

const tags = ['Webhooks'];

/** Zendesk's webhooks API has no `.json` suffix and string ids; Haven answers both ways. Admins only. */
export const webhookRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v2/webhooks',
    auth: 'admin',
    tags,
    summary: 'List webhooks (cursor pagination; filter[name_contains], filter[status])',
    query: listWebhooksQuery,
    handler: async (ctx) => {
      const filters = {
        nameContains: ctx.query['filter[name_contains]'],
        status: ctx.query['filter[status]'],
      };
      const page = await listWebhooks(ctx.db, filters, ctx.query);
      return respond(200, listBody(ctx, 'webhooks', page, '/api/v2/webhooks', presentWebhook));
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/webhooks',
    auth: 'admin',
    tags,
    summary: 'Create a webhook; its signing secret is generated unless given',
    body: webhookBody,
    handler: async (ctx) => {
      const row = await createWebhook(commandContext(ctx), ctx.body.webhook);
      return respond(
        201,
        { webhook: presentWebhook(row) },
        { Location: ctx.url(`/api/v2/webhooks/${row.id}`) },
      );
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/webhooks/test',
    auth: 'admin',
    tags,
    summary:
      'Send a test request now (to a stored webhook with ?webhook_id=, or as described) and show the answer',
    query: testWebhookQuery,
    body: testWebhookBody,
    handler: async (ctx) => sendTestRequest(ctx),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/webhooks/:id',
    auth: 'admin',
    tags,
    summary: 'Show a webhook (credentials and the signing secret are never shown)',
    params: webhookParams,
    handler: async (ctx) =>
      respond(200, { webhook: presentWebhook(await findWebhook(ctx.db, ctx.params.id)) }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/webhooks/:id',
    auth: 'admin',
    tags,
    summary: 'Update a webhook (name, endpoint and http_method required); 204 as Zendesk answers',
    params: webhookParams,
    body: webhookBody,
    handler: async (ctx) => {
      await updateWebhook(commandContext(ctx), ctx.params.id, ctx.body.webhook, 'put');
      return respond(204);
    },
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/v2/webhooks/:id',
    auth: 'admin',
    tags,
    summary: 'Change some fields of a webhook (status "active" reactivates it); 204 as Zendesk answers',
    params: webhookParams,
    body: webhookBody,
    handler: async (ctx) => {
      await updateWebhook(commandContext(ctx), ctx.params.id, ctx.body.webhook, 'patch');
      return respond(204);
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v2/webhooks/:id',
    auth: 'admin',
    tags,
    summary: 'Delete a webhook and its delivery log',
    params: webhookParams,
    handler: async (ctx) => {
      await deleteWebhook(commandContext(ctx), ctx.params.id);
      return respond(204);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/webhooks/:id/signing_secret',
    auth: 'admin',
    tags,
    summary: "Show a webhook's signing secret (HMAC-SHA256 key of the signature headers)",
    params: webhookParams,
    handler: async (ctx) => {
      const secret = await revealSigningSecret(commandContext(ctx), ctx.params.id);
      return respond(200, { signing_secret: { algorithm: 'SHA256', secret } });
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/webhooks/:id/signing_secret',
    auth: 'admin',
    tags,
    summary: "Replace a webhook's signing secret with a new one",
    params: webhookParams,
    handler: async (ctx) => {
      const secret = await resetSigningSecret(commandContext(ctx), ctx.params.id);
      return respond(201, { signing_secret: { algorithm: 'SHA256', secret } });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/webhooks/:id/invocations',
    auth: 'admin',
    tags,
    summary:
      "A webhook's invocations, newest first (the last 7 days), with their status and latest response code",
    params: webhookParams,
    query: listInvocationsQuery,
    handler: async (ctx) => {
      const webhook = await findWebhook(ctx.db, ctx.params.id);
      const page = await listInvocations(
        ctx.db,
        webhook.id,
        { status: ctx.query['filter[status]'] },
        ctx.query,
      );
      const path = `/api/v2/webhooks/${webhook.id}/invocations`;
      return respond(200, listBody(ctx, 'invocations', page, path, presentInvocation));
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/webhooks/:id/invocations/:invocation_id/attempts',
    auth: 'admin',
    tags,
    summary:
      'The delivery attempts of one invocation: status code, duration, error and the start of the answer',
    params: invocationParams,
    handler: async (ctx) => {
      const invocation = await findInvocation(ctx.db, ctx.params.id, ctx.params.invocation_id);
      const attempts = await listAttempts(ctx.db, invocation.id);
      return respond(200, { attempts: attempts.map(presentAttempt), count: attempts.length });
    },
  }),
];

type TestCtx = HandlerContext<unknown, z.infer<typeof testWebhookQuery>, z.infer<typeof testWebhookBody>>;

const DEFAULT_TEST_PAYLOAD = JSON.stringify({ message: 'This is a test request from Haven' });

/**
 * Sends one request through the same builder and egress rules as deliveries, and answers what came back in
 * Zendesk's shape: `{response: {status, headers: [{key, value}], body}}`. Nothing is recorded in the delivery
 * log. A refused endpoint is a 422 on `endpoint`; a receiver that cannot be reached answers with status null
 * and the reason.
 */
async function sendTestRequest(ctx: TestCtx) {
  const request = ctx.body.request ?? {};
  const stored: WebhookRow | null = ctx.query.webhook_id
    ? await findWebhook(ctx.db, ctx.query.webhook_id)
    : null;
  if (!stored && !request.endpoint) throw invalid('endpoint', 'endpoint: cannot be blank', 'BlankValue');
  const fields = resolveWebhookFields(
    {
      endpoint: request.endpoint,
      http_method: request.http_method,
      request_format: request.request_format,
      authentication: request.authentication,
      ...(request.headers
        ? { custom_headers: Object.fromEntries(request.headers.map((h) => [h.key, h.value])) }
        : {}),
      ...(stored ? {} : { name: 'test', http_method: request.http_method ?? 'POST' }),
    },
    stored,
    stored ? 'patch' : 'create',
  );
  const payload =
    typeof request.payload === 'string'
      ? request.payload
      : request.payload
        ? JSON.stringify(request.payload)
        : DEFAULT_TEST_PAYLOAD;
  const outgoing = buildWebhookRequest({
    accountId: ctx.account.id,
    webhookId: stored?.id ?? null,
    invocationId: newUlid(),
    attempt: 1,
    endpoint: fields.endpoint,
    httpMethod: fields.http_method,
    authType: fields.auth_type,
    authName: fields.auth_name,
    authSecret: fields.auth_secret,
    customHeaders: fields.custom_headers,
    signingSecret: stored?.signing_secret ?? TEST_SIGNING_SECRET,
    payload,
    now: new Date(),
  });
  try {
    const answer = await egressRequest({ ...outgoing, allowPrivate: ctx.services.config.allowPrivateEgress });
    return respond(200, {
      response: {
        status: answer.status,
        headers: Object.entries(answer.headers).map(([key, value]) => ({ key, value })),
        body: answer.body,
      },
    });
  } catch (err) {
    if (!(err instanceof EgressError)) throw err;
    if (err.code === 'blocked_address' || err.code === 'invalid_url') {
      throw new HavenError('CS_INVALID', {
        details: { endpoint: [{ description: `endpoint: ${err.message}`, error: 'BlockedAddress' }] },
      });
    }
    return respond(200, {
      response: { status: null, headers: [], body: null, error: `${err.code}: ${err.message}` },
    });
  }
}
