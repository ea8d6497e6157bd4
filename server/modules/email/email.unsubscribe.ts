import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { safeEqual } from '../../platform/auth/secrets.ts';
import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { defineRoute, type HandlerContext, type Responded } from '../../platform/http/define-route.ts';
import { escapeHtml, renderPage } from '../../platform/http/pages.ts';
import { page } from '../access/access.forms.ts';
import { installationSecret } from './email.inbound.ts';

/**
 * List-Unsubscribe (RFC 2369) with one-click (RFC 8058). Mail that is not a direct reply to the recipient's own
 * ticket names a list (`ticket_notifications`, `satisfaction`, `automation`); its link carries a token signed
 * with the installation's secret that names the account, the address and the list, so nobody can unsubscribe
 * anyone else. A mail provider's one-click POST (`List-Unsubscribe=One-Click`) records the suppression; a
 * plain GET only shows a page with a button, because mail scanners open links.
 */
export const MAIL_LISTS = ['ticket_notifications', 'satisfaction', 'automation'] as const;
export type MailList = (typeof MAIL_LISTS)[number];

export interface UnsubscribeTarget {
  accountId: number;
  email: string;
  list: MailList;
}

const LIST_LABELS: Record<MailList, string> = {
  ticket_notifications: 'ticket notifications',
  satisfaction: 'satisfaction surveys',
  automation: 'automated reminders',
};

function signature(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(`unsubscribe:${payload}`).digest('base64url').slice(0, 32);
}

export function unsubscribeToken(secret: string, target: UnsubscribeTarget): string {
  const payload = `${target.accountId}:${target.list}:${target.email.toLowerCase()}`;
  return `${Buffer.from(payload).toString('base64url')}.${signature(secret, payload)}`;
}

/** The target a token names, when its signature holds; null for anything tampered with or malformed. */
export function readUnsubscribeToken(secret: string, token: string): UnsubscribeTarget | null {
  const m = /^([A-Za-z0-9_-]{1,700})\.([A-Za-z0-9_-]{32})$/.exec(token);
  if (!m) return null;
  const payload = Buffer.from(m[1], 'base64url').toString('utf8');
  if (!safeEqual(signature(secret, payload), m[2])) return null;
  const parts = /^(\d{1,15}):([a-z_]+):(.+@.+)$/.exec(payload);
  if (!parts || !(MAIL_LISTS as readonly string[]).includes(parts[2])) return null;
  return { accountId: Number(parts[1]), list: parts[2] as MailList, email: parts[3] };
}

/** The headers of a mail on `list`: the one-click link at the account's own address. */
export function listUnsubscribeHeaders(baseUrl: string, token: string): Record<string, string> {
  return {
    'List-Unsubscribe': `<${baseUrl}/email/unsubscribe/${token}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}

type Ctx = HandlerContext<{ token: string }, any, any>;

/** The token's target, when it is valid and (on an account's host) names that account. */
async function target(ctx: Ctx): Promise<UnsubscribeTarget | null> {
  const system = ctx.services.system('unsubscribe link');
  const found = readUnsubscribeToken(await installationSecret(system), ctx.params.token);
  if (!found) return null;
  if (ctx.maybeAccount && ctx.maybeAccount.id !== found.accountId) return null;
  const account = await system
    .selectFrom('accounts')
    .select('id')
    .where('id', '=', found.accountId)
    .executeTakeFirst();
  return account ? found : null;
}

function invalidPage(): Responded {
  return page(
    404,
    renderPage(
      'Link not valid',
      `<h1>This unsubscribe link is not valid</h1>
<p class="lead">Nothing was changed. If you keep receiving mail you do not want, reply to it and ask us to stop.</p>`,
    ),
  );
}

const params = z.object({ token: z.string().max(1000) });

export const unsubscribePages = [
  defineRoute({
    method: 'GET',
    url: '/email/unsubscribe/:token',
    auth: 'public',
    page: true,
    summary: 'The page an unsubscribe link opens: a button, never an unsubscribe by itself',
    params,
    handler: async (ctx) => {
      const found = await target(ctx);
      if (!found) return invalidPage();
      const label = LIST_LABELS[found.list];
      return page(
        200,
        renderPage(
          'Unsubscribe',
          `<h1>Unsubscribe from ${escapeHtml(label)}</h1>
<p class="lead">${escapeHtml(found.email)} will no longer receive ${escapeHtml(label)}. Replies about your own requests still reach you.</p>
<form method="post" action="/email/unsubscribe/${escapeHtml(ctx.params.token)}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button>
</form>`,
        ),
      );
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/email/unsubscribe/:token',
    auth: 'public',
    page: true,
    summary: 'Unsubscribe (RFC 8058 one-click: body List-Unsubscribe=One-Click)',
    params,
    body: z.record(z.string(), z.unknown()).optional(),
    handler: async (ctx) => {
      const found = await target(ctx);
      if (!found) return invalidPage();
      await ctx.services
        .tenantDb(found.accountId)
        .insertInto('email_suppressions', {
          email: found.email,
          category: found.list,
          reason: 'unsubscribe',
        })
        .onConflict((oc) => oc.columns(['account_id', 'email', 'category']).doNothing())
        .execute();
      return page(
        200,
        renderPage(
          'Unsubscribed',
          `<h1>You are unsubscribed</h1>
<p class="lead">${escapeHtml(found.email)} will no longer receive ${escapeHtml(LIST_LABELS[found.list])}.</p>`,
        ),
      );
    },
  }),
];

/** Whether `email` left `list` (addresses compare case-insensitively). */
export async function isSuppressed(db: TenantDb, email: string, list: string): Promise<boolean> {
  const row = await db
    .selectFrom('email_suppressions')
    .select('email')
    .where('email', '=', email.toLowerCase())
    .where('category', '=', list)
    .executeTakeFirst();
  return Boolean(row);
}
