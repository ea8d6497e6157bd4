import type { Selectable } from 'kysely';
import { sql, type TenantDb } from '../../platform/db/tenant-db.ts';
import { notFound } from '../../platform/http/errors.ts';
import { accountLists } from '../rules/rules.queries.ts';
import type { BusinessHolidaysTable, BusinessSchedulesTable, SlaPoliciesTable } from './sla.tables.ts';

export type ScheduleRow = Selectable<BusinessSchedulesTable>;
export type HolidayRow = Selectable<BusinessHolidaysTable>;
export type PolicyRow = Selectable<SlaPoliciesTable>;

/** Dates come back as text: the driver would make a local-midnight Date of a `date`. */
const holidayColumns = [
  'id',
  'account_id',
  'schedule_id',
  'name',
  sql<string>`to_char(start_date, 'YYYY-MM-DD')`.as('start_date'),
  sql<string>`to_char(end_date, 'YYYY-MM-DD')`.as('end_date'),
  'created_at',
  'updated_at',
] as const;

export async function listSchedules(db: TenantDb): Promise<ScheduleRow[]> {
  return db.selectFrom('business_schedules').selectAll().orderBy('id').execute();
}

export async function findSchedule(db: TenantDb, id: number): Promise<ScheduleRow> {
  const row = await db.selectFrom('business_schedules').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

/** The account's default schedule: the one created first (lowest id). */
export async function defaultScheduleId(db: TenantDb): Promise<number | null> {
  const row = await db
    .selectFrom('business_schedules')
    .select('id')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function listHolidays(db: TenantDb, scheduleId: number): Promise<HolidayRow[]> {
  return db
    .selectFrom('business_holidays')
    .select(holidayColumns)
    .where('schedule_id', '=', scheduleId)
    .orderBy('start_date')
    .orderBy('id')
    .execute();
}

export async function findHoliday(db: TenantDb, scheduleId: number, id: number): Promise<HolidayRow> {
  const row = await db
    .selectFrom('business_holidays')
    .select(holidayColumns)
    .where('schedule_id', '=', scheduleId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

/** Policies in the order they are matched: position, then id. */
export async function listPolicies(db: TenantDb): Promise<PolicyRow[]> {
  return db.selectFrom('sla_policies').selectAll().orderBy('position').orderBy('id').execute();
}

export async function findPolicy(db: TenantDb, id: number): Promise<PolicyRow> {
  const row = await db.selectFrom('sla_policies').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

/** Groups, agents and custom ticket fields (with options) of the account, for the filter definitions. */
export async function definitionLists(db: TenantDb) {
  const [{ groups, agents, fields }, options] = await Promise.all([
    accountLists(db),
    db
      .selectFrom('field_options')
      .innerJoin('fields', (j) =>
        j
          .onRef('fields.account_id', '=', 'field_options.account_id')
          .onRef('fields.id', '=', 'field_options.field_id'),
      )
      .select(['field_options.field_id', 'field_options.name', 'field_options.value'])
      .where('fields.kind', '=', 'ticket')
      .orderBy('field_options.position')
      .execute(),
  ]);
  return {
    groups,
    agents,
    fields: fields.map((f) => ({
      ...f,
      options: options.filter((o) => o.field_id === f.id).map((o) => ({ name: o.name, value: o.value })),
    })),
  };
}
