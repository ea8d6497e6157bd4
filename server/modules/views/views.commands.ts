import type { Actor } from '../../platform/auth/authenticate.ts';
import { type CommandContext, changedKeys } from '../../platform/commands.ts';
import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { appendEvent } from '../../platform/events/outbox.ts';
import { invalid } from '../../platform/http/errors.ts';
import { normalizeExecution } from './views.columns.ts';
import { customFieldIdsIn, normalizeConditions } from './views.conditions.ts';
import { VIEW_EVENTS } from './views.events.ts';
import { type Restricted, rulePolicy } from './views.policy.ts';
import { findVisibleView, nextPosition, type ViewRow } from './views.queries.ts';
import type { RestrictionInput, ViewInput } from './views.schema.ts';
import type { StoredConditions } from './views.tables.ts';

/**
 * Who a new or changed rule (view or macro) is for. Omitted on create: an admin's is shared with everyone,
 * an agent's is personal. Omitted on update: unchanged. Named users must be agents, named groups must exist.
 */
export async function resolveRestriction(
  db: TenantDb,
  actor: Actor,
  input: RestrictionInput | undefined,
  current: Restricted | null,
): Promise<Restricted> {
  if (input === undefined) {
    if (current)
      return { owner_user_id: current.owner_user_id, restriction_group_ids: current.restriction_group_ids };
    return actor.role === 'admin'
      ? { owner_user_id: null, restriction_group_ids: null }
      : { owner_user_id: actor.userId, restriction_group_ids: null };
  }
  if (input === null) return { owner_user_id: null, restriction_group_ids: null };
  if (input.type === 'User') {
    if (input.id === undefined)
      throw invalid('restriction', 'Restriction: a User restriction needs an id', 'BlankValue');
    const user = await db
      .selectFrom('users')
      .select(['id', 'role'])
      .where('id', '=', input.id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!user || user.role === 'end-user') {
      throw invalid(
        'restriction',
        `Restriction: user ${input.id} is not an agent of this account`,
        'InvalidValue',
      );
    }
    return { owner_user_id: user.id, restriction_group_ids: null };
  }
  const ids = [...new Set(input.ids ?? (input.id !== undefined ? [input.id] : []))];
  if (ids.length === 0)
    throw invalid('restriction', 'Restriction: a Group restriction needs ids', 'BlankValue');
  const found = await db
    .selectFrom('groups')
    .select('id')
    .where('id', 'in', ids)
    .where('deleted', '=', false)
    .execute();
  const missing = ids.filter((id) => !found.some((g) => g.id === id));
  if (missing.length) {
    throw invalid('restriction', `Restriction: group ${missing.join(', ')} does not exist`, 'InvalidValue');
  }
  return { owner_user_id: null, restriction_group_ids: ids };
}

/** Custom field conditions must name ticket fields that exist. */
async function assertFieldsExist(db: TenantDb, conditions: StoredConditions): Promise<void> {
  const ids = customFieldIdsIn(conditions);
  if (!ids.length) return;
  const found = await db
    .selectFrom('fields')
    .select('id')
    .where('kind', '=', 'ticket')
    .where('system', '=', false)
    .where('id', 'in', ids)
    .execute();
  const missing = ids.filter((id) => !found.some((f) => f.id === id));
  if (missing.length) {
    throw invalid(
      'conditions',
      `custom_fields_${missing[0]}: there is no custom ticket field ${missing[0]}`,
      'UnknownField',
    );
  }
}

/** Conditions from any of the accepted forms; each list left out keeps its current value (Zendesk's PUT). */
function conditionsFrom(input: ViewInput, current: StoredConditions | null): StoredConditions {
  const all = input.all ?? input.conditions?.all ?? current?.all;
  const any = input.any ?? input.conditions?.any ?? current?.any;
  return normalizeConditions({ all, any });
}

export async function createView(ctx: CommandContext & { actor: Actor }, input: ViewInput): Promise<ViewRow> {
  if (!input.title) throw invalid('title', 'Title: cannot be blank', 'BlankValue');
  const title = input.title;
  const conditions = conditionsFrom(input, null);
  const execution = normalizeExecution(input.output ?? input.execution ?? {});
  return ctx.db.transaction(async (db) => {
    const restriction = await resolveRestriction(db, ctx.actor, input.restriction, null);
    rulePolicy.assertCanRestrict(ctx.actor, restriction, 'views');
    await assertFieldsExist(db, conditions);
    const row = await db
      .insertInto('views', {
        title,
        description: input.description ?? null,
        active: input.active ?? true,
        position: input.position ?? (await nextPosition(db, 'views')),
        ...restriction,
        conditions,
        execution,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendEvent(db, {
      type: VIEW_EVENTS.created,
      subjectType: 'view',
      subjectId: row.id,
      actorId: ctx.actor.userId,
    });
    return { ...row, restriction_group_ids: restriction.restriction_group_ids };
  });
}

export async function updateView(
  ctx: CommandContext & { actor: Actor },
  id: number,
  input: ViewInput,
): Promise<ViewRow> {
  return ctx.db.transaction(async (db) => {
    const { view } = await findVisibleView(db, ctx.actor, id);
    rulePolicy.assertCanManage(ctx.actor, view, 'views');
    const restriction = await resolveRestriction(db, ctx.actor, input.restriction, view);
    if (input.restriction !== undefined) rulePolicy.assertCanRestrict(ctx.actor, restriction, 'views');
    const conditions = conditionsFrom(input, view.conditions);
    await assertFieldsExist(db, conditions);
    const output = input.output ?? input.execution;
    const changes = {
      ...(input.title !== undefined ? { title: input.title } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.active !== undefined ? { active: input.active } : {}),
      ...(input.position !== undefined ? { position: input.position } : {}),
      ...restriction,
      conditions,
      execution: output ? normalizeExecution(output, view.execution) : view.execution,
    };
    const changed = changedKeys(view, changes);
    if (changed.length === 0) return view;
    const row = await db
      .updateTable('views')
      .set({ ...changes, updated_at: new Date() })
      .where('id', '=', view.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendEvent(db, {
      type: VIEW_EVENTS.updated,
      subjectType: 'view',
      subjectId: view.id,
      actorId: ctx.actor.userId,
      payload: { changes: changed },
    });
    return { ...row, restriction_group_ids: restriction.restriction_group_ids };
  });
}

export async function deleteView(ctx: CommandContext & { actor: Actor }, id: number): Promise<void> {
  await ctx.db.transaction(async (db) => {
    const { view } = await findVisibleView(db, ctx.actor, id);
    rulePolicy.assertCanManage(ctx.actor, view, 'views');
    await db.deleteFrom('views').where('id', '=', view.id).execute();
    await appendEvent(db, {
      type: VIEW_EVENTS.deleted,
      subjectType: 'view',
      subjectId: view.id,
      actorId: ctx.actor.userId,
    });
  });
}
