import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { type PaginationQuery, paginate } from '../../platform/http/pagination.ts';
import type { FieldOptionRow, FieldRow, FieldWithOptions } from './fields.presenter.ts';
import type { FieldRef } from './fields.schema.ts';
import type { FieldKind } from './fields.tables.ts';

export type { FieldOptionRow, FieldRow, FieldWithOptions };

/** A field of one kind, by id or (user and organization fields) by key. */
export async function findField(db: TenantDb, kind: FieldKind, ref: FieldRef): Promise<FieldRow | undefined> {
  const q = db.selectFrom('fields').selectAll().where('kind', '=', kind);
  return (typeof ref === 'number' ? q.where('id', '=', ref) : q.where('key', '=', ref)).executeTakeFirst();
}

/** Fields of one kind named by ids (tickets) or keys (users, organizations); unknown ones are left out. */
export async function findFieldsByRefs(db: TenantDb, kind: FieldKind, refs: FieldRef[]): Promise<FieldRow[]> {
  const ids = refs.filter((r): r is number => typeof r === 'number');
  const keys = refs.filter((r): r is string => typeof r === 'string');
  if (ids.length === 0 && keys.length === 0) return [];
  return db
    .selectFrom('fields')
    .selectAll()
    .where('kind', '=', kind)
    .where((eb) =>
      eb.or([...(ids.length ? [eb('id', 'in', ids)] : []), ...(keys.length ? [eb('key', 'in', keys)] : [])]),
    )
    .execute();
}

/** The options of several fields at once, each field's in position order. */
export async function optionsByField(
  db: TenantDb,
  fieldIds: number[],
): Promise<Map<number, FieldOptionRow[]>> {
  const byField = new Map<number, FieldOptionRow[]>(fieldIds.map((id) => [id, []]));
  if (fieldIds.length === 0) return byField;
  const rows = await db
    .selectFrom('field_options')
    .selectAll()
    .where('field_id', 'in', fieldIds)
    .orderBy('position')
    .orderBy('id')
    .execute();
  for (const row of rows) byField.get(row.field_id)?.push(row);
  return byField;
}

export async function withOptions(db: TenantDb, fields: FieldRow[]): Promise<FieldWithOptions[]> {
  const options = await optionsByField(
    db,
    fields.map((f) => f.id),
  );
  return fields.map((f) => ({ ...f, options: options.get(f.id) ?? [] }));
}

/** One kind's fields; end-users (`portalOnly`) see only active ticket fields shown in the help center. */
export async function listFields(
  db: TenantDb,
  kind: FieldKind,
  page: PaginationQuery,
  options: { portalOnly?: boolean } = {},
) {
  let q = db.selectFrom('fields').selectAll().where('kind', '=', kind);
  if (options.portalOnly) q = q.where('visible_in_portal', '=', true).where('active', '=', true);
  return paginate(q, 'fields.id', page);
}

export async function findOption(
  db: TenantDb,
  fieldId: number,
  optionId: number,
): Promise<FieldOptionRow | undefined> {
  return db
    .selectFrom('field_options')
    .selectAll()
    .where('field_id', '=', fieldId)
    .where('id', '=', optionId)
    .executeTakeFirst();
}

export async function listOptions(db: TenantDb, fieldId: number, page: PaginationQuery) {
  return paginate(
    db.selectFrom('field_options').selectAll().where('field_id', '=', fieldId),
    'field_options.id',
    page,
  );
}

/** The next free position at the end of one kind's fields. */
export async function nextFieldPosition(db: TenantDb, kind: FieldKind): Promise<number> {
  const row = await db
    .selectFrom('fields')
    .select((eb) => eb.fn.max('position').as('max'))
    .where('kind', '=', kind)
    .executeTakeFirst();
  return row?.max === null || row?.max === undefined ? 0 : Number(row.max) + 1;
}

/**
 * Active custom ticket field ids in position order: what a ticket lists under `custom_fields`. Runs on every
 * ticket read, so it is one query answered by the partial index fields_active_custom.
 */
export async function activeCustomTicketFieldIds(db: TenantDb): Promise<number[]> {
  const rows = await db
    .selectFrom('fields')
    .select('id')
    .where('kind', '=', 'ticket')
    .where('active', '=', true)
    .where('system', '=', false)
    .orderBy('position')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}
