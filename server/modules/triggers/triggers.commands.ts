import type { Actor } from '../../platform/auth/authenticate.ts';
import { type CommandContext, changedKeys } from '../../platform/commands.ts';
import { sql, type TenantDb } from '../../platform/db/tenant-db.ts';
import { appendEvent } from '../../platform/events/outbox.ts';
import { invalid } from '../../platform/http/errors.ts';
import { normalizeRuleActions, ruleReferences, type StoredRuleAction } from '../rules/rules.actions.ts';
import { nextRulePosition } from '../rules/rules.queries.ts';
import { assertRuleReferencesExist, mergeReferences } from '../rules/rules.references.ts';
import { conditionReferences, normalizeConditions, type StoredConditions } from './triggers.conditions.ts';
import { TRIGGER_EVENTS } from './triggers.events.ts';
import type { TriggerRow } from './triggers.presenter.ts';
import { findTrigger } from './triggers.queries.ts';
import type { TriggerInput } from './triggers.schema.ts';

type Ctx = CommandContext & { actor: Actor };

/** jsonb goes in as JSON text (the driver would send a JS array as a PostgreSQL array). */
const jsonb = <T>(value: T) => sql<T>`${JSON.stringify(value)}::jsonb` as unknown as T;

async function validated(db: TenantDb, conditions: StoredConditions, actions: StoredRuleAction[]) {
  await assertRuleReferencesExist(
    db,
    mergeReferences(conditionReferences(conditions), ruleReferences(actions)),
  );
}

async function event(db: TenantDb, ctx: Ctx, type: string, id: number | null, changes?: string[]) {
  await appendEvent(db, {
    type,
    subjectType: 'trigger',
    subjectId: id,
    actorId: ctx.actor.userId,
    ...(changes ? { payload: { changes } } : {}),
  });
}

export async function createTrigger(ctx: Ctx, input: TriggerInput): Promise<TriggerRow> {
  if (!input.title) throw invalid('title', 'Title: cannot be blank', 'BlankValue');
  const title = input.title;
  const conditions = normalizeConditions(input.conditions);
  const actions = normalizeRuleActions(input.actions ?? [], 'trigger');
  return ctx.db.transaction(async (db) => {
    await validated(db, conditions, actions);
    const row = await db
      .insertInto('triggers', {
        title,
        description: input.description ?? null,
        active: input.active ?? true,
        position: input.position ?? (await nextRulePosition(db, 'triggers')),
        conditions: jsonb(conditions),
        actions: jsonb(actions),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await event(db, ctx, TRIGGER_EVENTS.created, row.id);
    return row;
  });
}

export async function updateTrigger(ctx: Ctx, id: number, input: TriggerInput): Promise<TriggerRow> {
  return ctx.db.transaction(async (db) => {
    const trigger = await findTrigger(db, id);
    if (input.title !== undefined && !input.title)
      throw invalid('title', 'Title: cannot be blank', 'BlankValue');
    const conditions =
      input.conditions !== undefined ? normalizeConditions(input.conditions) : trigger.conditions;
    const actions =
      input.actions !== undefined ? normalizeRuleActions(input.actions, 'trigger') : trigger.actions;
    if (input.conditions !== undefined || input.actions !== undefined)
      await validated(db, conditions, actions);
    const changes = {
      ...(input.title !== undefined ? { title: input.title } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.active !== undefined ? { active: input.active } : {}),
      ...(input.position !== undefined ? { position: input.position } : {}),
      conditions,
      actions,
    };
    const changed = changedKeys(trigger, changes);
    if (changed.length === 0) return trigger;
    const row = await db
      .updateTable('triggers')
      .set({ ...changes, conditions: jsonb(conditions), actions: jsonb(actions), updated_at: new Date() })
      .where('id', '=', trigger.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await event(db, ctx, TRIGGER_EVENTS.updated, trigger.id, changed);
    return row;
  });
}

export async function deleteTriggers(ctx: Ctx, ids: number[]): Promise<void> {
  await ctx.db.transaction(async (db) => {
    for (const id of ids) await findTrigger(db, id);
    await db.deleteFrom('triggers').where('id', 'in', ids).execute();
    for (const id of ids) await event(db, ctx, TRIGGER_EVENTS.deleted, id);
  });
}

/** Positions follow the order of `ids`; triggers not named keep their order after them (Zendesk's reorder). */
export async function reorderTriggers(ctx: Ctx, ids: number[]): Promise<void> {
  await ctx.db.transaction(async (db) => {
    const all = await db.selectFrom('triggers').select('id').orderBy('position').orderBy('id').execute();
    const known = new Set(all.map((r) => r.id));
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length)
      throw invalid('trigger_ids', `Triggers ${unknown.join(', ')} do not exist`, 'InvalidValue');
    const order = [...new Set(ids), ...all.map((r) => r.id).filter((id) => !ids.includes(id))];
    for (const [position, id] of order.entries()) {
      await db.updateTable('triggers').set({ position }).where('id', '=', id).execute();
    }
    await event(db, ctx, TRIGGER_EVENTS.reordered, null);
  });
}

/** Several triggers' positions or active flags in one transaction (`PUT /triggers/update_many`). */
export async function updateManyTriggers(
  ctx: Ctx,
  items: { id: number; position?: number; active?: boolean }[],
): Promise<TriggerRow[]> {
  return ctx.db.transaction(async (db) => {
    const rows: TriggerRow[] = [];
    for (const item of items) {
      await findTrigger(db, item.id);
      const set = {
        ...(item.position !== undefined ? { position: item.position } : {}),
        ...(item.active !== undefined ? { active: item.active } : {}),
        updated_at: new Date(),
      };
      rows.push(
        await db
          .updateTable('triggers')
          .set(set)
          .where('id', '=', item.id)
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      await event(
        db,
        ctx,
        TRIGGER_EVENTS.updated,
        item.id,
        Object.keys(set).filter((k) => k !== 'updated_at'),
      );
    }
    return rows;
  });
}

/** Inserts a trigger a new account starts with (no actor: written in the account's creating transaction). */
export async function insertDefaultTrigger(
  db: TenantDb,
  position: number,
  t: { title: string; description: string; conditions: unknown; actions: unknown[] },
): Promise<void> {
  await db
    .insertInto('triggers', {
      title: t.title,
      description: t.description,
      position,
      default: true,
      conditions: jsonb(normalizeConditions(t.conditions as { all?: unknown; any?: unknown })),
      actions: jsonb(normalizeRuleActions(t.actions, 'trigger')),
    })
    .execute();
}
