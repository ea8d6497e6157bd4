import { z } from 'zod';
import { defineRoute, listBody, respond } from '../../platform/http/define-route.ts';
import { HavenError, notFound } from '../../platform/http/errors.ts';
import { cursorPage } from '../../platform/http/pagination.ts';
import { presentDelivery } from './deliveries.presenter.ts';
import { retryOutbound } from './email.outbound.ts';

const tags = ['Email'];

const listQuery = z.object({
  'page[size]': z.coerce.number().int().min(1).max(100).optional(),
  'page[after]': z.string().optional(),
  'page[before]': z.string().optional(),
  status: z.enum(['queued', 'waiting', 'sent', 'failed', 'suppressed', 'bounced']).optional(),
  ticket_id: z.coerce.number().int().positive().optional(),
});
const params = z.object({ id: z.coerce.number().int().positive() });

async function findDelivery(db: Parameters<typeof retryOutbound>[0], id: number) {
  const row = await db.selectFrom('outbound_emails').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

/** The delivery log: every message Haven handed (or will hand) to the SMTP relay, newest first. Admins only. */
export const deliveryRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v2/email/deliveries',
    auth: 'admin',
    tags,
    summary: 'List outgoing mail, newest first (cursor pagination; filter by status, ticket_id)',
    query: listQuery,
    handler: async (ctx) => {
      let q = ctx.db.selectFrom('outbound_emails').selectAll();
      if (ctx.query.status) q = q.where('status', '=', ctx.query.status);
      if (ctx.query.ticket_id) q = q.where('ticket_id', '=', ctx.query.ticket_id);
      const page = await cursorPage(q, 'outbound_emails.id', ctx.query, { desc: true, idType: 'integer' });
      return respond(200, listBody(ctx, 'deliveries', page, '/api/v2/email/deliveries', presentDelivery));
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/email/deliveries/:id',
    auth: 'admin',
    tags,
    summary: 'Show one outgoing message and where its delivery stands',
    params,
    handler: async (ctx) =>
      respond(200, { delivery: presentDelivery(await findDelivery(ctx.db, ctx.params.id)) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/email/deliveries/:id/retry',
    auth: 'admin',
    tags,
    summary: 'Queue a failed or waiting message again',
    params,
    handler: async (ctx) => {
      await findDelivery(ctx.db, ctx.params.id);
      const retried = await retryOutbound(ctx.db, ctx.services, ctx.params.id);
      if (!retried) {
        throw new HavenError('CS_INVALID', {
          details: {
            status: [
              { description: 'only failed or waiting messages can be retried', error: 'InvalidValue' },
            ],
          },
        });
      }
      return respond(200, { delivery: presentDelivery(await findDelivery(ctx.db, ctx.params.id)) });
    },
  }),
];
