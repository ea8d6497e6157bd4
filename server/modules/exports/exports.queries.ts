import { sql, type TenantDb } from '../../platform/db/tenant-db.ts';
import type { OrganizationRow } from '../organizations/organizations.queries.ts';
import type { AuditRow, CommentRow, TicketRow } from '../tickets/tickets.queries.ts';
import { type UserRow, usersWithPrimaryEmail } from '../users/users.queries.ts';
import type { CursorPosition } from './exports.schema.ts';

/** A slice of one table's rows by change time: `[from, before)` in whole seconds, oldest first. */
export interface TimeSlice {
  from: number;
  before?: number;
  limit?: number;
}

export interface TimePage<R> {
  rows: R[];
  /** Where the next page starts (`start_time` of `next_page`). */
  endTime: number;
  endOfStream: boolean;
}

const second = (d: Date) => Math.floor(d.getTime() / 1000);
const at = (seconds: number) => new Date(seconds * 1000);

/**
 * One page of a time-based export. Pages hold whole seconds, so that the next page can start at a second
 * without repeating or skipping rows whatever the page size:
 * - more rows remain: the page ends before the second of the first row that did not fit, and the next page
 *   starts at that second (`end_time`);
 * - more rows than a page share the first second: the page is that whole second (larger than perPage), and
 *   the next starts after it, or at it again when nothing newer exists yet;
 * - the stream is exhausted: `end_time` is the last row's second, so polling again from it also catches rows
 *   written later in that same second (which repeats that second's rows, as Zendesk's exports may).
 */
export async function timePage<R>(
  fetch: (slice: TimeSlice) => Promise<R[]>,
  stampOf: (row: R) => Date,
  start: number,
  perPage: number,
): Promise<TimePage<R>> {
  const rows = await fetch({ from: start, limit: perPage + 1 });
  if (rows.length <= perPage) {
    const last = rows.at(-1);
    return { rows, endTime: last ? second(stampOf(last)) : start, endOfStream: true };
  }
  const cut = second(stampOf(rows[perPage]!));
  const whole = rows.slice(0, perPage).filter((r) => second(stampOf(r)) < cut);
  if (whole.length) return { rows: whole, endTime: cut, endOfStream: false };
  const crowded = await fetch({ from: cut, before: cut + 1 });
  const later = await fetch({ from: cut + 1, limit: 1 });
  return later.length
    ? { rows: crowded, endTime: cut + 1, endOfStream: false }
    : { rows: crowded, endTime: cut, endOfStream: true };
}

/** An exact timestamp from microseconds since the epoch, as PostgreSQL reads it. */
function microsLiteral(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const rest = String(micros - ms * 1000).padStart(3, '0');
  return `${new Date(ms).toISOString().slice(0, -1)}${rest}Z`;
}

/** The exact change time of a row, for cursors: JavaScript dates drop PostgreSQL's microseconds. */
const microsOf = (column: string) =>
  sql<number>`(extract(epoch from ${sql.ref(column)}) * 1000000)::bigint`.as('stamp_micros');

/** Rows strictly after a cursor position in (column, id) order; the index on (account_id, column, id) serves it. */
const afterPosition = (column: string, idColumn: string, p: CursorPosition) =>
  sql<boolean>`(${sql.ref(column)}, ${sql.ref(idColumn)}) > (${microsLiteral(p.micros)}::timestamptz, ${p.id}::bigint)`;

/** The position just before `start` (in seconds): every row changed at or after it comes after it. */
export function positionBefore(start: number): CursorPosition {
  return { micros: start * 1_000_000, id: 0 };
}

export type Stamped<R> = R & { stamp_micros: number };

export function positionOf(row: Stamped<{ id: number }>): CursorPosition {
  return { micros: Number(row.stamp_micros), id: row.id };
}

// Tickets: deleted ones included unless asked not to (they are presented with status "deleted").

function ticketRows(db: TenantDb, excludeDeleted: boolean) {
  let q = db.selectFrom('tickets').selectAll('tickets').select(microsOf('tickets.updated_at'));
  if (excludeDeleted) q = q.where('tickets.deleted_at', 'is', null);
  return q.orderBy('tickets.updated_at').orderBy('tickets.id');
}

export function ticketsInSlice(db: TenantDb, excludeDeleted: boolean) {
  return (s: TimeSlice): Promise<Stamped<TicketRow>[]> => {
    let q = ticketRows(db, excludeDeleted).where('tickets.updated_at', '>=', at(s.from));
    if (s.before !== undefined) q = q.where('tickets.updated_at', '<', at(s.before));
    if (s.limit !== undefined) q = q.limit(s.limit);
    return q.execute();
  };
}

export function ticketsAfter(
  db: TenantDb,
  p: CursorPosition,
  limit: number,
  excludeDeleted: boolean,
): Promise<Stamped<TicketRow>[]> {
  return ticketRows(db, excludeDeleted)
    .where(afterPosition('tickets.updated_at', 'tickets.id', p))
    .limit(limit)
    .execute();
}

// Users: deleted ones included (they are inactive), with their primary email.

function userRows(db: TenantDb) {
  return usersWithPrimaryEmail(db)
    .select(microsOf('users.updated_at'))
    .orderBy('users.updated_at')
    .orderBy('users.id');
}

export function usersInSlice(db: TenantDb) {
  return (s: TimeSlice): Promise<Stamped<UserRow>[]> => {
    let q = userRows(db).where('users.updated_at', '>=', at(s.from));
    if (s.before !== undefined) q = q.where('users.updated_at', '<', at(s.before));
    if (s.limit !== undefined) q = q.limit(s.limit);
    return q.execute();
  };
}

export function usersAfter(db: TenantDb, p: CursorPosition, limit: number): Promise<Stamped<UserRow>[]> {
  return userRows(db)
    .where(afterPosition('users.updated_at', 'users.id', p))
    .limit(limit)
    .execute();
}

export function organizationsInSlice(db: TenantDb) {
  return (s: TimeSlice): Promise<OrganizationRow[]> => {
    let q = db
      .selectFrom('organizations')
      .selectAll()
      .where('updated_at', '>=', at(s.from))
      .orderBy('updated_at')
      .orderBy('id');
    if (s.before !== undefined) q = q.where('updated_at', '<', at(s.before));
    if (s.limit !== undefined) q = q.limit(s.limit);
    return q.execute();
  };
}

/** Audits by creation time: each is one ticket event. */
export function auditsInSlice(db: TenantDb) {
  return (s: TimeSlice): Promise<AuditRow[]> => {
    let q = db
      .selectFrom('ticket_audits')
      .selectAll()
      .where('created_at', '>=', at(s.from))
      .orderBy('created_at')
      .orderBy('id');
    if (s.before !== undefined) q = q.where('created_at', '<', at(s.before));
    if (s.limit !== undefined) q = q.limit(s.limit);
    return q.execute();
  };
}

/** The comments audits name, as they are now (privacy switches and redactions applied since). */
export async function commentsByIds(db: TenantDb, ids: number[]): Promise<Map<number, CommentRow>> {
  if (!ids.length) return new Map();
  const rows = await db.selectFrom('ticket_comments').selectAll().where('id', 'in', ids).execute();
  return new Map(rows.map((c) => [c.id, c]));
}
