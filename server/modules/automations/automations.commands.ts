import type { Actor } from '../../platform/auth/authenticate.ts';
import { type CommandContext, changedKeys } from '../../platform/commands.ts';
import { sql, type TenantDb } from '../../platform/db/tenant-db.ts';
import { appendEvent } from '../../platform/events/outbox.ts';
import { invalid } from '../../platform/http/errors.ts';
import { normalizeRuleActions, ruleReferences, type StoredRuleAction } from '../rules/rules.actions.ts';
import { nextRulePosition } from '../rules/rules.queries.ts';
import { assertRuleReferencesExist, mergeReferences } from '../rules/rules.references.ts';
import { customFieldIdsIn, normalizeConditions } from '../views/views.conditions.ts';
import type { StoredConditions } from '../views/views.tables.ts';
import { AUTOMATION_EVENTS } from './automations.events.ts';
import { type AutomationRow, findAutomation, findAutomations } from './automations.queries.ts';
import { assertAutomationRules } from './automations.rules.ts';
import type { AutomationInput } from './automations.schema.ts';

type Ctx = CommandContext & { actor: Actor };

/** jsonb goes in as JSON text (the driver would send a JS array as a PostgreSQL array). */
const jsonb = <T>(value: T) => sql<T>`${JSON.stringify(value)}::jsonb` as unknown as T;

const ID_FIELDS: Record<string, 'groupIds' | 'userIds'> = {
  group_id: 'groupIds',
  assignee_id: 'userIds',
  requester_id: 'userIds',
  submitter_id: 'userIds',
};

/** Groups, users and custom fields the conditions name by id. */
function conditionReferences(conditions: StoredConditions) {
  const refs = { groupIds: [] as number[], userIds: [] as number[], fieldIds: customFieldIdsIn(conditions) };
  for (const c of [...conditions.all, ...conditions.any]) {
    const key = ID_FIELDS[c.field];
    const id = Number(c.value);
    if (key && Number.isSafeInteger(id) && id > 0) refs[key].push(id);
  }
  return refs;
}

/**
 * Conditions from either accepted form. `conditions` replaces both lists (Zendesk's PUT); a top-level `all`
 * or `any` replaces the list it names; neither keeps the current conditions.
 */
function conditionsFrom(input: AutomationInput, current: StoredConditions | null) {
  if (input.conditions) return { all: input.conditions.all ?? [], any: input.conditions.any ?? [] };
  return { all: input.all ?? current?.all ?? [], any: input.any ?? current?.any ?? [] };
}

/** Validates conditions and actions together, as one automation; the references must exist. */
export async function validatedRules(
  db: TenantDb,
  rawConditions: { all?: unknown; any?: unknown },
  rawActions: unknown,
) {
  const conditions = normalizeConditions(rawConditions, 'automation');
  const actions = normalizeRuleActions(rawActions, 'automation');
  assertAutomationRules(conditions, actions);
  await assertRuleReferencesExist(
    db,
    mergeReferences(conditionReferences(conditions), ruleReferences(actions)),
  );
  return { conditions, actions };
}

async function event(db: TenantDb, ctx: Ctx, type: string, id: number, changes?: string[]) {
  await appendEvent(db, {
    type,
    subjectType: 'automation',
    subjectId: id,
    actorId: ctx.actor.userId,
    ...(changes ? { payload: { changes } } : {}),
  });
}

export async function createAutomation(ctx: Ctx, input: AutomationInput): Promise<AutomationRow> {
  if (!input.title) throw invalid('title', 'Title: cannot be blank', 'BlankValue');
  const title = input.title;
  return ctx.db.transaction(async (db) => {
    const { conditions, actions } = await validatedRules(
      db,
      conditionsFrom(input, null),
      input.actions ?? [],
    );
    const row = await db
      .insertInto('automations', {
        title,
        active: input.active ?? true,
        position: input.position ?? (await nextRulePosition(db, 'automations')),
        conditions: jsonb(conditions),
        actions: jsonb(actions),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await event(db, ctx, AUTOMATION_EVENTS.created, row.id);
    return row;
  });
}

export async function updateAutomation(ctx: Ctx, id: number, input: AutomationInput): Promise<AutomationRow> {
  return ctx.db.transaction(async (db) => {
    const automation = await findAutomation(db, id);
    const rulesChanged =
      input.conditions !== undefined ||
      input.all !== undefined ||
      input.any !== undefined ||
      input.actions !== undefined;
    const { conditions, actions } = rulesChanged
      ? await validatedRules(
          db,
          conditionsFrom(input, automation.conditions),
          input.actions ?? automation.actions,
        )
      : automation;
    const changes = {
      ...(input.title !== undefined ? { title: input.title } : {}),
      ...(input.active !== undefined ? { active: input.active } : {}),
      ...(input.position !== undefined ? { position: input.position } : {}),
      conditions,
      actions,
    };
    const changed = changedKeys(automation, changes);
    if (changed.length === 0) return automation;
    const row = await db
      .updateTable('automations')
      .set({ ...changes, conditions: jsonb(conditions), actions: jsonb(actions), updated_at: new Date() })
      .where('id', '=', automation.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    // What it acted on under its old conditions says nothing about the new ones (automations.run.ts).
    if (changed.includes('conditions') || changed.includes('actions')) {
      await db.deleteFrom('automation_runs').where('automation_id', '=', automation.id).execute();
    }
    await event(db, ctx, AUTOMATION_EVENTS.updated, automation.id, changed);
    return row;
  });
}

/** Deletes automations by id, all or none: an id this account does not have is a 404. */
export async function deleteAutomations(ctx: Ctx, ids: number[]): Promise<void> {
  await ctx.db.transaction(async (db) => {
    await findAutomations(db, ids);
    await db.deleteFrom('automations').where('id', 'in', ids).execute();
    for (const id of ids) await event(db, ctx, AUTOMATION_EVENTS.deleted, id);
  });
}

/** Several automations' positions or active flags in one transaction (`PUT /automations/update_many`). */
export async function updateManyAutomations(
  ctx: Ctx,
  items: { id: number; position?: number; active?: boolean }[],
): Promise<AutomationRow[]> {
  return ctx.db.transaction(async (db) => {
    const current = await findAutomations(
      db,
      items.map((i) => i.id),
    );
    const rows: AutomationRow[] = [];
    for (const item of items) {
      const automation = current.find((a) => a.id === item.id)!;
      const changes = {
        ...(item.position !== undefined ? { position: item.position } : {}),
        ...(item.active !== undefined ? { active: item.active } : {}),
      };
      const changed = changedKeys(automation, changes);
      if (changed.length === 0) {
        rows.push(automation);
        continue;
      }
      rows.push(
        await db
          .updateTable('automations')
          .set({ ...changes, updated_at: new Date() })
          .where('id', '=', item.id)
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      await event(db, ctx, AUTOMATION_EVENTS.updated, item.id, changed);
    }
    return rows;
  });
}

/** Inserts an automation a new account starts with (written in the account's creating transaction). */
export async function insertDefaultAutomation(
  db: TenantDb,
  position: number,
  a: { title: string; active: boolean; conditions: StoredConditions; actions: StoredRuleAction[] },
): Promise<void> {
  const conditions = normalizeConditions(a.conditions, 'automation');
  const actions = normalizeRuleActions(a.actions, 'automation');
  assertAutomationRules(conditions, actions);
  await db
    .insertInto('automations', {
      title: a.title,
      active: a.active,
      position,
      default: true,
      conditions: jsonb(conditions),
      actions: jsonb(actions),
    })
    .execute();
}
