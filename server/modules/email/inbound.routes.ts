import type { FastifyRequest } from 'fastify';
import { defineRoute, listBody, respond } from '../../platform/http/define-route.ts';
import { HavenError, invalid, notFound } from '../../platform/http/errors.ts';
import { isoTime } from '../../platform/http/format.ts';
import { cursorPage } from '../../platform/http/pagination.ts';
import type { Services } from '../../platform/services.ts';
import type { Account } from '../../platform/tenancy/accounts-directory.ts';
import { visibleTicket } from '../tickets/tickets.queries.ts';
import { acceptInbound, resolveRecipient, systemAddress } from './email.inbound.ts';
import {
  inboundListQuery,
  inboundParams,
  originalEmailParams,
  postInboundQuery,
  RAW_MESSAGE_TYPES,
} from './inbound.schema.ts';
import { inboundSecretMatches, resetInboundSecret, retryInbound } from './suspended.commands.ts';
import { type InboundListRow, presentInboundEmail } from './suspended.presenter.ts';

const tags = ['Email'];

/** Every column of the inbound log but the message itself. */
const LIST_COLUMNS = [
  'account_id',
  'id',
  'source',
  'imap_connection_id',
  'imap_uid',
  'envelope_from',
  'envelope_to',
  'recipient',
  'message_id',
  'from_address',
  'from_name',
  'subject',
  'size',
  'status',
  'cause',
  'attempts',
  'last_error',
  'author_id',
  'ticket_id',
  'comment_id',
  'received_at',
  'processed_at',
] as const;

const refused = () =>
  new HavenError('CS_AUTH_REQUIRED', {
    description: "Present the account's inbound secret (Bearer, or as the Basic password)",
    headers: { 'WWW-Authenticate': 'Basic realm="Haven inbound mail"' },
  });

/** The secret a provider presents: `Bearer <secret>`, or Basic with the secret as the password. */
function presentedSecret(authorization: string | undefined): string | null {
  const [scheme, ...rest] = (authorization ?? '').trim().split(/\s+/);
  const value = rest.join(' ');
  if (!value) return null;
  if (/^bearer$/i.test(scheme ?? '')) return value;
  if (/^basic$/i.test(scheme ?? '')) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) || null : null;
  }
  return null;
}

async function checkInboundSecret(req: FastifyRequest, services: Services, account: Account) {
  const ok = await inboundSecretMatches(
    services.tenantDb(account.id),
    presentedSecret(req.headers.authorization),
  );
  if (!ok) throw refused();
}

/** Addresses in the message's delivery headers, most specific first. */
function deliveryAddresses(raw: Buffer): string[] {
  const head = raw.subarray(0, 64 * 1024).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const unfolded = (end >= 0 ? head.slice(0, end) : head).replace(/\r?\n[ \t]+/g, ' ');
  const found: string[] = [];
  for (const name of ['Delivered-To', 'X-Original-To', 'To', 'Cc']) {
    for (const line of unfolded.split(/\r?\n/)) {
      if (line.slice(0, name.length + 1).toLowerCase() !== `${name.toLowerCase()}:`) continue;
      for (const m of line.slice(name.length + 1).matchAll(/[^\s<>,;:"()]+@[^\s<>,;:"()]+/g))
        found.push(m[0]);
    }
  }
  return found.slice(0, 50);
}

export const inboundRoutes = [
  defineRoute({
    method: 'POST',
    url: '/email/inbound',
    auth: 'public',
    tags,
    summary:
      "Deliver one raw message (message/rfc822) authenticated by the account's inbound secret; 202 once stored",
    query: postInboundQuery,
    rawBody: true,
    rawBodyLimit: (config) => config.smtpMaxBytes,
    ownCredentials: checkInboundSecret,
    handler: async (ctx) => {
      const type = (ctx.req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (!RAW_MESSAGE_TYPES.has(type)) {
        throw new HavenError('CS_UNSUPPORTED_MEDIA_TYPE', {
          description: 'Send the raw message as message/rfc822, application/octet-stream or text/plain',
        });
      }
      const raw = ctx.body as Buffer;
      if (raw.length === 0) throw invalid('message', 'Message: cannot be empty', 'BlankValue');
      const system = ctx.services.system('inbound mail over HTTP');
      const { config } = ctx.services;
      let recipient: string | null = null;
      if (ctx.query.recipient) {
        const resolved = await resolveRecipient(system, config, ctx.query.recipient);
        if (resolved?.accountId !== ctx.account.id) {
          throw invalid('recipient', 'Recipient: is not a support address of this account');
        }
        recipient = ctx.query.recipient.toLowerCase();
      } else {
        for (const address of deliveryAddresses(raw)) {
          const resolved = await resolveRecipient(system, config, address);
          if (resolved?.accountId === ctx.account.id) {
            recipient = address.toLowerCase();
            break;
          }
        }
      }
      recipient ??= systemAddress(config, ctx.account.subdomain);
      const id = await acceptInbound(system, ctx.services.jobs, {
        accountId: ctx.account.id,
        source: 'http',
        raw,
        recipient,
        envelopeTo: [recipient],
      });
      return respond(202, { inbound_email: { id, status: 'received' } });
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/email/inbound_secret',
    auth: 'admin',
    tags,
    summary: 'Make a new inbound secret for mail providers (shown once; the old one stops working)',
    handler: async (ctx) => {
      const made = await resetInboundSecret(ctx.db);
      return respond(201, { inbound_secret: { secret: made.secret, created_at: isoTime(made.createdAt) } });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/email/inbound_secret',
    auth: 'admin',
    tags,
    summary: 'Whether an inbound secret is set, and since when',
    handler: async (ctx) => {
      const row = await ctx.db
        .selectFrom('email_settings')
        .select(['inbound_secret_digest', 'inbound_secret_created_at'])
        .executeTakeFirst();
      return respond(200, {
        inbound_secret: {
          configured: !!row?.inbound_secret_digest,
          created_at: row?.inbound_secret_digest ? isoTime(row.inbound_secret_created_at) : null,
        },
      });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/email/inbound',
    auth: 'admin',
    tags,
    summary: 'The inbound log: every message received, newest first (cursor pagination; ?status=)',
    query: inboundListQuery,
    handler: async (ctx) => {
      let q = ctx.db.selectFrom('inbound_emails').select(LIST_COLUMNS);
      if (ctx.query.status) q = q.where('status', '=', ctx.query.status);
      const page = await cursorPage(q, 'inbound_emails.id', ctx.query, { desc: true, idType: 'integer' });
      return respond(
        200,
        listBody(ctx, 'inbound_emails', page, '/api/v2/email/inbound', (r: InboundListRow) =>
          presentInboundEmail(r, ctx.url),
        ),
      );
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/email/inbound/:id',
    auth: 'admin',
    tags,
    summary: 'One message of the inbound log',
    params: inboundParams,
    handler: async (ctx) => {
      const row = await ctx.db
        .selectFrom('inbound_emails')
        .select(LIST_COLUMNS)
        .where('id', '=', ctx.params.id)
        .executeTakeFirst();
      if (!row) throw notFound();
      return respond(200, { inbound_email: presentInboundEmail(row, ctx.url) });
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/email/inbound/:id/retry',
    auth: 'admin',
    tags,
    summary: 'Process a failed message again',
    params: inboundParams,
    handler: async (ctx) => {
      await retryInbound(ctx.db, ctx.services.jobs, ctx.params.id);
      const row = await ctx.db
        .selectFrom('inbound_emails')
        .select(LIST_COLUMNS)
        .where('id', '=', ctx.params.id)
        .executeTakeFirstOrThrow();
      return respond(200, { inbound_email: presentInboundEmail(row, ctx.url) });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/tickets/:id/comments/:comment_id/original_email',
    auth: 'agent',
    tags,
    summary: 'The email a comment came from, exactly as received (message/rfc822)',
    params: originalEmailParams,
    handler: async (ctx) => {
      await visibleTicket(ctx.db, ctx.actor, ctx.params.id);
      const row = await ctx.db
        .selectFrom('inbound_emails')
        .select(['raw'])
        .where('ticket_id', '=', ctx.params.id)
        .where('comment_id', '=', ctx.params.comment_id)
        .where('status', '=', 'processed')
        .executeTakeFirst();
      if (!row) throw notFound();
      return respond(200, row.raw, {
        'Content-Type': 'message/rfc822',
        'Content-Disposition': `attachment; filename="comment-${ctx.params.comment_id}.eml"`,
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'; sandbox",
        'Cache-Control': 'private, no-store',
      });
    },
  }),
];
