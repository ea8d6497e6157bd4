import type { ExpressionBuilder } from 'kysely';
import { digestToken } from '../../platform/auth/secrets.ts';
import { clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { notFound } from '../../platform/http/errors.ts';
import { type PaginationQuery, paginate } from '../../platform/http/pagination.ts';
import { scopeFilter, type TicketScope } from '../tickets/tickets.policy.ts';
import type { TicketRow } from '../tickets/tickets.presenter.ts';
import type { RatingRow, ReasonRow, TicketSatisfactionDetail } from './satisfaction.presenter.ts';
import { seedSatisfactionReasons } from './satisfaction.seeds.ts';

export type { RatingRow, ReasonRow };

/** Zendesk's `score` filter on lists: a score, or received (good or bad), each optionally with or without a comment. */
export const RATING_SCORE_FILTERS = [
  'offered',
  'unoffered',
  'received',
  'received_with_comment',
  'received_without_comment',
  'good',
  'good_with_comment',
  'good_without_comment',
  'bad',
  'bad_with_comment',
  'bad_without_comment',
] as const;
export type RatingScoreFilter = (typeof RATING_SCORE_FILTERS)[number];

export interface RatingFilters {
  score?: RatingScoreFilter;
  /** Unix seconds, inclusive, on the time the rating last changed (received, or offered until then). */
  startTime?: number;
  endTime?: number;
}

type RatingTables = 'satisfaction_ratings' | 'tickets' | 'satisfaction_reasons';

/** Ratings joined to their live ticket (ratings of deleted tickets are not shown) and the reason they name. */
function ratingsQuery(db: TenantDb) {
  return db
    .selectFrom('satisfaction_ratings')
    .innerJoin('tickets', (j) =>
      j
        .onRef('tickets.account_id', '=', 'satisfaction_ratings.account_id')
        .onRef('tickets.id', '=', 'satisfaction_ratings.ticket_id'),
    )
    .leftJoin('satisfaction_reasons', (j) =>
      j
        .onRef('satisfaction_reasons.account_id', '=', 'satisfaction_ratings.account_id')
        .onRef('satisfaction_reasons.reason_code', '=', 'satisfaction_ratings.reason_code'),
    )
    .selectAll('satisfaction_ratings')
    .select(['satisfaction_reasons.id as reason_id', 'satisfaction_reasons.value as reason_value'])
    .where('tickets.deleted_at', 'is', null);
}

/** The ticket scope (tickets.policy.ts) applied to the joined ticket: restricted agents see their tickets' ratings. */
function inScope(scope: TicketScope) {
  const filter = scopeFilter(scope);
  return (eb: ExpressionBuilder<Database, RatingTables>) =>
    filter(eb as unknown as ExpressionBuilder<Database, 'tickets'>);
}

function scoreFilter(score: RatingScoreFilter) {
  return (eb: ExpressionBuilder<Database, RatingTables>) => {
    // Rows exist from the offer on, so nothing is ever unoffered here.
    if (score === 'unoffered') return eb.val(false);
    const [base, comment] = score.split(/_(with|without)_comment$/) as [string, string | undefined];
    const conditions = [
      base === 'offered'
        ? eb('satisfaction_ratings.score', '=', 'offered')
        : base === 'received'
          ? eb('satisfaction_ratings.score', 'in', ['good', 'bad'])
          : eb('satisfaction_ratings.score', '=', base as 'good' | 'bad'),
    ];
    if (comment === 'with') conditions.push(eb('satisfaction_ratings.comment', 'is not', null));
    if (comment === 'without') conditions.push(eb('satisfaction_ratings.comment', 'is', null));
    return eb.and(conditions);
  };
}

export async function listRatings(
  db: TenantDb,
  scope: TicketScope,
  filters: RatingFilters,
  page: PaginationQuery,
) {
  let q = ratingsQuery(db).where(inScope(scope));
  if (filters.score) q = q.where(scoreFilter(filters.score));
  if (filters.startTime !== undefined)
    q = q.where('satisfaction_ratings.updated_at', '>=', new Date(filters.startTime * 1000));
  if (filters.endTime !== undefined)
    q = q.where('satisfaction_ratings.updated_at', '<=', new Date(filters.endTime * 1000));
  return paginate(q, 'satisfaction_ratings.id', page);
}

export async function countRatings(db: TenantDb, scope: TicketScope): Promise<number> {
  const row = await db
    .selectFrom('satisfaction_ratings')
    .innerJoin('tickets', (j) =>
      j
        .onRef('tickets.account_id', '=', 'satisfaction_ratings.account_id')
        .onRef('tickets.id', '=', 'satisfaction_ratings.ticket_id'),
    )
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(inScope(scope))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** A rating whose ticket the caller may see, or 404. */
export async function findVisibleRating(db: TenantDb, scope: TicketScope, id: number): Promise<RatingRow> {
  const row = await ratingsQuery(db)
    .where(inScope(scope))
    .where('satisfaction_ratings.id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

/** A ticket's rating, whatever its state, or undefined before a rating was offered. */
export async function findTicketRating(db: TenantDb, ticketId: number): Promise<RatingRow | undefined> {
  return ratingsQuery(db).where('satisfaction_ratings.ticket_id', '=', ticketId).executeTakeFirst();
}

/**
 * What tickets show of their ratings beyond the score (the ticket presenter's `satisfaction` map), for a page
 * of tickets in one query.
 */
export async function ticketSatisfactionDetails(
  db: TenantDb,
  ticketIds: number[],
): Promise<Map<number, TicketSatisfactionDetail>> {
  if (!ticketIds.length) return new Map();
  const rows = await db
    .selectFrom('satisfaction_ratings')
    .leftJoin('satisfaction_reasons', (j) =>
      j
        .onRef('satisfaction_reasons.account_id', '=', 'satisfaction_ratings.account_id')
        .onRef('satisfaction_reasons.reason_code', '=', 'satisfaction_ratings.reason_code'),
    )
    .select([
      'satisfaction_ratings.id',
      'satisfaction_ratings.ticket_id',
      'satisfaction_ratings.comment',
      'satisfaction_reasons.id as reason_id',
      'satisfaction_reasons.value as reason',
    ])
    .where('satisfaction_ratings.ticket_id', 'in', ticketIds)
    .execute();
  return new Map(
    rows.map((r) => [
      r.ticket_id,
      { id: r.id, comment: r.comment, reason: r.reason, reason_id: r.reason_id },
    ]),
  );
}

/** The account's live reasons, by code; an account without any gets Zendesk's defaults on first use. */
export async function listReasons(db: TenantDb): Promise<ReasonRow[]> {
  const read = () =>
    db
      .selectFrom('satisfaction_reasons')
      .selectAll()
      .where('deleted_at', 'is', null)
      .orderBy('reason_code')
      .execute();
  const rows = await read();
  if (rows.length) return rows;
  await seedSatisfactionReasons(db);
  return read();
}

export async function findReason(db: TenantDb, id: number): Promise<ReasonRow> {
  await listReasons(db); // seeds an account that has none yet, so ids are stable from the first read
  const row = await db.selectFrom('satisfaction_reasons').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

/** A rating link someone opened: its ticket and current rating, or unknown (never issued, expired, or stale). */
export type RatingLink =
  | { kind: 'unknown' }
  | { kind: 'valid'; ticket: TicketRow; requesterId: number; rating: RatingRow | undefined };

/**
 * Finds the ticket a rating link is for. A link stops working when it expires, when its ticket is deleted, or
 * when the ticket's requester is no longer the person it was mailed to.
 */
export async function findRatingLink(db: TenantDb, token: string): Promise<RatingLink> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return { kind: 'unknown' };
  const link = await db
    .selectFrom('satisfaction_tokens')
    .select(['ticket_id', 'requester_id'])
    .where('token_digest', '=', digestToken(token))
    .where('expires_at', '>', clock.now())
    .executeTakeFirst();
  if (!link) return { kind: 'unknown' };
  const ticket = await db
    .selectFrom('tickets')
    .selectAll()
    .where('id', '=', link.ticket_id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!ticket || ticket.requester_id !== link.requester_id) return { kind: 'unknown' };
  const rating = await findTicketRating(db, ticket.id);
  return { kind: 'valid', ticket, requesterId: link.requester_id, rating };
}
