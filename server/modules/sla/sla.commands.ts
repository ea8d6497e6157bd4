import type { Actor } from '../../platform/auth/authenticate.ts';
import { type CommandContext, changedKeys } from '../../platform/commands.ts';
import { sql, type TenantDb } from '../../platform/db/tenant-db.ts';
import { appendEvent } from '../../platform/events/outbox.ts';
import { HavenError, invalid } from '../../platform/http/errors.ts';
import { assertRuleReferencesExist } from '../rules/rules.references.ts';
import type { ClockInterval } from './sla.clock.ts';
import { SLA_EVENTS } from './sla.events.ts';
import { filterOrganizationIds, filterReferences, normalizeFilter } from './sla.filter.ts';
import {
  defaultScheduleId,
  findHoliday,
  findPolicy,
  findSchedule,
  type HolidayRow,
  listPolicies,
  type PolicyRow,
  type ScheduleRow,
} from './sla.queries.ts';
import { DEFAULT_INTERVALS, type HolidayInput, type PolicyInput, type ScheduleInput } from './sla.schema.ts';
import type { StoredFilter, StoredPolicyMetric } from './sla.tables.ts';

type Ctx = CommandContext & { actor: Actor };

/** Bounds that keep the per-write work of loadSlaRules/computeSla small. */
const MAX_POLICIES = 100;
const MAX_SCHEDULES = 50;
const MAX_HOLIDAYS = 1_000;

/** jsonb goes in as JSON text; the driver would otherwise send a JS array as a PostgreSQL array. */
const jsonb = <T>(value: T) => sql<T>`${JSON.stringify(value)}::jsonb` as unknown as T;

async function event(db: TenantDb, ctx: Ctx, type: string, subject: string, id: number, changes?: string[]) {
  await appendEvent(db, {
    type,
    subjectType: subject,
    subjectId: id,
    actorId: ctx.actor.userId,
    ...(changes ? { payload: { changes } } : {}),
  });
}

async function count(db: TenantDb, table: 'sla_policies' | 'business_schedules'): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// ---------------------------------------------------------------------------------------------------------
// Schedules and holidays

export async function createSchedule(ctx: Ctx, input: ScheduleInput): Promise<ScheduleRow> {
  if (!input.name) throw invalid('name', 'Name: cannot be blank', 'BlankValue');
  if (!input.time_zone) throw invalid('time_zone', 'Time zone: cannot be blank', 'BlankValue');
  const { name, time_zone } = input;
  return ctx.db.transaction(async (db) => {
    if ((await count(db, 'business_schedules')) >= MAX_SCHEDULES) {
      throw invalid('base', `An account has at most ${MAX_SCHEDULES} schedules`, 'TooMany');
    }
    const row = await db
      .insertInto('business_schedules', {
        name,
        time_zone,
        intervals: jsonb<ClockInterval[]>(input.intervals ?? DEFAULT_INTERVALS),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await event(db, ctx, SLA_EVENTS.scheduleCreated, 'business_schedule', row.id);
    return row;
  });
}

async function changeSchedule(
  ctx: Ctx,
  id: number,
  changes: Partial<Pick<ScheduleRow, 'name' | 'time_zone' | 'intervals'>>,
): Promise<ScheduleRow> {
  return ctx.db.transaction(async (db) => {
    const schedule = await findSchedule(db, id);
    const changed = changedKeys(schedule, changes);
    if (changed.length === 0) return schedule;
    const row = await db
      .updateTable('business_schedules')
      .set({
        ...changes,
        ...(changes.intervals ? { intervals: jsonb(changes.intervals) } : {}),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await event(db, ctx, SLA_EVENTS.scheduleUpdated, 'business_schedule', id, changed);
    return row;
  });
}

export async function updateSchedule(ctx: Ctx, id: number, input: ScheduleInput): Promise<ScheduleRow> {
  return changeSchedule(ctx, id, {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.time_zone !== undefined ? { time_zone: input.time_zone } : {}),
    ...(input.intervals !== undefined ? { intervals: input.intervals } : {}),
  });
}

/** `PUT /schedules/{id}/workweek`: replaces the weekly intervals. */
export async function updateWorkweek(ctx: Ctx, id: number, intervals: ClockInterval[]): Promise<ScheduleRow> {
  return changeSchedule(ctx, id, { intervals });
}

export async function deleteSchedule(ctx: Ctx, id: number): Promise<void> {
  await ctx.db.transaction(async (db) => {
    await findSchedule(db, id);
    await db.deleteFrom('business_schedules').where('id', '=', id).execute();
    await event(db, ctx, SLA_EVENTS.scheduleDeleted, 'business_schedule', id);
  });
}

function holidayDates(input: HolidayInput, current: HolidayRow | null) {
  const start = input.start_date ?? current?.start_date;
  const end = input.end_date ?? current?.end_date ?? start;
  if (!start) throw invalid('start_date', 'Start date: cannot be blank', 'BlankValue');
  if (end! < start) throw invalid('end_date', 'End date: cannot be before the start date', 'InvalidValue');
  return { start_date: start, end_date: end! };
}

export async function createHoliday(ctx: Ctx, scheduleId: number, input: HolidayInput): Promise<HolidayRow> {
  return ctx.db.transaction(async (db) => {
    // Another account's schedule is a 404 before anything about the body is said.
    await findSchedule(db, scheduleId);
    if (!input.name) throw invalid('name', 'Name: cannot be blank', 'BlankValue');
    const name = input.name;
    const dates = holidayDates(input, null);
    const existing = await db
      .selectFrom('business_holidays')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('schedule_id', '=', scheduleId)
      .executeTakeFirstOrThrow();
    if (Number(existing.n) >= MAX_HOLIDAYS) {
      throw invalid('base', `A schedule has at most ${MAX_HOLIDAYS} holidays`, 'TooMany');
    }
    const { id } = await db
      .insertInto('business_holidays', { schedule_id: scheduleId, name, ...dates })
      .returning('id')
      .executeTakeFirstOrThrow();
    await event(db, ctx, SLA_EVENTS.scheduleUpdated, 'business_schedule', scheduleId, ['holidays']);
    return findHoliday(db, scheduleId, id);
  });
}

export async function updateHoliday(
  ctx: Ctx,
  scheduleId: number,
  id: number,
  input: HolidayInput,
): Promise<HolidayRow> {
  return ctx.db.transaction(async (db) => {
    const holiday = await findHoliday(db, scheduleId, id);
    const changes = {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...holidayDates(input, holiday),
    };
    if (changedKeys(holiday, changes).length === 0) return holiday;
    await db
      .updateTable('business_holidays')
      .set({ ...changes, updated_at: new Date() })
      .where('id', '=', id)
      .execute();
    await event(db, ctx, SLA_EVENTS.scheduleUpdated, 'business_schedule', scheduleId, ['holidays']);
    return findHoliday(db, scheduleId, id);
  });
}

export async function deleteHoliday(ctx: Ctx, scheduleId: number, id: number): Promise<void> {
  await ctx.db.transaction(async (db) => {
    await findHoliday(db, scheduleId, id);
    await db.deleteFrom('business_holidays').where('id', '=', id).execute();
    await event(db, ctx, SLA_EVENTS.scheduleUpdated, 'business_schedule', scheduleId, ['holidays']);
  });
}

// ---------------------------------------------------------------------------------------------------------
// Policies

/** What a policy names must exist: groups, users and custom fields; business hours need a schedule. */
async function assertPolicyValid(db: TenantDb, filter: StoredFilter, metrics: StoredPolicyMetric[]) {
  await assertRuleReferencesExist(db, filterReferences(filter));
  const organizationIds = filterOrganizationIds(filter);
  if (organizationIds.length) {
    const found = await db
      .selectFrom('organizations')
      .select('id')
      .where('id', 'in', organizationIds)
      .execute();
    const absent = organizationIds.filter((id) => !found.some((f) => f.id === id));
    if (absent.length) {
      throw invalid('filter', `organization ${absent.join(', ')} does not exist`, 'InvalidValue');
    }
  }
  if (metrics.some((m) => m.business_hours) && (await defaultScheduleId(db)) === null) {
    throw invalid(
      'policy_metrics',
      'Policy metrics: business hours targets need a schedule (create one at /api/v2/business_hours/schedules)',
      'InvalidValue',
    );
  }
}

export async function createPolicy(ctx: Ctx, input: PolicyInput): Promise<PolicyRow> {
  if (!input.title) throw invalid('title', 'Title: cannot be blank', 'BlankValue');
  if (!input.filter) throw invalid('filter', 'Filter: cannot be blank', 'BlankValue');
  const title = input.title;
  const filter = normalizeFilter(input.filter);
  const metrics = input.policy_metrics ?? [];
  return ctx.db.transaction(async (db) => {
    if ((await count(db, 'sla_policies')) >= MAX_POLICIES) {
      throw invalid('base', `An account has at most ${MAX_POLICIES} SLA policies`, 'TooMany');
    }
    await assertPolicyValid(db, filter, metrics);
    const row = await db
      .insertInto('sla_policies', {
        title,
        description: input.description ?? '',
        position: input.position ?? (await nextPolicyPosition(db)),
        filter: jsonb(filter),
        policy_metrics: jsonb(metrics),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await event(db, ctx, SLA_EVENTS.policyCreated, 'sla_policy', row.id);
    return row;
  });
}

async function nextPolicyPosition(db: TenantDb): Promise<number> {
  const row = await db
    .selectFrom('sla_policies')
    .select(sql<number | null>`max(position)`.as('max'))
    .executeTakeFirst();
  return row?.max === null || row?.max === undefined ? 1 : Number(row.max) + 1;
}

export async function updatePolicy(ctx: Ctx, id: number, input: PolicyInput): Promise<PolicyRow> {
  const filter = input.filter !== undefined ? normalizeFilter(input.filter) : undefined;
  return ctx.db.transaction(async (db) => {
    const policy = await findPolicy(db, id);
    const changes = {
      ...(input.title !== undefined ? { title: input.title } : {}),
      ...(input.description !== undefined ? { description: input.description ?? '' } : {}),
      ...(input.position !== undefined ? { position: input.position } : {}),
      ...(filter !== undefined ? { filter } : {}),
      ...(input.policy_metrics !== undefined ? { policy_metrics: input.policy_metrics } : {}),
    };
    const changed = changedKeys(policy, changes);
    if (changed.length === 0) return policy;
    if (filter !== undefined || input.policy_metrics !== undefined) {
      await assertPolicyValid(db, filter ?? policy.filter, input.policy_metrics ?? policy.policy_metrics);
    }
    const row = await db
      .updateTable('sla_policies')
      .set({
        ...changes,
        ...(changes.filter ? { filter: jsonb(changes.filter) } : {}),
        ...(changes.policy_metrics ? { policy_metrics: jsonb(changes.policy_metrics) } : {}),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await event(db, ctx, SLA_EVENTS.policyUpdated, 'sla_policy', id, changed);
    return row;
  });
}

export async function deletePolicy(ctx: Ctx, id: number): Promise<void> {
  await ctx.db.transaction(async (db) => {
    await findPolicy(db, id);
    await db.deleteFrom('sla_policies').where('id', '=', id).execute();
    await event(db, ctx, SLA_EVENTS.policyDeleted, 'sla_policy', id);
  });
}

/**
 * `PUT /slas/policies/reorder`: the listed policies take positions 1, 2 … in that order; any not listed
 * follow in their current order. Every id must be one of the account's policies.
 */
export async function reorderPolicies(ctx: Ctx, ids: number[]): Promise<PolicyRow[]> {
  if (new Set(ids).size !== ids.length) {
    throw invalid('sla_policy_ids', 'SLA policy ids: lists a policy more than once', 'InvalidValue');
  }
  return ctx.db.transaction(async (db) => {
    const policies = await listPolicies(db);
    const unknown = ids.filter((id) => !policies.some((p) => p.id === id));
    if (unknown.length) {
      throw new HavenError('CS_INVALID', {
        details: {
          sla_policy_ids: [
            { description: `SLA policy ${unknown.join(', ')} does not exist`, error: 'InvalidValue' },
          ],
        },
      });
    }
    const order = [...ids, ...policies.map((p) => p.id).filter((id) => !ids.includes(id))];
    const moved = order.filter((id, i) => policies.find((p) => p.id === id)!.position !== i + 1);
    if (moved.length) {
      const positions = sql.join(moved.map((id) => sql`(${id}::bigint, ${order.indexOf(id) + 1}::int)`));
      await sql`update sla_policies set position = v.position, updated_at = now()
        from (values ${positions}) as v (id, position)
        where sla_policies.account_id = ${db.accountId} and sla_policies.id = v.id`.execute(db.connection);
      await appendEvent(db, {
        type: SLA_EVENTS.policiesReordered,
        subjectType: 'sla_policy',
        subjectId: null,
        actorId: ctx.actor.userId,
        payload: { ids: order },
      });
    }
    return listPolicies(db);
  });
}
