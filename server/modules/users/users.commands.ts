import type { Updateable } from 'kysely';
import { hashPassword, verifyPassword } from '../../platform/auth/secrets.ts';
import { type CommandContext, changedKeys } from '../../platform/commands.ts';
import { sql, type TenantDb } from '../../platform/db/tenant-db.ts';
import { appendEvent } from '../../platform/events/outbox.ts';
import { HavenError, invalid, notFound } from '../../platform/http/errors.ts';
import { recordAudit } from '../audit/audit.commands.ts';
import { validateUserFieldValues } from '../fields/fields.commands.ts';
import { removeAllMemberships, setDefaultMembership } from '../groups/groups.commands.ts';
import { findMembershipByPair } from '../groups/groups.queries.ts';
import { USER_EVENTS } from './users.events.ts';
import { END_USER_EDITABLE, userPolicy } from './users.policy.ts';
import {
  countAdmins,
  findIdentity,
  findUser,
  findUserByEmail,
  findUserByExternalId,
  type UserRow,
} from './users.queries.ts';
import type { UserInput } from './users.schema.ts';
import type { UserRole, UsersTable } from './users.tables.ts';

const STAFF: UserRole[] = ['agent', 'admin'];

type Columns = Updateable<UsersTable>;

/** Input fields that map straight onto columns. */
const DIRECT_FIELDS = [
  'name',
  'external_id',
  'organization_id',
  'default_group_id',
  'verified',
  'phone',
  'alias',
  'details',
  'notes',
  'locale',
  'time_zone',
  'tags',
  'user_fields',
  'signature',
  'ticket_restriction',
  'only_private_comments',
  'restricted_agent',
  'moderator',
  'suspended',
] as const;

function columnsFrom(input: UserInput): Columns {
  const out: Record<string, unknown> = {};
  for (const f of DIRECT_FIELDS) if (input[f] !== undefined) out[f] = input[f];
  return out as Columns;
}

async function assertReferences(
  db: TenantDb,
  input: UserInput,
  role: UserRole,
  userId: number | null,
): Promise<void> {
  if (input.organization_id) {
    const org = await db
      .selectFrom('organizations')
      .select('id')
      .where('id', '=', input.organization_id)
      .executeTakeFirst();
    if (!org) throw invalid('organization_id', 'Organization does not exist', 'InvalidValue');
  }
  if (input.default_group_id) {
    if (!STAFF.includes(role)) throw invalid('default_group_id', 'Only agents can have a default group');
    // As at Zendesk, the default group is one of the agent's own groups (a new user has none yet).
    const membership = userId ? await findMembershipByPair(db, userId, input.default_group_id) : undefined;
    if (!membership) throw invalid('default_group_id', 'must be a group the user belongs to', 'InvalidValue');
  }
}

async function assertEmailFree(db: TenantDb, email: string, exceptUserId: number | null): Promise<void> {
  const owner = await db
    .selectFrom('user_identities')
    .select('user_id')
    .where('type', '=', 'email')
    .where(sql`lower(value)`, '=', email.toLowerCase())
    .executeTakeFirst();
  if (owner && owner.user_id !== exceptUserId) {
    throw invalid('email', `Email: ${email} is already being used by another user`, 'DuplicateValue');
  }
}

async function assertExternalIdFree(
  db: TenantDb,
  externalId: string,
  exceptUserId: number | null,
): Promise<void> {
  const owner = await db
    .selectFrom('users')
    .select('id')
    .where('external_id', '=', externalId)
    .executeTakeFirst();
  if (owner && owner.id !== exceptUserId) {
    throw invalid(
      'external_id',
      `External ID: ${externalId} is already being used by another user`,
      'DuplicateValue',
    );
  }
}

export async function createUser(
  ctx: CommandContext,
  input: UserInput & { name: string },
  options: { passwordHash?: string | null } = {},
): Promise<UserRow> {
  const role = input.role ?? 'end-user';
  if (ctx.actor) userPolicy.assertCanCreate(ctx.actor, role);
  return ctx.db.transaction(async (db) => {
    await assertReferences(db, input, role, null);
    if (input.email) await assertEmailFree(db, input.email, null);
    if (input.external_id) await assertExternalIdFree(db, input.external_id, null);
    const userFields = input.user_fields && (await validateUserFieldValues(db, input.user_fields, {}));
    const row = await db
      .insertInto('users', {
        ...columnsFrom({ ...input, user_fields: userFields }),
        name: input.name,
        role,
        password_hash: options.passwordHash ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (input.email) {
      await db
        .insertInto('user_identities', {
          user_id: row.id,
          type: 'email',
          value: input.email,
          verified: input.verified ?? false,
          primary: true,
        })
        .execute();
    }
    if (STAFF.includes(role)) {
      await recordAudit(db, {
        actorId: ctx.actor?.userId ?? null,
        action: 'user.created',
        sourceType: 'user',
        sourceId: row.id,
        sourceLabel: input.name,
        changeDescription: `Created with role ${role}`,
        ip: ctx.ip,
      });
    }
    await appendEvent(db, {
      type: USER_EVENTS.created,
      subjectType: 'user',
      subjectId: row.id,
      actorId: ctx.actor?.userId ?? null,
      payload: { role },
    });
    return (await findUser(db, row.id))!;
  });
}

export async function updateUser(ctx: CommandContext, userId: number, input: UserInput): Promise<UserRow> {
  return ctx.db.transaction(async (db) => {
    const user = await findUser(db, userId);
    if (!user) throw notFound();
    if (ctx.actor) {
      if (!userPolicy.canView(ctx.actor, user)) throw notFound();
      const staffFields = Object.keys(input).some(
        (k) => input[k as keyof UserInput] !== undefined && !END_USER_EDITABLE.has(k),
      );
      userPolicy.assertCanUpdate(ctx.actor, user, { role: input.role, staffFields });
    }
    const role = input.role ?? user.role;
    await assertReferences(db, input, role, user.id);
    if (input.external_id) await assertExternalIdFree(db, input.external_id, user.id);
    if (user.role === 'admin' && role !== 'admin' && (await countAdmins(db)) <= 1) {
      throw invalid('role', 'The account needs at least one admin', 'LastAdmin');
    }
    if (input.suspended && ctx.actor?.userId === user.id)
      throw invalid('suspended', 'You cannot suspend yourself');

    const userFields =
      input.user_fields && (await validateUserFieldValues(db, input.user_fields, user.user_fields));
    const changes = columnsFrom({ ...input, user_fields: userFields });
    if (input.role && input.role !== user.role) changes.role = input.role;
    const changed = changedKeys(user, changes);
    if (
      input.email !== undefined &&
      input.email !== null &&
      input.email.toLowerCase() !== (user.email ?? '').toLowerCase()
    ) {
      await setPrimaryEmail(db, user.id, input.email, input.verified ?? false);
      changed.push('email');
    }
    if (changed.length === 0) return user;

    // A new default group is set through its membership, which also writes users.default_group_id.
    const defaultGroupId = changes.default_group_id;
    if (defaultGroupId) delete changes.default_group_id;
    await db
      .updateTable('users')
      .set({ ...changes, updated_at: new Date() })
      .where('id', '=', user.id)
      .execute();
    if (defaultGroupId) {
      const membership = await findMembershipByPair(db, user.id, defaultGroupId);
      await setDefaultMembership(ctx, db, user.id, membership!);
    }
    if (role === 'end-user' && user.role !== 'end-user') await removeAllMemberships(ctx, db, user);
    if (changes.role) {
      await recordAudit(db, {
        actorId: ctx.actor?.userId ?? null,
        action: 'user.role_changed',
        sourceType: 'user',
        sourceId: user.id,
        sourceLabel: user.name,
        changeDescription: `Role changed from ${user.role} to ${changes.role}`,
        ip: ctx.ip,
      });
    }
    if (changes.suspended !== undefined && changes.suspended !== user.suspended) {
      await recordAudit(db, {
        actorId: ctx.actor?.userId ?? null,
        action: changes.suspended ? 'user.suspended' : 'user.unsuspended',
        sourceType: 'user',
        sourceId: user.id,
        sourceLabel: user.name,
        ip: ctx.ip,
      });
      if (changes.suspended) await db.deleteFrom('sessions').where('user_id', '=', user.id).execute();
    }
    await appendEvent(db, {
      type: USER_EVENTS.updated,
      subjectType: 'user',
      subjectId: user.id,
      actorId: ctx.actor?.userId ?? null,
      payload: { changes: changed },
    });
    return (await findUser(db, user.id))!;
  });
}

async function setPrimaryEmail(
  db: TenantDb,
  userId: number,
  email: string,
  verified: boolean,
): Promise<void> {
  await assertEmailFree(db, email, userId);
  const existing = await db
    .selectFrom('user_identities')
    .select('id')
    .where('user_id', '=', userId)
    .where('type', '=', 'email')
    .where(sql`lower(value)`, '=', email.toLowerCase())
    .executeTakeFirst();
  const identityId =
    existing?.id ??
    (
      await db
        .insertInto('user_identities', {
          user_id: userId,
          type: 'email',
          value: email,
          verified,
          primary: false,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  await promoteIdentity(db, userId, 'email', identityId);
}

/**
 * Makes one identity the user's primary of its type. Two statements on purpose: the unique index on
 * primaries is checked row by row, so the others are demoted before the one is promoted.
 */
async function promoteIdentity(
  db: TenantDb,
  userId: number,
  type: 'email' | 'phone_number',
  identityId: number,
) {
  await db
    .updateTable('user_identities')
    .set({ primary: false })
    .where('user_id', '=', userId)
    .where('type', '=', type)
    .where('primary', '=', true)
    .execute();
  await db
    .updateTable('user_identities')
    .set({ primary: true, updated_at: new Date() })
    .where('id', '=', identityId)
    .execute();
}

function identitiesChanged(ctx: CommandContext, db: TenantDb, userId: number) {
  return appendEvent(db, {
    type: USER_EVENTS.updated,
    subjectType: 'user',
    subjectId: userId,
    actorId: ctx.actor?.userId ?? null,
    payload: { changes: ['identities'] },
  });
}

/** Zendesk's create_or_update: matched by email identity, then external_id. */
export async function createOrUpdateUser(
  ctx: CommandContext,
  input: UserInput,
): Promise<{ user: UserRow; created: boolean }> {
  return ctx.db.transaction(async (db) => {
    const existing =
      (input.email ? await findUserByEmail(db, input.email) : undefined) ??
      (input.external_id ? await findUserByExternalId(db, input.external_id) : undefined);
    const inner = { ...ctx, db };
    if (existing) return { user: await updateUser(inner, existing.id, input), created: false };
    if (!input.name) throw invalid('name', 'Name: cannot be blank', 'BlankValue');
    return { user: await createUser(inner, { ...input, name: input.name }), created: true };
  });
}

/** Soft delete (Zendesk's first stage): the user is deactivated and signed out everywhere. */
export async function deleteUser(ctx: CommandContext, userId: number): Promise<UserRow> {
  return ctx.db.transaction(async (db) => {
    const user = await findUser(db, userId);
    if (!user) throw notFound();
    if (ctx.actor) {
      if (!userPolicy.canView(ctx.actor, user)) throw notFound();
      userPolicy.assertCanDelete(ctx.actor, user);
    }
    if (user.role === 'admin' && (await countAdmins(db)) <= 1) {
      throw invalid('role', 'The account needs at least one admin', 'LastAdmin');
    }
    const now = new Date();
    await db
      .updateTable('users')
      .set({ active: false, deleted_at: now, updated_at: now })
      .where('id', '=', user.id)
      .execute();
    await db.deleteFrom('sessions').where('user_id', '=', user.id).execute();
    await db.deleteFrom('oauth_tokens').where('user_id', '=', user.id).execute();
    await removeAllMemberships(ctx, db, user);
    await recordAudit(db, {
      actorId: ctx.actor?.userId ?? null,
      action: 'user.deleted',
      sourceType: 'user',
      sourceId: user.id,
      sourceLabel: user.name,
      ip: ctx.ip,
    });
    await appendEvent(db, {
      type: USER_EVENTS.deleted,
      subjectType: 'user',
      subjectId: user.id,
      actorId: ctx.actor?.userId ?? null,
    });
    return { ...user, active: false, deleted_at: now, updated_at: now };
  });
}

/** Sets a password: admins for anyone, everyone for themselves with their current password. */
export async function setPassword(
  ctx: CommandContext & { actor: NonNullable<CommandContext['actor']> },
  userId: number,
  password: string,
  previousPassword: string | undefined,
): Promise<void> {
  const db = ctx.db;
  const user = await findUser(db, userId);
  if (!user || !userPolicy.canView(ctx.actor, user)) throw notFound();
  const self = ctx.actor.userId === user.id;
  if (!self && ctx.actor.role !== 'admin') throw new HavenError('CS_FORBIDDEN');
  if (self && ctx.actor.role !== 'admin') {
    const current = await db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    if (!previousPassword || !(await verifyPassword(current.password_hash, previousPassword))) {
      throw invalid('previous_password', 'Previous password is not correct', 'InvalidValue');
    }
  }
  const passwordHash = await hashPassword(password);
  await db.transaction(async (tx) => {
    await tx
      .updateTable('users')
      .set({ password_hash: passwordHash, updated_at: new Date() })
      .where('id', '=', user.id)
      .execute();
    await tx
      .deleteFrom('sessions')
      .where('user_id', '=', user.id)
      .where('id', '!=', ctx.actor.sessionId ?? -1)
      .execute();
    await recordAudit(tx, {
      actorId: ctx.actor.userId,
      action: 'user.password_changed',
      sourceType: 'user',
      sourceId: user.id,
      sourceLabel: user.name,
      changeDescription: self
        ? 'Changed own password; other sessions signed out'
        : 'Password set by an admin',
      ip: ctx.ip,
    });
  });
}

/**
 * Sets the password of someone who proved they read the mail of one of their email identities (an
 * invitation link), so no current password or admin is needed. That identity becomes verified, and every
 * session the user had ends: whoever held them did not know this password.
 */
export async function setPasswordByEmailProof(
  ctx: CommandContext,
  userId: number,
  identityId: number,
  password: string,
): Promise<UserRow> {
  const passwordHash = await hashPassword(password);
  return ctx.db.transaction(async (db) => {
    const user = await findUser(db, userId);
    const identity = user && (await findIdentity(db, user.id, identityId));
    if (!user || !identity || identity.type !== 'email') throw notFound();
    const now = new Date();
    await db
      .updateTable('users')
      .set({ password_hash: passwordHash, verified: true, updated_at: now })
      .where('id', '=', user.id)
      .execute();
    if (!identity.verified) {
      await db
        .updateTable('user_identities')
        .set({ verified: true, updated_at: now })
        .where('id', '=', identity.id)
        .execute();
    }
    await db.deleteFrom('sessions').where('user_id', '=', user.id).execute();
    await recordAudit(db, {
      actorId: user.id,
      action: 'user.password_changed',
      sourceType: 'user',
      sourceId: user.id,
      sourceLabel: user.name,
      changeDescription: 'Set through an invitation link; email verified; other sessions signed out',
      ip: ctx.ip,
    });
    const changed = [...(user.verified ? [] : ['verified']), ...(identity.verified ? [] : ['identities'])];
    if (changed.length) {
      await appendEvent(db, {
        type: USER_EVENTS.updated,
        subjectType: 'user',
        subjectId: user.id,
        actorId: user.id,
        payload: { changes: changed },
      });
    }
    return (await findUser(db, user.id))!;
  });
}

export async function addIdentity(
  ctx: CommandContext,
  userId: number,
  identity: { type: 'email' | 'phone_number'; value: string; verified?: boolean },
) {
  return ctx.db.transaction(async (db) => {
    const user = await findUser(db, userId);
    if (!user || (ctx.actor && !userPolicy.canView(ctx.actor, user))) throw notFound();
    if (ctx.actor && ctx.actor.role === 'end-user') throw new HavenError('CS_FORBIDDEN');
    if (identity.type === 'email') {
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(identity.value))
        throw invalid('value', 'is not a valid email address');
      await assertEmailFree(db, identity.value, null);
    }
    const hasPrimary = await db
      .selectFrom('user_identities')
      .select('id')
      .where('user_id', '=', userId)
      .where('type', '=', identity.type)
      .where('primary', '=', true)
      .executeTakeFirst();
    const row = await db
      .insertInto('user_identities', {
        user_id: userId,
        type: identity.type,
        value: identity.value,
        verified: identity.verified ?? false,
        primary: !hasPrimary,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await identitiesChanged(ctx, db, userId);
    return row;
  });
}

export async function makeIdentityPrimary(ctx: CommandContext, userId: number, identityId: number) {
  return ctx.db.transaction(async (db) => {
    const identity = await findIdentity(db, userId, identityId);
    if (!identity) throw notFound();
    await promoteIdentity(db, userId, identity.type, identity.id);
    await identitiesChanged(ctx, db, userId);
  });
}

export async function deleteIdentity(ctx: CommandContext, userId: number, identityId: number): Promise<void> {
  await ctx.db.transaction(async (db) => {
    const identity = await findIdentity(db, userId, identityId);
    if (!identity) throw notFound();
    if (identity.primary)
      throw invalid('identity', 'The primary identity cannot be deleted; make another one primary first');
    await db.deleteFrom('user_identities').where('id', '=', identityId).execute();
    await identitiesChanged(ctx, db, userId);
  });
}
