import type { Selectable } from 'kysely';
import { clock } from '../../platform/clock.ts';
import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { isoTime } from '../../platform/http/format.ts';
import { presentGroup } from '../groups/groups.presenter.ts';
import { findGroupsByIds } from '../groups/groups.queries.ts';
import { presentOrganization } from '../organizations/organizations.presenter.ts';
import { findOrganizationsByIds } from '../organizations/organizations.queries.ts';
import {
  presentTicketSatisfaction,
  type TicketSatisfactionDetail,
} from '../satisfaction/satisfaction.presenter.ts';
import { presentSlas } from '../sla/sla.presenter.ts';
import { presentUser } from '../users/users.presenter.ts';
import { findUsersByIds } from '../users/users.queries.ts';
import type {
  AuditEvent,
  JobStatusesTable,
  TicketAuditsTable,
  TicketCommentsTable,
  TicketsTable,
  ViaSource,
} from './tickets.tables.ts';

type UrlFor = (path: string) => string;
export type TicketRow = Selectable<TicketsTable>;
export type CommentRow = Selectable<TicketCommentsTable>;
export type AuditRow = Selectable<TicketAuditsTable>;
export type JobStatusRow = Selectable<JobStatusesTable>;

/** What presenting a ticket needs beyond its row: the account's custom field ids, in position order. */
export interface TicketPresentation {
  customFieldIds: number[];
  /** Ids of tickets that are follow-ups of each ticket, and problems that have incidents (optional extras). */
  followups?: Map<number, number[]>;
  problemsWithIncidents?: Set<number>;
  /** Ticket id → its satisfaction rating's id, comment and reason (satisfaction.queries.ts); the score is on the row. */
  satisfaction?: Map<number, TicketSatisfactionDetail>;
}

export function presentVia(channel: string, source: ViaSource | null | undefined) {
  return { channel, source: { from: source?.from ?? {}, to: source?.to ?? {}, rel: source?.rel ?? null } };
}

/** Custom field values as Zendesk lists them: every field of the account, null when unset. */
export function presentCustomFields(values: Record<string, unknown>, fieldIds: number[]) {
  const ids = new Set(fieldIds);
  for (const k of Object.keys(values)) ids.add(Number(k));
  return [...ids].map((id) => ({ id, value: values[String(id)] ?? null }));
}

/** A ticket in Zendesk API v2 shape (no comments; those are at /tickets/{id}/comments). */
export function presentTicket(t: TicketRow, url: UrlFor, p: TicketPresentation) {
  const custom = presentCustomFields(t.custom_fields, p.customFieldIds);
  return {
    url: url(`/api/v2/tickets/${t.id}.json`),
    id: t.id,
    external_id: t.external_id,
    via: presentVia(t.via_channel, t.via_source),
    created_at: isoTime(t.created_at),
    updated_at: isoTime(t.updated_at),
    generated_timestamp: Math.floor(t.updated_at.getTime() / 1000),
    type: t.type,
    subject: t.subject,
    raw_subject: t.subject,
    description: t.description,
    priority: t.priority,
    status: t.status,
    recipient: t.recipient,
    requester_id: t.requester_id,
    submitter_id: t.submitter_id,
    assignee_id: t.assignee_id,
    organization_id: t.organization_id,
    group_id: t.group_id,
    collaborator_ids: t.collaborator_ids,
    follower_ids: t.follower_ids,
    email_cc_ids: t.email_cc_ids,
    forum_topic_id: null,
    problem_id: t.problem_id,
    has_incidents: p.problemsWithIncidents?.has(t.id) ?? false,
    is_public: t.is_public,
    due_at: isoTime(t.due_at),
    tags: t.tags,
    custom_fields: custom,
    fields: custom,
    satisfaction_rating: presentTicketSatisfaction(t.satisfaction_score, p.satisfaction?.get(t.id)),
    sharing_agreement_ids: [],
    followup_ids: p.followups?.get(t.id) ?? [],
    ticket_form_id: null,
    brand_id: null,
    allow_channelback: false,
    allow_attachments: true,
    from_messaging_channel: false,
    custom_status_id: null,
    // Zendesk's `include=slas`, always present: the running SLA targets and their breach times.
    slas: presentSlas(t.sla_metrics, clock.now()),
    // Our own: the value to send back as `updated_stamp` with `safe_update: true`.
    updated_stamp: isoTime(t.updated_at),
  };
}

/** A comment; attachments are presented by the caller (uploads module) and passed in. */
export function presentComment(c: CommentRow, attachments: unknown[] = []) {
  return {
    id: c.id,
    type: 'Comment',
    author_id: c.author_id,
    body: c.body,
    html_body: c.html_body,
    plain_body: c.body,
    public: c.public,
    attachments,
    audit_id: c.audit_id,
    via: presentVia(c.via_channel, c.via_source),
    metadata: { system: {}, custom: {} },
    created_at: isoTime(c.created_at),
  };
}

export function presentAudit(a: AuditRow, events: AuditEvent[] = a.events) {
  return {
    id: a.id,
    ticket_id: a.ticket_id,
    created_at: isoTime(a.created_at),
    author_id: a.author_id,
    metadata: { system: { client: a.client, ip_address: a.ip_address }, custom: {} },
    via: presentVia(a.via_channel, a.via_source),
    events,
  };
}

export function presentJobStatus(j: JobStatusRow, url: UrlFor) {
  return {
    id: j.id,
    url: url(`/api/v2/job_statuses/${j.id}.json`),
    job_type: j.job_type,
    total: j.total,
    progress: j.progress,
    status: j.status,
    message: j.message,
    results: j.results,
  };
}

const distinctIds = (ids: (number | null)[]) => [...new Set(ids.filter((id): id is number => id !== null))];

/** `include=users,groups,organizations` on ticket lists: the records a page's tickets point at. */
export async function presentTicketSideloads(
  db: TenantDb,
  url: UrlFor,
  rows: TicketRow[],
  wanted: ReadonlySet<string>,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  if (wanted.has('users')) {
    const ids = distinctIds(
      rows.flatMap((t) => [t.requester_id, t.submitter_id, t.assignee_id, ...t.collaborator_ids]),
    );
    out.users = (await findUsersByIds(db, ids)).map((u) => presentUser(u, url));
  }
  if (wanted.has('groups')) {
    const groups = await findGroupsByIds(db, distinctIds(rows.map((t) => t.group_id)));
    out.groups = groups.map((g) => presentGroup(g, url));
  }
  if (wanted.has('organizations')) {
    const orgs = await findOrganizationsByIds(db, distinctIds(rows.map((t) => t.organization_id)));
    out.organizations = orgs.map((o) => presentOrganization(o, url));
  }
  return out;
}
