import type { Selectable } from 'kysely';
import type { Actor } from '../../platform/auth/authenticate.ts';
import { digestToken, newToken } from '../../platform/auth/secrets.ts';
import type { CommandContext } from '../../platform/commands.ts';
import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { forbidden, invalid, notFound } from '../../platform/http/errors.ts';
import { recordAudit } from '../audit/audit.commands.ts';
import { setPasswordByEmailProof } from '../users/users.commands.ts';
import { findIdentity, findUser, type UserRow } from '../users/users.queries.ts';
import type { InvitationsTable } from './access.tables.ts';

/** How long a set-password link works. */
export const INVITATION_DAYS = 7;

export type InvitationRow = Selectable<InvitationsTable>;

/** A link someone opened: usable, spent (used, replaced or expired), or never issued. */
export type InvitationLookup =
  | { kind: 'valid'; invitation: InvitationRow; user: UserRow; email: string }
  | { kind: 'gone' }
  | { kind: 'unknown' };

/** Only staff sign in with a password here; a suspended person has to be unsuspended first. */
function assertInvitable(user: UserRow): void {
  if (user.role === 'end-user') {
    throw invalid('role', 'Only agents and admins can be invited; make the user an agent first');
  }
  if (!user.email)
    throw invalid('email', 'The user has no email address to send the invitation to', 'BlankValue');
  if (user.suspended)
    throw invalid('suspended', 'The user is suspended; unsuspend them before inviting them');
}

/** Whether the person an invitation is for may still use it. */
function stillInvitable(user: UserRow | undefined): user is UserRow {
  return Boolean(user && user.role !== 'end-user' && !user.suspended);
}

/**
 * A new invitation for an agent or admin, to their primary email; any older open invitation of theirs stops
 * working. A link Haven mails gets its token in the mail job (`byEmail`); otherwise the token is made here
 * and returned once, for the admin to hand over.
 */
export async function createInvitation(
  ctx: CommandContext & { actor: Actor },
  userId: number,
  options: { byEmail: boolean },
): Promise<{ invitation: InvitationRow; email: string; token: string | null }> {
  return ctx.db.transaction(async (db) => {
    const user = await findUser(db, userId);
    if (!user) throw notFound();
    if (ctx.actor.role !== 'admin') throw forbidden('Only admins invite agents and admins');
    assertInvitable(user);
    const identity = await db
      .selectFrom('user_identities')
      .select(['id', 'value'])
      .where('user_id', '=', user.id)
      .where('type', '=', 'email')
      .where('primary', '=', true)
      .executeTakeFirstOrThrow();
    const now = new Date();
    await db
      .updateTable('invitations')
      .set({ revoked_at: now })
      .where('user_id', '=', user.id)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .execute();
    const token = options.byEmail ? null : newToken();
    const invitation = await db
      .insertInto('invitations', {
        user_id: user.id,
        identity_id: identity.id,
        token_digest: token ? digestToken(token) : null,
        by_email: options.byEmail,
        created_by_id: ctx.actor.userId,
        expires_at: new Date(now.getTime() + INVITATION_DAYS * 86_400_000),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(db, {
      actorId: ctx.actor.userId,
      action: 'user.invited',
      sourceType: 'user',
      sourceId: user.id,
      sourceLabel: user.name,
      changeDescription: options.byEmail
        ? 'Invitation with a set-password link emailed'
        : 'Set-password link created for an admin to hand over',
      ip: ctx.ip,
    });
    return { invitation, email: identity.value, token };
  });
}

/** The user's most recent invitation, whatever its state. */
export async function latestInvitation(db: TenantDb, userId: number) {
  const invitation = await db
    .selectFrom('invitations')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!invitation) return undefined;
  const identity = await findIdentity(db, userId, invitation.identity_id);
  return { invitation, email: identity?.value ?? null };
}

/** Finds the invitation a link's token belongs to, and whether it can still be used. */
export async function findInvitationByToken(db: TenantDb, token: string): Promise<InvitationLookup> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return { kind: 'unknown' };
  const invitation = await db
    .selectFrom('invitations')
    .selectAll()
    .where('token_digest', '=', digestToken(token))
    .executeTakeFirst();
  if (!invitation) return { kind: 'unknown' };
  if (invitation.used_at || invitation.revoked_at || invitation.expires_at <= new Date())
    return { kind: 'gone' };
  const user = await findUser(db, invitation.user_id);
  if (!stillInvitable(user)) return { kind: 'gone' };
  const identity = await findIdentity(db, user.id, invitation.identity_id);
  if (!identity) return { kind: 'gone' };
  return { kind: 'valid', invitation, user, email: identity.value };
}

/**
 * Uses a link once: sets the password, verifies the email the link went to, and spends the invitation, all
 * in one transaction. Two submissions racing for one link cannot both win: the second finds it used.
 */
export async function acceptInvitation(
  db: TenantDb,
  token: string,
  password: string,
  ip: string | null,
): Promise<{ kind: 'accepted'; user: UserRow } | { kind: 'gone' } | { kind: 'unknown' }> {
  return db.transaction(async (tx) => {
    const found = await findInvitationByToken(tx, token);
    if (found.kind !== 'valid') return found;
    const claimed = await tx
      .updateTable('invitations')
      .set({ used_at: new Date() })
      .where('id', '=', found.invitation.id)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!claimed) return { kind: 'gone' as const };
    const user = await setPasswordByEmailProof(
      { db: tx, actor: null, ip },
      found.user.id,
      found.invitation.identity_id,
      password,
    );
    return { kind: 'accepted' as const, user };
  });
}

/**
 * Gives a mailed invitation its token, just before the mail goes out. Null when the invitation was used,
 * replaced, has expired or was already sent (a retried job then does nothing), or its person can no longer
 * be invited. A retry after a failed send replaces the token, so only the link in the mail that left works.
 */
export async function armMailedInvitation(
  db: TenantDb,
  invitationId: number,
): Promise<{ invitation: InvitationRow; user: UserRow; email: string; token: string } | null> {
  const invitation = await db
    .selectFrom('invitations')
    .selectAll()
    .where('id', '=', invitationId)
    .executeTakeFirst();
  if (!invitation?.by_email || invitation.sent_at || invitation.used_at || invitation.revoked_at) return null;
  if (invitation.expires_at <= new Date()) return null;
  const user = await findUser(db, invitation.user_id);
  if (!stillInvitable(user)) return null;
  const identity = await findIdentity(db, user.id, invitation.identity_id);
  if (!identity) return null;
  const token = newToken();
  const armed = await db
    .updateTable('invitations')
    .set({ token_digest: digestToken(token) })
    .where('id', '=', invitation.id)
    .where('sent_at', 'is', null)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return armed ? { invitation, user, email: identity.value, token } : null;
}

export async function markInvitationSent(db: TenantDb, invitationId: number): Promise<void> {
  await db.updateTable('invitations').set({ sent_at: new Date() }).where('id', '=', invitationId).execute();
}
