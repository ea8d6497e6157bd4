import { digestToken, newToken } from '../../platform/auth/secrets.ts';
import { clock } from '../../platform/clock.ts';
import type { CommandContext } from '../../platform/commands.ts';
import { sql, type TenantDb } from '../../platform/db/tenant-db.ts';
import { appendEvent } from '../../platform/events/outbox.ts';
import { invalid, notFound } from '../../platform/http/errors.ts';
import { TICKET_EVENTS } from '../tickets/tickets.events.ts';
import type { TicketRow } from '../tickets/tickets.presenter.ts';
import type { AuditEvent } from '../tickets/tickets.tables.ts';
import { findTicketRating, listReasons, type RatingRow } from './satisfaction.queries.ts';
import type { RatingInput } from './satisfaction.schema.ts';

/** How long a rating link from an email works. */
export const RATING_LINK_DAYS = 28;

/**
 * Offers a rating to the ticket's requester (the rules' action `satisfaction_score: offered_to_requester`): the
 * ticket becomes 'offered' and gets its rating row. Runs inside the ticket write's transaction, which records the
 * change in its audit. Idempotent; a rated ticket, a deleted one or one without a requester is left as it is.
 */
export async function offerSatisfaction(db: TenantDb, ticketId: number): Promise<void> {
  const ticket = await db
    .selectFrom('tickets')
    .select(['id', 'requester_id', 'assignee_id', 'group_id', 'satisfaction_score', 'deleted_at'])
    .where('id', '=', ticketId)
    .executeTakeFirst();
  if (!ticket || ticket.deleted_at || ticket.requester_id === null) return;
  // A write that already set the ticket's score to 'offered' still gets its rating row here.
  if (ticket.satisfaction_score === 'good' || ticket.satisfaction_score === 'bad') return;
  const now = clock.now();
  await db
    .insertInto('satisfaction_ratings', {
      ticket_id: ticket.id,
      requester_id: ticket.requester_id,
      assignee_id: ticket.assignee_id,
      group_id: ticket.group_id,
      score: 'offered',
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(['account_id', 'ticket_id']).doNothing())
    .execute();
  if (ticket.satisfaction_score === 'unoffered') {
    await db
      .updateTable('tickets')
      .set({ satisfaction_score: 'offered' })
      .where('id', '=', ticket.id)
      .where('satisfaction_score', '=', 'unoffered')
      .execute();
  }
}

/**
 * Links handed out inside one transaction, by ticket: a mail rendered in one transaction shows one link in both
 * `{{satisfaction.rating_url}}` and `{{satisfaction.rating_section}}`. Only digests are stored, so a link cannot
 * be read back later; each other call issues a new one (each works for RATING_LINK_DAYS).
 */
const issuedInTransaction = new WeakMap<object, Map<string, string>>();

/**
 * The link with which the ticket's requester rates it without signing in (`/satisfaction/{token}`). The link is
 * for the current requester only and expires after RATING_LINK_DAYS; the ticket's expired links are pruned.
 */
export async function satisfactionRatingUrl(
  db: TenantDb,
  ticketId: number,
  accountBaseUrl: string,
): Promise<string> {
  const base = accountBaseUrl.replace(/\/+$/, '');
  const memo = db.connection.isTransaction
    ? (issuedInTransaction.get(db.connection) ??
      issuedInTransaction.set(db.connection, new Map()).get(db.connection)!)
    : null;
  const key = `${db.accountId}:${ticketId}`;
  const reused = memo?.get(key);
  if (reused) return `${base}/satisfaction/${reused}`;

  const ticket = await db
    .selectFrom('tickets')
    .select(['id', 'requester_id', 'deleted_at'])
    .where('id', '=', ticketId)
    .executeTakeFirst();
  if (!ticket || ticket.deleted_at || ticket.requester_id === null) throw notFound();
  const now = clock.now();
  await db
    .deleteFrom('satisfaction_tokens')
    .where('ticket_id', '=', ticket.id)
    .where('expires_at', '<=', now)
    .execute();
  const token = newToken();
  await db
    .insertInto('satisfaction_tokens', {
      ticket_id: ticket.id,
      requester_id: ticket.requester_id,
      token_digest: digestToken(token),
      created_at: now,
      expires_at: new Date(now.getTime() + RATING_LINK_DAYS * 86_400_000),
    })
    .execute();
  memo?.set(key, token);
  return `${base}/satisfaction/${token}`;
}

/** Why a ticket cannot be rated now (it is not solved or closed, or no rating was offered), or null. */
export function ratingUnavailable(
  ticket: Pick<TicketRow, 'status' | 'satisfaction_score'>,
): 'not_solved' | 'not_offered' | null {
  if (ticket.status !== 'solved' && ticket.status !== 'closed') return 'not_solved';
  if (ticket.satisfaction_score === 'unoffered') return 'not_offered';
  return null;
}

/** The live reason a bad rating names; none picked is code 0 ("No reason provided"), as at Zendesk. */
async function reasonCodeFor(db: TenantDb, input: RatingInput): Promise<number | null> {
  if (input.score !== 'bad') return null;
  const code = input.reason_code ?? 0;
  const reasons = await listReasons(db);
  if (!reasons.some((r) => r.reason_code === code)) {
    throw invalid('reason_code', `Reason code: ${code} is not a satisfaction reason of this account`);
  }
  return code;
}

/**
 * The requester rates a solved or closed ticket whose rating was offered; rating again changes the rating.
 * One transaction: the rating, the ticket's score, an audit with a `SatisfactionRating` event, and a
 * `ticket.updated` event so workspaces refresh and rules react. The caller has checked that `raterId` is the
 * ticket's requester (policy for the API; the link itself for the rating page).
 */
export async function rateTicket(
  ctx: CommandContext,
  ticketId: number,
  raterId: number,
  input: RatingInput,
  via: 'web' | 'api',
): Promise<RatingRow> {
  return ctx.db.transaction(async (db) => {
    const ticket = await db
      .selectFrom('tickets')
      .selectAll()
      .where('id', '=', ticketId)
      .forUpdate()
      .executeTakeFirst();
    if (!ticket || ticket.deleted_at) throw notFound();
    if (ticket.requester_id !== raterId) throw notFound();
    const unavailable = ratingUnavailable(ticket);
    if (unavailable === 'not_solved') {
      throw invalid('status', 'Status: only solved and closed tickets can be rated', 'TicketNotSolved');
    }
    if (unavailable === 'not_offered') {
      throw invalid(
        'satisfaction_rating',
        'Satisfaction rating: no rating was offered for this ticket',
        'RatingNotOffered',
      );
    }
    const reasonCode = await reasonCodeFor(db, input);
    const comment = input.comment?.trim() || null;
    const now = clock.now();
    const rating = {
      requester_id: raterId,
      assignee_id: ticket.assignee_id,
      group_id: ticket.group_id,
      score: input.score,
      comment,
      reason_code: reasonCode,
      updated_at: now,
    };
    await db
      .insertInto('satisfaction_ratings', { ...rating, ticket_id: ticket.id, created_at: now })
      .onConflict((oc) => oc.columns(['account_id', 'ticket_id']).doUpdateSet(rating))
      .execute();
    await db
      .updateTable('tickets')
      .set({ satisfaction_score: input.score, updated_at: now })
      .where('id', '=', ticket.id)
      .execute();

    const { rows } = await sql<{
      id: number;
    }>`select nextval(pg_get_serial_sequence('ticket_audits', 'id')) as id`.execute(db.connection);
    const auditId = Number(rows[0]!.id);
    // Event ids follow the tickets module's numbering: the audit id scaled, plus the event's position.
    const events: AuditEvent[] = [
      {
        id: auditId * 1000,
        type: 'SatisfactionRating',
        score: input.score,
        comment: comment ?? '',
        assignee_id: ticket.assignee_id,
        body: comment ?? '',
      },
    ];
    await db
      .insertInto('ticket_audits', {
        id: auditId,
        ticket_id: ticket.id,
        author_id: raterId,
        via_channel: via,
        ip_address: ctx.ip,
        events: JSON.stringify(events) as unknown as AuditEvent[],
        created_at: now,
      })
      .execute();
    await appendEvent(db, {
      type: TICKET_EVENTS.updated,
      subjectType: 'ticket',
      subjectId: ticket.id,
      actorId: raterId,
      payload: {
        audit_id: auditId,
        changes: ['satisfaction_score'],
        comment_id: null,
        comment_public: null,
        status: ticket.status,
        via,
        group_id: ticket.group_id,
        assignee_id: ticket.assignee_id,
        requester_id: ticket.requester_id,
        organization_id: ticket.organization_id,
      },
    });
    return (await findTicketRating(db, ticket.id))!;
  });
}
