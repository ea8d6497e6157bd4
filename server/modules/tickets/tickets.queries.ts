import type { Actor } from '../../platform/auth/authenticate.ts';
import { sql, type TenantDb } from '../../platform/db/tenant-db.ts';
import { notFound } from '../../platform/http/errors.ts';
import { type PaginationQuery, paginate } from '../../platform/http/pagination.ts';
import { activeCustomTicketFieldIds } from '../fields/fields.queries.ts';
import { ticketSatisfactionDetails } from '../satisfaction/satisfaction.queries.ts';
import { scopeAllows, scopeFilter, type TicketScope, ticketScope } from './tickets.policy.ts';
import type {
  AuditRow,
  CommentRow,
  JobStatusRow,
  TicketPresentation,
  TicketRow,
} from './tickets.presenter.ts';

export type { AuditRow, CommentRow, JobStatusRow, TicketRow };

export async function findTicket(db: TenantDb, id: number): Promise<TicketRow | undefined> {
  return db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A live ticket the actor may see, or 404 (never 403: another scope's ticket does not exist for them). */
export async function visibleTicket(
  db: TenantDb,
  actor: Actor,
  id: number,
): Promise<{ ticket: TicketRow; scope: TicketScope }> {
  const [ticket, scope] = await Promise.all([findTicket(db, id), ticketScope(db, actor)]);
  if (!ticket || !scopeAllows(scope, ticket)) throw notFound();
  return { ticket, scope };
}

export async function findTicketsByIds(
  db: TenantDb,
  scope: TicketScope,
  ids: number[],
): Promise<TicketRow[]> {
  if (!ids.length) return [];
  return db
    .selectFrom('tickets')
    .selectAll()
    .where('id', 'in', ids)
    .where(scopeFilter(scope))
    .orderBy('id')
    .execute();
}

export async function findTicketsByExternalIds(
  db: TenantDb,
  scope: TicketScope,
  externalIds: string[],
): Promise<TicketRow[]> {
  if (!externalIds.length) return [];
  return db
    .selectFrom('tickets')
    .selectAll()
    .where('external_id', 'in', externalIds)
    .where(scopeFilter(scope))
    .orderBy('id')
    .execute();
}

export type TicketFilter =
  | { kind: 'all'; externalId?: string }
  | { kind: 'requested' | 'assigned' | 'ccd'; userId: number }
  | { kind: 'organization'; organizationId: number }
  | { kind: 'incidents'; problemId: number }
  | { kind: 'problems' };

export async function listTickets(
  db: TenantDb,
  scope: TicketScope,
  filter: TicketFilter,
  page: PaginationQuery,
) {
  let q = db.selectFrom('tickets').selectAll().where(scopeFilter(scope));
  switch (filter.kind) {
    case 'all':
      if (filter.externalId !== undefined) q = q.where('external_id', '=', filter.externalId);
      break;
    case 'requested':
      q = q.where('requester_id', '=', filter.userId);
      break;
    case 'assigned':
      q = q.where('assignee_id', '=', filter.userId);
      break;
    case 'ccd':
      q = q.where((eb) => eb(eb.val(filter.userId), '=', eb.fn.any('collaborator_ids')));
      break;
    case 'organization':
      q = q.where('organization_id', '=', filter.organizationId);
      break;
    case 'incidents':
      q = q.where('problem_id', '=', filter.problemId);
      break;
    case 'problems':
      q = q.where('type', '=', 'problem');
      break;
  }
  return paginate(q, 'tickets.id', page);
}

export async function countTickets(db: TenantDb, scope: TicketScope): Promise<number> {
  const row = await db
    .selectFrom('tickets')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(scopeFilter(scope))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function listDeletedTickets(db: TenantDb, page: PaginationQuery) {
  const q = db.selectFrom('tickets').selectAll().where('deleted_at', 'is not', null);
  return paginate(q, 'tickets.id', page);
}

/** What presenting a page of tickets needs: field ids, follow-ups and problems with incidents, in 3 small queries. */
export async function presentationFor(
  db: TenantDb,
  tickets: TicketRow[],
  options: { justCreated?: boolean } = {},
): Promise<TicketPresentation> {
  // A ticket created a moment ago has no follow-ups and no incidents yet.
  const ids = options.justCreated ? [] : tickets.map((t) => t.id);
  const problemIds = options.justCreated ? [] : tickets.filter((t) => t.type === 'problem').map((t) => t.id);
  // Only tickets offered a rating have one to show beyond their score.
  const rated = tickets.filter((t) => t.satisfaction_score !== 'unoffered').map((t) => t.id);
  const [customFieldIds, followups, incidents, satisfaction] = await Promise.all([
    activeCustomTicketFieldIds(db),
    ids.length
      ? db
          .selectFrom('tickets')
          .select(['id', 'followup_source_id'])
          .where('followup_source_id', 'in', ids)
          .where('deleted_at', 'is', null)
          .execute()
      : [],
    problemIds.length
      ? db
          .selectFrom('tickets')
          .select('problem_id')
          .distinct()
          .where('problem_id', 'in', problemIds)
          .where('deleted_at', 'is', null)
          .execute()
      : [],
    ticketSatisfactionDetails(db, rated),
  ]);
  const map = new Map<number, number[]>();
  for (const f of followups)
    map.set(f.followup_source_id!, [...(map.get(f.followup_source_id!) ?? []), f.id]);
  return {
    customFieldIds,
    followups: map,
    problemsWithIncidents: new Set(incidents.map((r) => r.problem_id!)),
    satisfaction,
  };
}

export async function listComments(
  db: TenantDb,
  ticketId: number,
  options: { publicOnly: boolean },
  page: PaginationQuery,
) {
  let q = db.selectFrom('ticket_comments').selectAll().where('ticket_id', '=', ticketId);
  if (options.publicOnly) q = q.where('public', '=', true);
  return paginate(q, 'ticket_comments.id', page);
}

export async function findComment(
  db: TenantDb,
  ticketId: number,
  commentId: number,
): Promise<CommentRow | undefined> {
  return db
    .selectFrom('ticket_comments')
    .selectAll()
    .where('ticket_id', '=', ticketId)
    .where('id', '=', commentId)
    .executeTakeFirst();
}

export async function listAudits(db: TenantDb, ticketId: number, page: PaginationQuery) {
  const q = db.selectFrom('ticket_audits').selectAll().where('ticket_id', '=', ticketId);
  return paginate(q, 'ticket_audits.id', page);
}

export async function findAudit(
  db: TenantDb,
  ticketId: number,
  auditId: number,
): Promise<AuditRow | undefined> {
  return db
    .selectFrom('ticket_audits')
    .selectAll()
    .where('ticket_id', '=', ticketId)
    .where('id', '=', auditId)
    .executeTakeFirst();
}

export async function findJobStatus(db: TenantDb, id: string): Promise<JobStatusRow | undefined> {
  return db.selectFrom('job_statuses').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Tags in use on live tickets, users and organizations, with how many records carry each. */
export async function tagCounts(db: TenantDb, limit: number, prefix?: string) {
  const like = prefix ? `${prefix.toLowerCase().replace(/[%_\\]/g, '\\$&')}%` : null;
  const rows = await sql<{ name: string; count: number }>`
    select name, count(*)::int as count from (
      select unnest(tags) as name from tickets where account_id = ${db.accountId} and deleted_at is null
      union all select unnest(tags) from users where account_id = ${db.accountId} and deleted_at is null
      union all select unnest(tags) from organizations where account_id = ${db.accountId}
    ) t
    where ${like}::text is null or name like ${like}
    group by name order by count(*) desc, name limit ${limit}`.execute(db.connection);
  return rows.rows;
}
