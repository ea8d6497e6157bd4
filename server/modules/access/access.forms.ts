import { randomBytes } from 'node:crypto';
import { SESSION_COOKIE } from '../../platform/auth/credentials.ts';
import { safeEqual } from '../../platform/auth/secrets.ts';
import type { TenantDb } from '../../platform/db/tenant-db.ts';
import type { HandlerContext, Responded } from '../../platform/http/define-route.ts';
import { PAGE_HEADERS } from '../../platform/http/pages.ts';
import { createSession } from './access.commands.ts';

/** What the server-rendered access pages (set-up, sign-in, set-password) share. */

/** Forms posted before sign-in carry a double-submit token: a cookie and a hidden field that must match. */
const FORM_COOKIE = 'haven_form';

type Ctx = HandlerContext<any, any, any>;

export function formToken(ctx: Ctx): string {
  const existing = ctx.req.cookies[FORM_COOKIE];
  if (existing && /^[A-Za-z0-9_-]{32}$/.test(existing)) return existing;
  const token = randomBytes(24).toString('base64url');
  ctx.reply.setCookie(FORM_COOKIE, token, cookieOptions(ctx, 60 * 60));
  return token;
}

export function formTokenValid(ctx: Ctx, presented: string | undefined): boolean {
  const cookie = ctx.req.cookies[FORM_COOKIE];
  return Boolean(cookie && presented && safeEqual(cookie, presented));
}

function cookieOptions(ctx: Ctx, maxAgeSeconds: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: ctx.services.config.secureCookies,
    maxAge: maxAgeSeconds,
  };
}

export function page(status: number, html: string): Responded {
  return { status, body: html, headers: PAGE_HEADERS };
}

export function redirect(location: string): Responded {
  return { status: 303, headers: { location, 'cache-control': 'no-store' } };
}

/** Starts a session for the user and puts its token into the HttpOnly session cookie. */
export async function signInBrowser(ctx: Ctx, db: TenantDb, user: { id: number; name: string }) {
  const session = await createSession(db, {
    userId: user.id,
    userName: user.name,
    ip: ctx.ip,
    userAgent: ctx.req.headers['user-agent'],
    days: ctx.services.config.sessionDays,
  });
  ctx.reply.setCookie(
    SESSION_COOKIE,
    session.token,
    cookieOptions(ctx, ctx.services.config.sessionDays * 86_400),
  );
}
