import type { CommandContext } from '../../platform/commands.ts';
import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { appendEvent } from '../../platform/events/outbox.ts';
import { invalid, notFound } from '../../platform/http/errors.ts';
import { recordAudit } from '../audit/audit.commands.ts';
import { findUser } from '../users/users.queries.ts';
import { GROUP_EVENTS, GROUP_MEMBERSHIP_EVENTS } from './groups.events.ts';
import { groupPolicy } from './groups.policy.ts';
import {
  findDefaultGroup,
  findGroup,
  findGroupByName,
  findMembership,
  findMembershipByPair,
  type GroupMembershipRow,
  type GroupRow,
  membershipsOfUser,
} from './groups.queries.ts';
import type { GroupInput } from './groups.schema.ts';

async function assertNameFree(db: TenantDb, name: string, exceptId: number | null): Promise<void> {
  const owner = await findGroupByName(db, name);
  if (owner && owner.id !== exceptId) throw invalid('name', 'Name: has already been taken', 'DuplicateValue');
}

/** Keeps users.default_group_id in step with the user's default membership, which Zendesk presents as one fact. */
async function setUserDefaultGroup(db: TenantDb, userId: number, groupId: number | null): Promise<void> {
  await db
    .updateTable('users')
    .set({ default_group_id: groupId, updated_at: new Date() })
    .where('id', '=', userId)
    .execute();
}

export async function createGroup(
  ctx: CommandContext,
  input: GroupInput & { name: string },
): Promise<GroupRow> {
  if (ctx.actor) groupPolicy.assertCanManage(ctx.actor);
  return ctx.db.transaction(async (db) => {
    await assertNameFree(db, input.name, null);
    // Tickets without a group fall back to the account's default group, so the first group becomes it.
    const isDefault = !(await findDefaultGroup(db));
    const row = await db
      .insertInto('groups', {
        name: input.name,
        description: input.description ?? '',
        is_public: input.is_public ?? true,
        default: isDefault,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendEvent(db, {
      type: GROUP_EVENTS.created,
      subjectType: 'group',
      subjectId: row.id,
      actorId: ctx.actor?.userId ?? null,
    });
    return row;
  });
}

export async function updateGroup(ctx: CommandContext, id: number, input: GroupInput): Promise<GroupRow> {
  return ctx.db.transaction(async (db) => {
    const group = await findGroup(db, id);
    if (!group) throw notFound();
    if (ctx.actor) groupPolicy.assertCanManage(ctx.actor);
    if (input.name !== undefined) await assertNameFree(db, input.name, group.id);
    const changes: Partial<Pick<GroupRow, 'name' | 'description' | 'is_public'>> = {};
    if (input.name !== undefined && input.name !== group.name) changes.name = input.name;
    if (input.description !== undefined && input.description !== group.description) {
      changes.description = input.description;
    }
    if (input.is_public !== undefined && input.is_public !== group.is_public) {
      changes.is_public = input.is_public;
    }
    const changed = Object.keys(changes);
    if (changed.length === 0) return group;
    const row = await db
      .updateTable('groups')
      .set({ ...changes, updated_at: new Date() })
      .where('id', '=', group.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendEvent(db, {
      type: GROUP_EVENTS.updated,
      subjectType: 'group',
      subjectId: group.id,
      actorId: ctx.actor?.userId ?? null,
      payload: { changes: changed },
    });
    return row;
  });
}

/**
 * Soft delete, as Zendesk does: the row stays (old tickets still name it) with deleted=true. Every membership
 * goes, each recorded as a removed access grant; organizations and users that pointed at it let go; and if it
 * was the default group, the oldest remaining group takes over.
 */
export async function deleteGroup(ctx: CommandContext, id: number): Promise<void> {
  await ctx.db.transaction(async (db) => {
    const group = await findGroup(db, id);
    if (!group) throw notFound();
    if (ctx.actor) groupPolicy.assertCanManage(ctx.actor);
    const now = new Date();
    await db
      .updateTable('groups')
      .set({ deleted: true, default: false, updated_at: now })
      .where('id', '=', group.id)
      .execute();
    const members = await db
      .selectFrom('group_memberships')
      .selectAll()
      .where('group_id', '=', group.id)
      .execute();
    for (const m of members) {
      const member = await findUser(db, m.user_id);
      await removeMembership(ctx, db, m, group, member?.name ?? '', true);
    }
    await db
      .updateTable('users')
      .set({ default_group_id: null, updated_at: now })
      .where('default_group_id', '=', group.id)
      .execute();
    await db
      .updateTable('organizations')
      .set({ group_id: null, updated_at: now })
      .where('group_id', '=', group.id)
      .execute();
    if (group.default) {
      const next = await db
        .selectFrom('groups')
        .select('id')
        .where('deleted', '=', false)
        .orderBy('id')
        .executeTakeFirst();
      if (next) {
        await db
          .updateTable('groups')
          .set({ default: true, updated_at: now })
          .where('id', '=', next.id)
          .execute();
      }
    }
    await appendEvent(db, {
      type: GROUP_EVENTS.deleted,
      subjectType: 'group',
      subjectId: group.id,
      actorId: ctx.actor?.userId ?? null,
      payload: { memberships_removed: members.length },
    });
  });
}

/** Adds an agent to a group. A user's first membership becomes their default. */
export async function createGroupMembership(
  ctx: CommandContext,
  input: { user_id: number; group_id: number },
): Promise<GroupMembershipRow> {
  if (ctx.actor) groupPolicy.assertCanManage(ctx.actor);
  return ctx.db.transaction(async (db) => {
    const user = await findUser(db, input.user_id);
    if (!user) throw invalid('user_id', 'User does not exist', 'InvalidValue');
    if (user.role === 'end-user') {
      throw invalid('user_id', 'Only agents and admins can be group members', 'InvalidValue');
    }
    const group = await findGroup(db, input.group_id);
    if (!group) throw invalid('group_id', 'Group does not exist', 'InvalidValue');
    if (await findMembershipByPair(db, user.id, group.id)) {
      throw invalid('user_id', 'User is already a member of this group', 'DuplicateValue');
    }
    const isDefault = (await membershipsOfUser(db, user.id)).length === 0;
    const row = await db
      .insertInto('group_memberships', { user_id: user.id, group_id: group.id, default: isDefault })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (isDefault) await setUserDefaultGroup(db, user.id, group.id);
    await recordAudit(db, {
      actorId: ctx.actor?.userId ?? null,
      action: 'group_membership.created',
      sourceType: 'user',
      sourceId: user.id,
      sourceLabel: user.name,
      changeDescription: `Added to group ${group.name} (#${group.id})`,
      ip: ctx.ip,
    });
    await appendEvent(db, {
      type: GROUP_MEMBERSHIP_EVENTS.created,
      subjectType: 'group_membership',
      subjectId: row.id,
      actorId: ctx.actor?.userId ?? null,
      payload: { user_id: user.id, group_id: group.id },
    });
    return row;
  });
}

export async function deleteGroupMembership(ctx: CommandContext, id: number): Promise<void> {
  await ctx.db.transaction(async (db) => {
    const membership = await findMembership(db, id);
    if (!membership) throw notFound();
    if (ctx.actor) groupPolicy.assertCanManage(ctx.actor);
    const group = await db
      .selectFrom('groups')
      .selectAll()
      .where('id', '=', membership.group_id)
      .executeTakeFirstOrThrow();
    const user = await findUser(db, membership.user_id);
    await removeMembership(ctx, db, membership, group, user?.name ?? '', true);
  });
}

/**
 * Deletes one membership inside the caller's transaction: audited (it removes access) and announced. When it
 * was the user's default and `promoteNext` is set, the user's oldest remaining membership becomes the default.
 */
async function removeMembership(
  ctx: CommandContext,
  db: TenantDb,
  m: GroupMembershipRow,
  group: Pick<GroupRow, 'id' | 'name'>,
  userName: string,
  promoteNext: boolean,
): Promise<void> {
  await db.deleteFrom('group_memberships').where('id', '=', m.id).execute();
  if (m.default && promoteNext) {
    const next = (await membershipsOfUser(db, m.user_id))[0];
    if (next) await markDefault(db, m.user_id, next);
    else await setUserDefaultGroup(db, m.user_id, null);
  }
  await recordAudit(db, {
    actorId: ctx.actor?.userId ?? null,
    action: 'group_membership.deleted',
    sourceType: 'user',
    sourceId: m.user_id,
    sourceLabel: userName,
    changeDescription: `Removed from group ${group.name} (#${group.id})`,
    ip: ctx.ip,
  });
  await appendEvent(db, {
    type: GROUP_MEMBERSHIP_EVENTS.deleted,
    subjectType: 'group_membership',
    subjectId: m.id,
    actorId: ctx.actor?.userId ?? null,
    payload: { user_id: m.user_id, group_id: m.group_id },
  });
}

/**
 * Removes every membership of a user who leaves the staff (demoted to end-user, or deleted), each audited
 * and announced like any other removal; the user is left without a default group.
 */
export async function removeAllMemberships(
  ctx: CommandContext,
  db: TenantDb,
  user: { id: number; name: string },
): Promise<void> {
  const memberships = await db
    .selectFrom('group_memberships')
    .innerJoin('groups', (j) =>
      j
        .onRef('groups.account_id', '=', 'group_memberships.account_id')
        .onRef('groups.id', '=', 'group_memberships.group_id'),
    )
    .selectAll('group_memberships')
    .select('groups.name as group_name')
    .where('group_memberships.user_id', '=', user.id)
    .orderBy('group_memberships.id')
    .execute();
  for (const m of memberships) {
    await removeMembership(ctx, db, m, { id: m.group_id, name: m.group_name }, user.name, false);
  }
  if (memberships.length) await setUserDefaultGroup(db, user.id, null);
}

/** Flags one membership as the user's default (and no other), and mirrors it on users.default_group_id. */
async function markDefault(db: TenantDb, userId: number, membership: GroupMembershipRow): Promise<void> {
  const now = new Date();
  await db
    .updateTable('group_memberships')
    .set({ default: false, updated_at: now })
    .where('user_id', '=', userId)
    .where('default', '=', true)
    .execute();
  await db
    .updateTable('group_memberships')
    .set({ default: true, updated_at: now })
    .where('id', '=', membership.id)
    .execute();
  await setUserDefaultGroup(db, userId, membership.group_id);
}

/**
 * Makes the user's membership their default, announcing the change; a no-op when it already is.
 * Serves both make_default and a user update that sets default_group_id.
 */
export async function setDefaultMembership(
  ctx: CommandContext,
  db: TenantDb,
  userId: number,
  membership: GroupMembershipRow,
): Promise<void> {
  if (membership.default) return;
  await markDefault(db, userId, membership);
  await appendEvent(db, {
    type: GROUP_MEMBERSHIP_EVENTS.updated,
    subjectType: 'group_membership',
    subjectId: membership.id,
    actorId: ctx.actor?.userId ?? null,
    payload: { changes: ['default'], user_id: userId, group_id: membership.group_id },
  });
}

/** Makes one of a user's memberships their default; returns all of the user's memberships. */
export async function makeDefaultMembership(
  ctx: CommandContext,
  userId: number,
  membershipId: number,
): Promise<GroupMembershipRow[]> {
  return ctx.db.transaction(async (db) => {
    const membership = await findMembership(db, membershipId);
    if (!membership || membership.user_id !== userId) throw notFound();
    if (ctx.actor) groupPolicy.assertCanChooseDefault(ctx.actor, userId);
    await setDefaultMembership(ctx, db, userId, membership);
    return membershipsOfUser(db, userId);
  });
}
