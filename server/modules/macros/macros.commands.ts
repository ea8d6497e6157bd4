import type { Actor } from '../../platform/auth/authenticate.ts';
import { type CommandContext, changedKeys } from '../../platform/commands.ts';
import { sql, type TenantDb } from '../../platform/db/tenant-db.ts';
import { appendEvent } from '../../platform/events/outbox.ts';
import { HavenError, invalid } from '../../platform/http/errors.ts';
import { resolveRestriction } from '../views/views.commands.ts';
import { nextPosition } from '../views/views.queries.ts';
import { normalizeActions, referencesOf } from './macros.actions.ts';
import { MACRO_EVENTS } from './macros.events.ts';
import { macroPolicy } from './macros.policy.ts';
import { findVisibleMacro, type MacroRow } from './macros.queries.ts';
import type { MacroInput } from './macros.schema.ts';
import type { StoredAction } from './macros.tables.ts';

type Ctx = CommandContext & { actor: Actor };

/**
 * jsonb arrays go in as JSON text; the driver would otherwise send a JS array as a PostgreSQL array. Typed as
 * the column's value because TenantDb.insertInto takes plain values (Kysely passes the expression through).
 */
const jsonb = (actions: StoredAction[]) =>
  sql<StoredAction[]>`${JSON.stringify(actions)}::jsonb` as unknown as StoredAction[];

function missing(what: string, ids: number[]): HavenError {
  return new HavenError('CS_INVALID', {
    details: {
      actions: [{ description: `${what} ${ids.join(', ')} does not exist`, error: 'InvalidValue' }],
    },
  });
}

/** Groups, assignees and custom fields the actions name must exist in this account. */
async function assertReferencesExist(db: TenantDb, actions: StoredAction[]): Promise<void> {
  const { groupIds, userIds, fieldIds } = referencesOf(actions);
  const [groups, users, fields] = await Promise.all([
    groupIds.length
      ? db
          .selectFrom('groups')
          .select('id')
          .where('id', 'in', groupIds)
          .where('deleted', '=', false)
          .execute()
      : [],
    userIds.length
      ? db
          .selectFrom('users')
          .select('id')
          .where('id', 'in', userIds)
          .where('role', 'in', ['agent', 'admin'])
          .where('deleted_at', 'is', null)
          .execute()
      : [],
    fieldIds.length
      ? db
          .selectFrom('fields')
          .select('id')
          .where('id', 'in', fieldIds)
          .where('kind', '=', 'ticket')
          .where('system', '=', false)
          .execute()
      : [],
  ]);
  const absent = (ids: number[], found: { id: number }[]) =>
    ids.filter((id) => !found.some((f) => f.id === id));
  if (absent(groupIds, groups).length) throw missing('group_id: group', absent(groupIds, groups));
  if (absent(userIds, users).length) throw missing('assignee_id: agent', absent(userIds, users));
  if (absent(fieldIds, fields).length) throw missing('custom ticket field', absent(fieldIds, fields));
}

export async function createMacro(ctx: Ctx, input: MacroInput): Promise<MacroRow> {
  if (!input.title) throw invalid('title', 'Title: cannot be blank', 'BlankValue');
  const title = input.title;
  const actions = normalizeActions(input.actions ?? []);
  return ctx.db.transaction(async (db) => {
    const restriction = await resolveRestriction(db, ctx.actor, input.restriction, null);
    macroPolicy.assertCanRestrict(ctx.actor, restriction);
    await assertReferencesExist(db, actions);
    const row = await db
      .insertInto('macros', {
        title,
        description: input.description ?? null,
        active: input.active ?? true,
        position: input.position ?? (await nextPosition(db, 'macros')),
        ...restriction,
        actions: jsonb(actions),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendEvent(db, {
      type: MACRO_EVENTS.created,
      subjectType: 'macro',
      subjectId: row.id,
      actorId: ctx.actor.userId,
    });
    return { ...row, restriction_group_ids: restriction.restriction_group_ids };
  });
}

export async function updateMacro(ctx: Ctx, id: number, input: MacroInput): Promise<MacroRow> {
  return ctx.db.transaction(async (db) => {
    const macro = await findVisibleMacro(db, ctx.actor, id);
    macroPolicy.assertCanManage(ctx.actor, macro);
    const restriction = await resolveRestriction(db, ctx.actor, input.restriction, macro);
    if (input.restriction !== undefined) macroPolicy.assertCanRestrict(ctx.actor, restriction);
    const actions = input.actions !== undefined ? normalizeActions(input.actions) : macro.actions;
    if (input.actions !== undefined) await assertReferencesExist(db, actions);
    const changes = {
      ...(input.title !== undefined ? { title: input.title } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.active !== undefined ? { active: input.active } : {}),
      ...(input.position !== undefined ? { position: input.position } : {}),
      ...restriction,
      actions,
    };
    const changed = changedKeys(macro, changes);
    if (changed.length === 0) return macro;
    const row = await db
      .updateTable('macros')
      .set({ ...changes, actions: jsonb(actions), updated_at: new Date() })
      .where('id', '=', macro.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendEvent(db, {
      type: MACRO_EVENTS.updated,
      subjectType: 'macro',
      subjectId: macro.id,
      actorId: ctx.actor.userId,
      payload: { changes: changed },
    });
    return { ...row, restriction_group_ids: restriction.restriction_group_ids };
  });
}

export async function deleteMacro(ctx: Ctx, id: number): Promise<void> {
  await ctx.db.transaction(async (db) => {
    const macro = await findVisibleMacro(db, ctx.actor, id);
    macroPolicy.assertCanManage(ctx.actor, macro);
    await db.deleteFrom('macros').where('id', '=', macro.id).execute();
    await appendEvent(db, {
      type: MACRO_EVENTS.deleted,
      subjectType: 'macro',
      subjectId: macro.id,
      actorId: ctx.actor.userId,
    });
  });
}
