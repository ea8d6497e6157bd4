import { randomBytes } from 'node:crypto';
import { digestToken, newToken, tokenHint } from '../../platform/auth/secrets.ts';
import type { CommandContext } from '../../platform/commands.ts';
import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { invalid, notFound } from '../../platform/http/errors.ts';
import { recordAudit } from '../audit/audit.commands.ts';

/** A new account API token. The clear token is returned once and never stored. */
export async function createApiToken(ctx: CommandContext, description: string, createdById?: number) {
  const token = newToken();
  const creator = createdById ?? ctx.actor?.userId ?? null;
  const row = await ctx.db
    .insertInto('api_tokens', {
      token_digest: digestToken(token),
      token_hint: tokenHint(token),
      description,
      created_by_id: creator,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAudit(ctx.db, {
    actorId: creator,
    action: 'api_token.created',
    sourceType: 'api_token',
    sourceId: row.id,
    sourceLabel: description,
    changeDescription: `API token …${row.token_hint} created`,
    ip: ctx.ip,
  });
  return { row, token };
}

export async function revokeApiToken(ctx: CommandContext, id: number): Promise<void> {
  const row = await ctx.db.deleteFrom('api_tokens').where('id', '=', id).returningAll().executeTakeFirst();
  if (!row) throw notFound();
  await recordAudit(ctx.db, {
    actorId: ctx.actor?.userId ?? null,
    action: 'api_token.revoked',
    sourceType: 'api_token',
    sourceId: id,
    sourceLabel: row.description,
    changeDescription: `API token …${row.token_hint} revoked`,
    ip: ctx.ip,
  });
}

const SCOPES = new Set(['read', 'write']);

/** A Bearer token for one user; the OAuth authorization flow that hands these to apps comes later. */
export async function createOauthToken(
  ctx: CommandContext,
  input: { userId: number; scopes: string[]; expiresAt: Date | null },
) {
  const scopes = [...new Set(input.scopes)];
  if (scopes.length === 0 || scopes.some((s) => !SCOPES.has(s)))
    throw invalid('scopes', 'must be read and/or write');
  const user = await ctx.db
    .selectFrom('users')
    .select(['id', 'name'])
    .where('id', '=', input.userId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!user) throw invalid('user_id', 'User does not exist');
  const token = newToken();
  const row = await ctx.db
    .insertInto('oauth_tokens', {
      user_id: user.id,
      token_digest: digestToken(token),
      token_hint: tokenHint(token),
      scopes,
      expires_at: input.expiresAt,
      created_by_id: ctx.actor?.userId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAudit(ctx.db, {
    actorId: ctx.actor?.userId ?? null,
    action: 'oauth_token.created',
    sourceType: 'oauth_token',
    sourceId: row.id,
    sourceLabel: user.name,
    changeDescription: `Bearer token …${row.token_hint} with scopes ${scopes.join(' ')}`,
    ip: ctx.ip,
  });
  return { row, token };
}

export async function revokeOauthToken(ctx: CommandContext, id: number): Promise<void> {
  const row = await ctx.db.deleteFrom('oauth_tokens').where('id', '=', id).returningAll().executeTakeFirst();
  if (!row) throw notFound();
  await recordAudit(ctx.db, {
    actorId: ctx.actor?.userId ?? null,
    action: 'oauth_token.revoked',
    sourceType: 'oauth_token',
    sourceId: id,
    changeDescription: `Bearer token …${row.token_hint} revoked`,
    ip: ctx.ip,
  });
}

/** Signs a user in: a new session whose token goes into an HttpOnly cookie. */
export async function createSession(
  db: TenantDb,
  input: { userId: number; userName: string; ip: string | null; userAgent: string | undefined; days: number },
) {
  const token = newToken();
  const csrfToken = randomBytes(24).toString('base64url');
  await db.transaction(async (tx) => {
    await tx
      .insertInto('sessions', {
        user_id: input.userId,
        token_digest: digestToken(token),
        csrf_token: csrfToken,
        ip_address: input.ip,
        user_agent: input.userAgent?.slice(0, 300) ?? null,
        expires_at: new Date(Date.now() + input.days * 86_400_000),
      })
      .execute();
    await tx.updateTable('users').set({ last_login_at: new Date() }).where('id', '=', input.userId).execute();
    await recordAudit(tx, {
      actorId: input.userId,
      action: 'user.signed_in',
      sourceType: 'user',
      sourceId: input.userId,
      sourceLabel: input.userName,
      changeDescription: 'Signed in with email and password',
      ip: input.ip,
    });
  });
  return { token, csrfToken };
}

export async function destroySession(
  db: TenantDb,
  sessionId: number,
  userId: number,
  ip: string | null,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.deleteFrom('sessions').where('id', '=', sessionId).execute();
    await recordAudit(tx, {
      actorId: userId,
      action: 'user.signed_out',
      sourceType: 'user',
      sourceId: userId,
      ip,
    });
  });
}
