import type { Insertable, Updateable } from 'kysely';
import type { Actor } from '../../platform/auth/authenticate.ts';
import { clock } from '../../platform/clock.ts';
import type { CommandContext } from '../../platform/commands.ts';
import { sql, type TenantDb } from '../../platform/db/tenant-db.ts';
import { appendEvent, type DomainEvent } from '../../platform/events/outbox.ts';
import { HavenError, invalid, notFound } from '../../platform/http/errors.ts';
import { isoTime } from '../../platform/http/format.ts';
import { claimUploads } from '../attachments/attachments.commands.ts';
import { requiredTicketFieldsMissing, validateTicketFieldValues } from '../fields/fields.commands.ts';
import { renderPlaceholders } from '../macros/placeholders.ts';
import type { RuleEffect } from '../rules/rules.actions.ts';
import { offerSatisfaction } from '../satisfaction/satisfaction.commands.ts';
import {
  computeSla,
  loadSlaRules,
  recordSlaOutcomes,
  type SlaColumns,
  slaColumnValues,
} from '../sla/sla.metrics.ts';
import { createUser } from '../users/users.commands.ts';
import { findUserByEmail } from '../users/users.queries.ts';
import { commentBodies } from './comment-text.ts';
import {
  announceRuleEffects,
  evaluateTriggers,
  offersSatisfaction,
  type RuleVia,
  ruleAuditEvents,
  ruleErrorMessage,
  ruleVia,
  type TriggerPhase,
} from './ticket-rules.ts';
import { TICKET_EVENTS } from './tickets.events.ts';
import { scopeAllows, ticketPolicy, ticketScope } from './tickets.policy.ts';
import type { AuditRow, CommentRow, TicketRow } from './tickets.presenter.ts';
import { findTicket } from './tickets.queries.ts';
import type { CommentInput, TicketInput } from './tickets.schema.ts';
import type { AuditEvent, TicketStatus, TicketsTable, ViaSource } from './tickets.tables.ts';

/** Zendesk caps a ticket's conversation; past it, updates that add comments are refused. */
export const MAX_COMMENTS = 5_000;
const VIA_CHANNELS = new Set(['api', 'web', 'email', 'chat', 'web_form', 'mobile', 'voice', 'sms', 'rule']);

/** Where a write comes from, when it is not the API (email ingestion, chat, rules). */
export interface WriteOptions {
  via?: { channel: string; source?: ViaSource };
  client?: string | null;
  /** Notifications, webhook calls and rating offers of the automation making this write (ticket-rules.ts). */
  effects?: RuleEffect[];
  /** A rule's own follow-up write (a trigger's comment): triggers do not run on it again. */
  skipTriggers?: boolean;
}

export interface TicketWriteResult {
  ticket: TicketRow;
  audit: AuditRow;
  comment: CommentRow | null;
}

type Columns = Updateable<TicketsTable>;
type PersonRef = NonNullable<TicketInput['requester']>;
type CcAction = NonNullable<TicketInput['email_ccs']>[number];

function isAgent(role: string | undefined | null): boolean {
  return role === 'agent' || role === 'admin';
}

/** A user named by id, email or {name, email}; an unknown email becomes a new end-user, as in Zendesk. */
async function resolvePersonRow(
  db: TenantDb,
  ref: PersonRef,
  field: string,
): Promise<{ id: number; organization_id: number | null }> {
  if (typeof ref === 'number') {
    const user = await db
      .selectFrom('users')
      .select(['id', 'organization_id'])
      .where('id', '=', ref)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!user) throw invalid(field, `${label(field)}: user ${ref} does not exist`, 'InvalidValue');
    return user;
  }
  const email = typeof ref === 'string' ? ref : ref.email;
  const existing = await findUserByEmail(db, email);
  if (existing) {
    if (existing.deleted_at)
      throw invalid(field, `${label(field)}: ${email} belongs to a deleted user`, 'InvalidValue');
    return existing;
  }
  const name = (typeof ref === 'object' && ref.name) || email.split('@')[0] || email;
  return createUser({ db, actor: null, ip: null }, { name, email, role: 'end-user' });
}

async function resolvePerson(db: TenantDb, ref: PersonRef, field: string): Promise<number> {
  return (await resolvePersonRow(db, ref, field)).id;
}

async function resolvePeople(db: TenantDb, refs: PersonRef[], field: string): Promise<number[]> {
  const ids: number[] = [];
  for (const ref of refs) ids.push(await resolvePerson(db, ref, field));
  return [...new Set(ids)];
}

function label(field: string): string {
  const words = field.replace(/_ids?$/, '').replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

async function userRoles(
  db: TenantDb,
  ids: number[],
): Promise<Map<number, { role: string; active: boolean }>> {
  if (!ids.length) return new Map();
  const rows = await db
    .selectFrom('users')
    .select(['id', 'role', 'active'])
    .where('id', 'in', ids)
    .where('deleted_at', 'is', null)
    .execute();
  return new Map(rows.map((r) => [r.id, { role: r.role, active: r.active }]));
}

async function groupsOf(
  db: TenantDb,
  userId: number,
): Promise<{ groupIds: number[]; defaultGroupId: number | null }> {
  const rows = await db
    .selectFrom('group_memberships')
    .innerJoin('groups', (j) =>
      j
        .onRef('groups.account_id', '=', 'group_memberships.account_id')
        .onRef('groups.id', '=', 'group_memberships.group_id'),
    )
    .select(['group_memberships.group_id', 'group_memberships.default'])
    .where('group_memberships.user_id', '=', userId)
    .where('groups.deleted', '=', false)
    .orderBy('group_memberships.id')
    .execute();
  return {
    groupIds: rows.map((r) => r.group_id),
    defaultGroupId: rows.find((r) => r.default)?.group_id ?? rows[0]?.group_id ?? null,
  };
}

function applyCcActions(current: number[], actions: { id: number; action: 'put' | 'delete' }[]): number[] {
  const set = new Set(current);
  for (const a of actions) {
    if (a.action === 'delete') set.delete(a.id);
    else set.add(a.id);
  }
  return [...set];
}

async function resolveCcActions(db: TenantDb, actions: CcAction[], field: string) {
  const out: { id: number; action: 'put' | 'delete' }[] = [];
  for (const a of actions) {
    let id: number;
    if (a.user_id) id = await resolvePerson(db, a.user_id, field);
    else if (a.user_email) id = await resolvePerson(db, { email: a.user_email, name: a.user_name }, field);
    else throw invalid(field, `${label(field)}: each entry needs user_id or user_email`, 'InvalidValue');
    out.push({ id, action: a.action });
  }
  return out;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) return isoTime(a as Date | null) === isoTime(b as Date | null);
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function auditValue(v: unknown): unknown {
  if (v instanceof Date) return isoTime(v);
  return v ?? null;
}

/** The fields whose changes an audit records (Zendesk's `Change` events), in a stable order. */
const AUDITED: (keyof TicketsTable & string)[] = [
  'subject',
  'status',
  'priority',
  'type',
  'requester_id',
  'submitter_id',
  'assignee_id',
  'group_id',
  'organization_id',
  'problem_id',
  'tags',
  'custom_fields',
  'external_id',
  'due_at',
  'collaborator_ids',
  'follower_ids',
  'email_cc_ids',
  'is_public',
  // Offering a rating is a change worth a line in the history; the rating itself is its own audit event.
  'satisfaction_score',
];

/**
 * Everything a create or update decides, from the input and the ticket as it stands. It validates references
 * (422 with Zendesk's field details) and applies Zendesk's rules: assignee within group, organization follows the
 * requester, new → open when assigned or an agent replies, tasks alone carry due dates, incidents point at problems.
 */
async function plan(
  db: TenantDb,
  actor: Actor | null,
  input: TicketInput,
  current: TicketRow | null,
  comment: { author: number | null; authorRole: string | null; isPublic: boolean } | null,
): Promise<Columns> {
  const next: Columns = {};
  const base = (current ?? {}) as Partial<TicketRow>;
  const subject = input.subject ?? input.raw_subject;
  if (subject !== undefined) next.subject = subject;
  if (input.external_id !== undefined) next.external_id = input.external_id || null;
  if (input.priority !== undefined) next.priority = input.priority;
  if (input.type !== undefined) next.type = input.type;
  if (input.recipient !== undefined) next.recipient = input.recipient;

  // People.
  const requesterRef = input.requester ?? input.requester_id;
  let requesterOrganization: number | null | undefined;
  if (requesterRef !== undefined) {
    const requester = await resolvePersonRow(db, requesterRef, 'requester');
    next.requester_id = requester.id;
    requesterOrganization = requester.organization_id;
  }
  if (input.submitter_id !== undefined)
    next.submitter_id = await resolvePerson(db, input.submitter_id, 'submitter');

  let assigneeId = base.assignee_id ?? null;
  if (input.assignee_email !== undefined) {
    const u = await findUserByEmail(db, input.assignee_email);
    if (!u)
      throw invalid('assignee', `Assignee: no agent has the email ${input.assignee_email}`, 'InvalidValue');
    assigneeId = u.id;
  } else if (input.assignee_id !== undefined) assigneeId = input.assignee_id;
  let groupId = input.group_id !== undefined ? input.group_id : (base.group_id ?? null);

  if (input.group_id !== undefined && input.group_id !== null) {
    const group = await db
      .selectFrom('groups')
      .select('id')
      .where('id', '=', input.group_id)
      .where('deleted', '=', false)
      .executeTakeFirst();
    if (!group) throw invalid('group', `Group: ${input.group_id} does not exist`, 'InvalidValue');
  }
  if (assigneeId !== null && assigneeId !== (base.assignee_id ?? null)) {
    const roles = await userRoles(db, [assigneeId]);
    const who = roles.get(assigneeId);
    if (!who || !isAgent(who.role) || !who.active) {
      throw invalid('assignee', `Assignee: ${assigneeId} is not an agent of this account`, 'InvalidValue');
    }
  }
  if (assigneeId !== null) {
    const { groupIds, defaultGroupId } = await groupsOf(db, assigneeId);
    if (groupId !== null && !groupIds.includes(groupId)) {
      if (
        input.group_id !== undefined &&
        input.group_id !== null &&
        (input.assignee_id !== undefined || input.assignee_email)
      ) {
        throw invalid('assignee', 'Assignee: is not a member of the group', 'InvalidValue');
      }
      // Reassigning moves the ticket to the new assignee's group; regrouping drops an assignee outside it.
      if (input.group_id !== undefined) assigneeId = null;
      else groupId = defaultGroupId;
    } else if (groupId === null) groupId = defaultGroupId;
  }
  if (assigneeId !== (base.assignee_id ?? null)) next.assignee_id = assigneeId;
  if (groupId !== (base.group_id ?? null)) next.group_id = groupId;

  // Organization follows the requester unless given.
  if (input.organization_id !== undefined) {
    if (input.organization_id !== null) {
      const org = await db
        .selectFrom('organizations')
        .select('id')
        .where('id', '=', input.organization_id)
        .executeTakeFirst();
      if (!org)
        throw invalid(
          'organization',
          `Organization: ${input.organization_id} does not exist`,
          'InvalidValue',
        );
    }
    next.organization_id = input.organization_id;
  } else if (next.requester_id !== undefined && next.requester_id !== base.requester_id) {
    next.organization_id = requesterOrganization ?? null;
  }

  // Type, problem link and due date.
  const type = next.type !== undefined ? next.type : (base.type ?? null);
  if (input.problem_id !== undefined) {
    if (input.problem_id !== null) {
      if (type !== 'incident')
        throw invalid('problem_id', 'Problem: only incidents can be linked to a problem', 'InvalidValue');
      if (current && input.problem_id === current.id)
        throw invalid('problem_id', 'Problem: a ticket cannot be its own problem', 'InvalidValue');
      const problem = await db
        .selectFrom('tickets')
        .select(['id', 'type'])
        .where('id', '=', input.problem_id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (problem?.type !== 'problem') {
        throw invalid(
          'problem_id',
          `Problem: ticket ${input.problem_id} is not a problem ticket`,
          'InvalidValue',
        );
      }
    }
    next.problem_id = input.problem_id;
  } else if (type !== 'incident' && base.problem_id) next.problem_id = null;
  if (input.due_at !== undefined) {
    if (input.due_at !== null && type !== 'task')
      throw invalid('due_at', 'Due date: only tasks have a due date', 'InvalidValue');
    next.due_at = input.due_at;
  } else if (type !== 'task' && base.due_at) next.due_at = null;

  // Collaborators, CCs and followers.
  let collaborators = base.collaborator_ids ?? [];
  let ccs = base.email_cc_ids ?? [];
  let followers = base.follower_ids ?? [];
  if (input.collaborator_ids !== undefined || input.collaborators !== undefined) {
    collaborators = await resolvePeople(
      db,
      [...(input.collaborator_ids ?? []), ...(input.collaborators ?? [])],
      'collaborators',
    );
  }
  if (input.email_cc_ids !== undefined) {
    ccs = await resolvePeople(db, input.email_cc_ids, 'email_ccs');
    collaborators = [...new Set([...collaborators, ...ccs])];
  }
  if (input.email_ccs?.length) {
    const actions = await resolveCcActions(db, input.email_ccs, 'email_ccs');
    ccs = applyCcActions(ccs, actions);
    collaborators = applyCcActions(collaborators, actions);
  }
  if (input.follower_ids !== undefined) followers = await resolvePeople(db, input.follower_ids, 'followers');
  if (input.followers?.length)
    followers = applyCcActions(followers, await resolveCcActions(db, input.followers, 'followers'));
  if (followers.length && !sameValue(followers, base.follower_ids ?? [])) {
    const roles = await userRoles(db, followers);
    const notAgent = followers.find((id) => !isAgent(roles.get(id)?.role));
    if (notAgent) throw invalid('followers', `Followers: user ${notAgent} is not an agent`, 'InvalidValue');
  }
  if (!sameValue(collaborators, base.collaborator_ids ?? [])) next.collaborator_ids = collaborators;
  if (!sameValue(ccs, base.email_cc_ids ?? [])) next.email_cc_ids = ccs;
  if (!sameValue(followers, base.follower_ids ?? [])) next.follower_ids = followers;

  // Custom fields and tags (tagger, multiselect and checkbox fields mirror their values as tags).
  let tags = input.tags ?? base.tags ?? [];
  if (input.additional_tags) tags = [...new Set([...tags, ...input.additional_tags])];
  if (input.remove_tags) tags = tags.filter((t) => !input.remove_tags!.includes(t));
  const fieldInput = input.custom_fields ?? input.fields;
  let customFields = base.custom_fields ?? {};
  if (fieldInput?.length) {
    const validated = await validateTicketFieldValues(db, fieldInput, customFields);
    customFields = validated.values;
    tags = [...new Set([...tags.filter((t) => !validated.removeTags.includes(t)), ...validated.addTags])];
    if (!sameValue(customFields, base.custom_fields ?? {})) next.custom_fields = customFields;
  }
  if (!sameValue(tags, base.tags ?? [])) next.tags = tags;

  // Status: Zendesk's transitions.
  const was = current?.status ?? null;
  let status: TicketStatus = input.status ?? was ?? 'new';
  if (input.status === 'new' && was !== null && was !== 'new') {
    throw invalid('status', 'Status: a ticket cannot go back to New', 'InvalidValue');
  }
  if (status === 'new') {
    const agentReplied = comment !== null && isAgent(comment.authorRole) && current !== null;
    if (assigneeId !== null || agentReplied) status = 'open';
  }
  // An end-user writing on a pending, on-hold or solved ticket reopens it.
  if (
    input.status === undefined &&
    current &&
    comment &&
    !isAgent(comment.authorRole) &&
    ['pending', 'hold', 'solved'].includes(status)
  ) {
    status = 'open';
  }
  if ((status === 'solved' || status === 'closed') && status !== was) {
    // Solving unassigned work assigns it to the agent who solved it.
    if (assigneeId === null && actor && isAgent(actor.role)) {
      next.assignee_id = actor.userId;
      if (groupId === null) next.group_id = (await groupsOf(db, actor.userId)).defaultGroupId;
    }
    if (actor && isAgent(actor.role)) {
      const missing = await requiredTicketFieldsMissing(db, customFields);
      if (missing.length) {
        throw invalid('custom_fields', `${missing.join(', ')}: required when solving`, 'BlankValue');
      }
    }
  }
  if (status !== was) next.status = status;
  return next;
}

/** Tickets that have an open problem link check: incidents of a solved problem are solved with it (Zendesk). */
async function solveIncidents(db: TenantDb, ctx: CommandContext, problem: TicketRow): Promise<void> {
  const incidents = await db
    .selectFrom('tickets')
    .select('id')
    .where('problem_id', '=', problem.id)
    .where('deleted_at', 'is', null)
    .where('status', 'not in', ['solved', 'closed'])
    .execute();
  for (const incident of incidents) {
    await writeTicket(
      ctx,
      db,
      incident.id,
      { status: 'solved' },
      { via: { channel: 'rule' } },
      { skipScope: true },
    );
  }
}

function changeEvents(
  before: Partial<TicketRow>,
  after: TicketRow,
  created: boolean,
): Omit<AuditEvent, 'id'>[] {
  const events: Omit<AuditEvent, 'id'>[] = [];
  for (const field of AUDITED) {
    const prev = (before as Record<string, unknown>)[field];
    const value = (after as Record<string, unknown>)[field];
    if (created) {
      if (value === null || value === undefined || (Array.isArray(value) && !value.length)) continue;
      if (field === 'satisfaction_score' && value === 'unoffered') continue;
      if (
        typeof value === 'object' &&
        !Array.isArray(value) &&
        !(value instanceof Date) &&
        !Object.keys(value).length
      )
        continue;
      events.push({ type: 'Create', field_name: field, value: auditValue(value) });
    } else if (!sameValue(prev, value)) {
      events.push({
        type: 'Change',
        field_name: field,
        value: auditValue(value),
        previous_value: auditValue(prev),
      });
    }
  }
  return events;
}

function viaOf(actor: Actor | null, input: TicketInput, options: WriteOptions) {
  if (options.via) return { channel: options.via.channel, source: options.via.source ?? {} };
  const asked = input.via?.channel;
  if (asked && VIA_CHANNELS.has(asked)) return { channel: asked, source: {} };
  return { channel: actor?.method === 'session' ? 'web' : 'api', source: {} };
}

async function commentAuthor(db: TenantDb, actor: Actor | null, c: CommentInput, fallback: number | null) {
  const authorId = c.author_id ?? actor?.userId ?? fallback;
  if (authorId === null) return { id: null, role: null, onlyPrivate: false };
  // Writing as oneself: the credential lookup already read the caller's row.
  const snap = actor?.snapshot;
  if (snap && authorId === actor.userId && snap.id === actor.userId && 'only_private_comments' in snap) {
    return { id: actor.userId, role: actor.role, onlyPrivate: snap.only_private_comments === true };
  }
  const author = await db
    .selectFrom('users')
    .select(['id', 'role', 'only_private_comments'])
    .where('id', '=', authorId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!author) throw invalid('comment', `Comment: author ${authorId} does not exist`, 'InvalidValue');
  if (actor && actor.role === 'end-user' && author.id !== actor.userId) {
    throw invalid('comment', 'Comment: end-users write only as themselves', 'InvalidValue');
  }
  return { id: author.id, role: author.role, onlyPrivate: author.only_private_comments };
}

/**
 * The ticket write also draws the ids of its audit and comment (RETURNING nextval), so the audit can be
 * written once with its final events, together with the comment, in a single statement.
 */
const nextIds = [
  sql<number>`nextval(pg_get_serial_sequence('ticket_audits', 'id'))`.as('next_audit_id'),
  sql<number>`nextval(pg_get_serial_sequence('ticket_comments', 'id'))`.as('next_comment_id'),
];

async function insertAuditAndComment(
  db: TenantDb,
  audit: AuditRow,
  comment: CommentRow | null,
): Promise<void> {
  const a = sql`insert into ticket_audits (account_id, id, ticket_id, author_id, via_channel, via_source, client, ip_address, events, created_at)
    values (${audit.account_id}, ${audit.id}, ${audit.ticket_id}, ${audit.author_id}, ${audit.via_channel}, ${JSON.stringify(audit.via_source)}::jsonb,
      ${audit.client}, ${audit.ip_address}, ${JSON.stringify(audit.events)}::jsonb, ${audit.created_at})`;
  if (!comment) {
    await a.execute(db.connection);
    return;
  }
  await sql`with audit as (${a} returning id)
    insert into ticket_comments (account_id, id, ticket_id, audit_id, author_id, body, html_body, public, via_channel, via_source, created_at)
    select ${comment.account_id}, ${comment.id}, ${comment.ticket_id}, audit.id, ${comment.author_id}, ${comment.body}, ${comment.html_body},
      ${comment.public}, ${comment.via_channel}, ${JSON.stringify(comment.via_source)}::jsonb, ${comment.created_at} from audit`.execute(
    db.connection,
  );
}

/** The columns that decide who may see a ticket, which its events carry so realtime reaches exactly them. */
const AUDIENCE = ['id', 'group_id', 'assignee_id', 'requester_id', 'organization_id'] as const;
type Audience = Pick<TicketRow, (typeof AUDIENCE)[number]>;

/** Appends a ticket event whose payload names the ticket's audience (see tickets.realtime.ts). */
async function appendTicketEvent(
  db: TenantDb,
  actor: Actor | null,
  type: string,
  t: Audience,
  payload: DomainEvent['payload'] = {},
): Promise<void> {
  await appendEvent(db, {
    type,
    subjectType: 'ticket',
    subjectId: t.id,
    actorId: actor?.userId ?? null,
    payload: {
      ...payload,
      group_id: t.group_id,
      assignee_id: t.assignee_id,
      requester_id: t.requester_id,
      organization_id: t.organization_id,
    },
  });
}

/** A soft-deleted ticket, locked, or 404. */
async function lockDeletedTicket(db: TenantDb, id: number): Promise<Audience> {
  const ticket = await db
    .selectFrom('tickets')
    .select([...AUDIENCE, 'deleted_at'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!ticket?.deleted_at) throw notFound();
  return ticket;
}

/** Both create and update land here: one transaction for the ticket, its audit, comment, uploads and event. */
async function writeTicket(
  ctx: CommandContext,
  db: TenantDb,
  ticketId: number | null,
  input: TicketInput,
  options: WriteOptions,
  flags: { skipScope?: boolean } = {},
): Promise<TicketWriteResult> {
  const actor = ctx.actor;
  let current: TicketRow | null = null;
  if (ticketId !== null) {
    // Lock the row: concurrent updates to one ticket apply one after the other, each seeing the last.
    current =
      (await db
        .selectFrom('tickets')
        .selectAll()
        .where('id', '=', ticketId)
        .forUpdate()
        .executeTakeFirst()) ?? null;
    if (!current || current.deleted_at) throw notFound();
    if (actor && !flags.skipScope && !scopeAllows(await ticketScope(db, actor), current)) throw notFound();
    if (current.status === 'closed') {
      throw invalid('status', 'Status: closed prevents ticket update', 'ClosedTicket');
    }
    if (input.safe_update && input.updated_stamp !== undefined) {
      const stamp = Date.parse(input.updated_stamp);
      if (
        Number.isNaN(stamp) ||
        Math.floor(stamp / 1000) !== Math.floor(current.updated_at.getTime() / 1000)
      ) {
        throw new HavenError('CS_UPDATE_CONFLICT');
      }
    }
  }

  // The comment: on create the description is the first comment.
  const commentInput: CommentInput | undefined =
    input.comment ??
    (current === null && input.description !== undefined ? { body: input.description } : undefined);
  let bodies: { body: string; html: string } | null = null;
  let author: Awaited<ReturnType<typeof commentAuthor>> | null = null;
  let isPublic = true;
  if (commentInput) {
    bodies = commentBodies(commentInput);
    const hasUploads = (commentInput.uploads?.length ?? 0) > 0;
    if (!bodies.body && !hasUploads) {
      if (current === null) throw invalid('description', 'Description: cannot be blank', 'BlankValue');
      bodies = null;
    } else {
      const requesterFallback = current?.requester_id ?? null;
      author = await commentAuthor(db, actor, commentInput, requesterFallback);
      isPublic = commentInput.public ?? true;
      if (!isAgent(author.role)) isPublic = true;
      if (author.onlyPrivate) isPublic = false;
    }
  } else if (current === null) {
    throw invalid('description', 'Description: cannot be blank', 'BlankValue');
  }
  if (current && bodies && current.comment_count >= MAX_COMMENTS) {
    throw invalid('comment', `Comment: a ticket holds at most ${MAX_COMMENTS} comments`, 'TooManyComments');
  }

  const commentFacts = bodies && author ? { author: author.id, authorRole: author.role, isPublic } : null;
  let changes = await plan(db, actor, input, current, commentFacts);
  const via = viaOf(actor, input, options);
  // The rules' clock (the wall clock outside tests), so SLA and automation times line up with the ticket's.
  const now = clock.now();
  const clientInfo = { client: options.client ?? null, ip_address: ctx.ip };

  // On create, the requester and their organization are settled before the rules see the ticket.
  let requesterId: number | null = null;
  let organizationId: number | null | undefined;
  if (current === null) {
    requesterId = (changes.requester_id as number | undefined) ?? actor?.userId ?? author?.id ?? null;
    if (requesterId === null) throw invalid('requester', 'Requester: cannot be blank', 'BlankValue');
    organizationId = changes.organization_id;
    if (organizationId === undefined) {
      const r = await db
        .selectFrom('users')
        .select('organization_id')
        .where('id', '=', requesterId)
        .executeTakeFirst();
      organizationId = r?.organization_id ?? null;
    }
  }

  let phase: TriggerPhase | null = null;
  if (!options.skipTriggers) {
    const draft = draftTicket(current, changes, {
      requesterId,
      organizationId: organizationId ?? null,
      via: via.channel,
      isPublic: bodies ? isPublic : true,
      now,
    });
    phase = await evaluateTriggers(db, {
      input,
      draft,
      before: current,
      comment: bodies && author ? { public: isPublic, body: bodies.body } : null,
      actor,
      via: via.channel,
      now,
    });
    if (phase.input !== input) {
      try {
        changes = await plan(db, actor, phase.input, current, commentFacts);
      } catch (err) {
        // A trigger's change the ticket cannot take (a deleted group, a required field) is left out.
        const fired = phase.outcome?.fired.map((r) => r.title).join(', ');
        phase.errors.push({ rule: null, message: `${ruleErrorMessage(err)} (triggers: ${fired})` });
        phase.outcome?.setBy.clear();
      }
    }
  }
  const automation = automationOf(options);
  if (
    offersSatisfaction(phase, options.effects ?? []) &&
    (current?.satisfaction_score ?? 'unoffered') === 'unoffered'
  ) {
    changes.satisfaction_score = 'offered';
  }

  // SLA: targets of the first matching policy, computed on the ticket as this write leaves it.
  let sla: SlaColumns | null = null;
  const slaRules = await loadSlaRules(db);
  if (slaRules || current?.sla_policy_id) {
    const finalDraft = draftTicket(current, changes, {
      requesterId: requesterId ?? current?.requester_id ?? null,
      organizationId:
        (changes.organization_id as number | null | undefined) ??
        organizationId ??
        current?.organization_id ??
        null,
      via: via.channel,
      isPublic: bodies ? isPublic : true,
      now,
    });
    sla = computeSla(slaRules ?? { policies: [], schedule: null }, {
      before: current,
      after: finalDraft,
      comment:
        bodies && author
          ? {
              public: isPublic,
              authorIsAgent: isAgent(author.role),
              authorIsRequester: author.id === finalDraft.requester_id,
            }
          : null,
      now,
    });
    Object.assign(changes, slaColumnValues(sla));
  }

  let ticket: TicketRow;
  if (current === null) {
    const subject = (changes.subject as string | undefined) ?? firstLine(bodies?.body ?? '');
    const values: Omit<Insertable<TicketsTable>, 'account_id'> = {
      ...(changes as object),
      subject,
      description: bodies?.body ?? '',
      requester_id: requesterId,
      submitter_id: (changes.submitter_id as number | undefined) ?? actor?.userId ?? requesterId,
      organization_id: organizationId ?? null,
      via_channel: via.channel,
      via_source: via.source,
      followup_source_id: input.via_followup_source_id ?? null,
      is_public: bodies ? isPublic : true,
      comment_count: bodies ? 1 : 0,
      created_at: now,
      updated_at: now,
      status_updated_at: now,
      assigned_at: changes.assignee_id ? now : null,
      initially_assigned_at: changes.assignee_id ? now : null,
      solved_at: changes.status === 'solved' || changes.status === 'closed' ? now : null,
      requester_updated_at: now,
      agent_updated_at: author && isAgent(author.role) && author.id !== requesterId ? now : null,
    };
    if (input.via_followup_source_id) {
      const source = await findTicket(db, input.via_followup_source_id);
      if (source?.status !== 'closed') {
        throw invalid(
          'via_followup_source_id',
          'Follow-ups can only be created for closed tickets',
          'InvalidValue',
        );
      }
      values.via_source = {
        ...via.source,
        rel: 'follow_up',
        from: { ticket_id: source.id, subject: source.subject },
      };
    }
    ticket = await db
      .insertInto('tickets', values)
      .returningAll()
      .returning(nextIds)
      .executeTakeFirstOrThrow();
  } else {
    const set: Columns = { ...changes, updated_at: now };
    if (changes.status !== undefined) {
      set.status_updated_at = now;
      if (changes.status === 'solved') set.solved_at = now;
      else if (changes.status !== 'closed') set.solved_at = null;
    }
    if (changes.assignee_id) {
      set.assigned_at = now;
      if (!current.initially_assigned_at) set.initially_assigned_at = now;
    }
    if (bodies && author) {
      set.comment_count = current.comment_count + 1;
      if (author.id === current.requester_id) set.requester_updated_at = now;
      else if (isAgent(author.role) && isPublic) set.agent_updated_at = now;
      if (!isPublic && current.is_public && current.comment_count === 0) set.is_public = false;
    }
    ticket = await db
      .updateTable('tickets')
      .set(set)
      .where('id', '=', current.id)
      .returningAll()
      .returning(nextIds)
      .executeTakeFirstOrThrow();
  }

  const ids = ticket as TicketRow & { next_audit_id: number; next_comment_id: number };
  const auditId = ids.next_audit_id;
  const commentId = bodies && author ? ids.next_comment_id : null;
  delete (ticket as Partial<typeof ids>).next_audit_id;
  delete (ticket as Partial<typeof ids>).next_comment_id;

  // Event ids are unique per account: a comment event has its comment's id, others the audit id scaled plus position.
  const numbered: AuditEvent[] = [];
  if (bodies && author && commentId !== null) {
    numbered.push({
      id: commentId,
      type: 'Comment',
      author_id: author.id,
      body: bodies.body,
      html_body: bodies.html,
      plain_body: bodies.body,
      public: isPublic,
      attachments: [],
    });
  }
  for (const e of changeEvents(current ?? {}, ticket, current === null)) {
    numbered.push({ ...e, type: String(e.type), id: auditId * 1000 + numbered.length });
  }
  numbered.push(
    ...ruleAuditEvents(
      numbered,
      ticket,
      actor,
      phase,
      automation ? { rule: automation, effects: options.effects ?? [] } : null,
      (() => {
        let next = numbered.length;
        return () => auditId * 1000 + next++;
      })(),
    ),
  );
  const audit: AuditRow = {
    account_id: db.accountId,
    id: auditId,
    ticket_id: ticket.id,
    author_id: actor?.userId ?? author?.id ?? null,
    via_channel: via.channel,
    via_source: via.source,
    client: clientInfo.client,
    ip_address: clientInfo.ip_address,
    events: numbered,
    created_at: now,
  };
  const comment: CommentRow | null =
    bodies && author && commentId !== null
      ? {
          account_id: db.accountId,
          id: commentId,
          ticket_id: ticket.id,
          audit_id: auditId,
          author_id: author.id,
          body: bodies.body,
          html_body: bodies.html,
          public: isPublic,
          via_channel: via.channel,
          via_source: via.source,
          created_at: now,
        }
      : null;
  await insertAuditAndComment(db, audit, comment);
  if (comment && commentInput?.uploads?.length) {
    const attachmentIds = await claimUploads(db, commentInput.uploads, {
      ticketId: ticket.id,
      commentId: comment.id,
      // Uploads belong to whoever sent them: the caller, also when writing on the requester's behalf.
      authorId: actor?.userId ?? null,
    });
    numbered[0]!.attachments = attachmentIds.map((id) => ({ id }));
    await db
      .updateTable('ticket_audits')
      .set({ events: JSON.stringify(numbered) as unknown as AuditEvent[] })
      .where('id', '=', auditId)
      .execute();
  }
  const saved = audit;

  const changed = numbered.filter((e) => e.field_name).map((e) => e.field_name!);
  await appendTicketEvent(
    db,
    actor,
    current === null ? TICKET_EVENTS.created : TICKET_EVENTS.updated,
    ticket,
    {
      audit_id: audit.id,
      changes: changed,
      comment_id: comment?.id ?? null,
      comment_public: comment ? comment.public : null,
      status: ticket.status,
      via: via.channel,
    },
  );

  await announceRuleEffects(db, ticket, audit.id, numbered);
  if (sla) await recordSlaOutcomes(db, ticket.id, current?.sla_metrics, sla);
  if (changes.satisfaction_score === 'offered') await offerSatisfaction(db, ticket.id);

  if (current && ticket.type === 'problem' && changes.status === 'solved')
    await solveIncidents(db, ctx, ticket);
  for (const { rule, comment: c } of phase?.outcome?.comments ?? []) {
    await addRuleComment(ctx, db, ticket, ruleVia({ rel: 'trigger', ...rule }), c);
  }
  return { ticket, audit: saved, comment };
}

/** The ticket as a write would leave it, before triggers: what their conditions read. */
function draftTicket(
  current: TicketRow | null,
  changes: Columns,
  d: { requesterId: number | null; organizationId: number | null; via: string; isPublic: boolean; now: Date },
): TicketRow {
  if (current) return { ...current, ...(changes as Partial<TicketRow>), updated_at: d.now };
  const c = changes as Partial<TicketRow>;
  return {
    account_id: 0,
    id: 0,
    external_id: null,
    subject: '',
    description: '',
    priority: null,
    type: null,
    submitter_id: null,
    assignee_id: null,
    group_id: null,
    problem_id: null,
    followup_source_id: null,
    collaborator_ids: [],
    follower_ids: [],
    email_cc_ids: [],
    tags: [],
    custom_fields: {},
    due_at: null,
    via_source: {},
    recipient: null,
    comment_count: 1,
    status_updated_at: d.now,
    assigned_at: c.assignee_id ? d.now : null,
    initially_assigned_at: null,
    solved_at: null,
    requester_updated_at: d.now,
    agent_updated_at: null,
    deleted_at: null,
    deleted_by_id: null,
    satisfaction_score: 'unoffered',
    ...c,
    status: c.status ?? 'new',
    requester_id: d.requesterId,
    organization_id: d.organizationId,
    via_channel: d.via,
    is_public: d.isPublic,
    created_at: d.now,
    updated_at: d.now,
  } as TicketRow;
}

/** The automation a write comes from, when it does (its via names it). */
function automationOf(options: WriteOptions): RuleVia | null {
  const source = options.via?.source;
  const from = source?.from as { id?: unknown; title?: unknown } | undefined;
  if (options.via?.channel !== 'rule' || source?.rel !== 'automation' || typeof from?.id !== 'number')
    return null;
  return { rel: 'automation', id: from.id, title: String(from.title ?? '') };
}

/**
 * A rule's comment is its own write, after the one that fired it, authored by whoever made that write (or the
 * assignee when the system did); triggers do not run on it, so it cannot fire them again.
 */
async function addRuleComment(
  ctx: CommandContext,
  db: TenantDb,
  ticket: TicketRow,
  via: { channel: string; source: ViaSource },
  c: { text: string | null; html: string | null; public: boolean },
): Promise<void> {
  const authorId = ctx.actor?.userId ?? ticket.assignee_id;
  if (authorId === null || ticket.status === 'closed') return;
  const render = (template: string, html: boolean) =>
    renderPlaceholders(db, template, {
      ticket,
      actor: ctx.actor ? { userId: ctx.actor.userId } : null,
      html,
    });
  const comment =
    c.html !== null ? { html_body: await render(c.html, true) } : { body: await render(c.text ?? '', false) };
  if (!comment.html_body && !comment.body) return;
  await writeTicket(
    ctx,
    db,
    ticket.id,
    { comment: { ...comment, public: c.public, author_id: authorId } },
    { via, skipTriggers: true },
    { skipScope: true },
  );
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim()) ?? '';
  return line.length > 80 ? `${line.slice(0, 77)}...` : line.trim();
}

export async function createTicket(
  ctx: CommandContext,
  input: TicketInput,
  options: WriteOptions = {},
): Promise<TicketWriteResult> {
  if (ctx.actor) ticketPolicy.assertAgent(ctx.actor);
  if (input.external_id) await assertExternalIdFree(ctx.db, input.external_id, null);
  return ctx.db.transaction((db) => writeTicket({ ...ctx, db }, db, null, input, options));
}

export async function updateTicket(
  ctx: CommandContext,
  id: number,
  input: TicketInput,
  options: WriteOptions = {},
): Promise<TicketWriteResult> {
  if (ctx.actor) ticketPolicy.assertAgent(ctx.actor);
  if (input.external_id) await assertExternalIdFree(ctx.db, input.external_id, id);
  return ctx.db.transaction((db) => writeTicket({ ...ctx, db }, db, id, input, options));
}

/**
 * The end-user side (`/api/v2/requests`): an end-user opens a request or comments on their own. Fields they
 * may set are narrowed by the caller (requests routes); this skips the agent-only policy.
 */
export async function writeAsEndUser(
  ctx: CommandContext,
  id: number | null,
  input: TicketInput,
  options: WriteOptions = {},
): Promise<TicketWriteResult> {
  return ctx.db.transaction((db) => writeTicket({ ...ctx, db }, db, id, input, options));
}

/**
 * A write arriving through a channel (an email) on behalf of the message's sender. The sender is the actor, so
 * triggers see who wrote (an end-user's reply does not notify the end-user of their own comment), but the
 * channel has already decided which ticket the message belongs to (thread headers, a signed reply token), so
 * the sender's ticket visibility is not checked: a colleague answering in the thread still reaches the ticket.
 */
export async function writeFromChannel(
  ctx: CommandContext,
  id: number | null,
  input: TicketInput,
  options: WriteOptions = {},
): Promise<TicketWriteResult> {
  return ctx.db.transaction((db) => writeTicket({ ...ctx, db }, db, id, input, options, { skipScope: true }));
}

async function assertExternalIdFree(
  db: TenantDb,
  externalId: string,
  exceptId: number | null,
): Promise<void> {
  const owner = await db
    .selectFrom('tickets')
    .select('id')
    .where('external_id', '=', externalId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (owner && owner.id !== exceptId) {
    throw invalid('external_id', 'External ID: has already been taken', 'DuplicateValue');
  }
}

/** Soft delete: the ticket moves to /deleted_tickets, where an admin can restore or destroy it. */
export async function deleteTicket(ctx: CommandContext, id: number): Promise<void> {
  if (ctx.actor) ticketPolicy.assertCanDelete(ctx.actor);
  await ctx.db.transaction(async (db) => {
    const ticket = await db
      .selectFrom('tickets')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!ticket || ticket.deleted_at) throw notFound();
    if (ctx.actor && !scopeAllows(await ticketScope(db, ctx.actor), ticket)) throw notFound();
    const now = new Date();
    await db
      .updateTable('tickets')
      .set({ deleted_at: now, deleted_by_id: ctx.actor?.userId ?? null, updated_at: now })
      .where('id', '=', id)
      .execute();
    await appendTicketEvent(db, ctx.actor, TICKET_EVENTS.deleted, ticket);
  });
}

export async function restoreTicket(ctx: CommandContext, id: number): Promise<void> {
  if (ctx.actor) ticketPolicy.assertCanDelete(ctx.actor);
  await ctx.db.transaction(async (db) => {
    const ticket = await lockDeletedTicket(db, id);
    await db
      .updateTable('tickets')
      .set({ deleted_at: null, deleted_by_id: null, updated_at: new Date() })
      .where('id', '=', id)
      .execute();
    await appendTicketEvent(db, ctx.actor, TICKET_EVENTS.restored, ticket);
  });
}

/** Permanent deletion of a soft-deleted ticket: its comments, audits and attachments go with it. */
export async function destroyTicket(ctx: CommandContext, id: number): Promise<void> {
  if (ctx.actor) ticketPolicy.assertAdmin(ctx.actor);
  await ctx.db.transaction(async (db) => {
    const ticket = await lockDeletedTicket(db, id);
    await db.deleteFrom('tickets').where('id', '=', id).execute();
    await appendTicketEvent(db, ctx.actor, TICKET_EVENTS.destroyed, ticket);
  });
}

/** Turns a comment into an internal note (Zendesk's make_private); there is no way back, as in Zendesk. */
export async function makeCommentPrivate(
  ctx: CommandContext,
  ticketId: number,
  commentId: number,
): Promise<void> {
  await ctx.db.transaction(async (db) => {
    const comment = await db
      .selectFrom('ticket_comments')
      .selectAll()
      .where('ticket_id', '=', ticketId)
      .where('id', '=', commentId)
      .executeTakeFirst();
    if (!comment) throw notFound();
    if (!comment.public) return;
    await db.updateTable('ticket_comments').set({ public: false }).where('id', '=', commentId).execute();
    await recordChange(ctx, db, ticketId, [
      { type: 'CommentPrivacyChange', comment_id: commentId, public: false },
    ]);
  });
}

/** Replaces every occurrence of `text` in a comment with a block character, as Zendesk's redaction does. */
export async function redactCommentText(
  ctx: CommandContext,
  ticketId: number,
  commentId: number,
  text: string,
): Promise<CommentRow> {
  return ctx.db.transaction(async (db) => {
    const comment = await db
      .selectFrom('ticket_comments')
      .selectAll()
      .where('ticket_id', '=', ticketId)
      .where('id', '=', commentId)
      .forUpdate()
      .executeTakeFirst();
    if (!comment) throw notFound();
    if (!comment.body.includes(text) && !comment.html_body.includes(text)) {
      throw invalid('text', 'Text: does not appear in the comment', 'InvalidValue');
    }
    const mask = '▇'.repeat(Math.min(text.length, 40));
    const row = await db
      .updateTable('ticket_comments')
      .set({ body: comment.body.split(text).join(mask), html_body: comment.html_body.split(text).join(mask) })
      .where('id', '=', commentId)
      .returningAll()
      .executeTakeFirstOrThrow();
    // The audit's copy of the comment is redacted too, so the text survives nowhere.
    const audits = await db
      .selectFrom('ticket_audits')
      .select(['id', 'events'])
      .where('ticket_id', '=', ticketId)
      .execute();
    for (const a of audits) {
      if (!a.events.some((e) => e.type === 'Comment' && e.id === commentId)) continue;
      const events = a.events.map((e) =>
        e.type === 'Comment' && e.id === commentId
          ? { ...e, body: row.body, html_body: row.html_body, plain_body: row.body }
          : e,
      );
      await db
        .updateTable('ticket_audits')
        .set({ events: JSON.stringify(events) as unknown as AuditEvent[] })
        .where('id', '=', a.id)
        .execute();
    }
    const ticket = await findTicket(db, ticketId);
    if (ticket?.description.includes(text) && comment.id === (await firstCommentId(db, ticketId))) {
      await db
        .updateTable('tickets')
        .set({ description: ticket.description.split(text).join(mask) })
        .where('id', '=', ticketId)
        .execute();
    }
    await recordChange(ctx, db, ticketId, [{ type: 'CommentRedactionEvent', comment_id: commentId }]);
    return row;
  });
}

async function firstCommentId(db: TenantDb, ticketId: number): Promise<number | null> {
  const row = await db
    .selectFrom('ticket_comments')
    .select('id')
    .where('ticket_id', '=', ticketId)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row?.id ?? null;
}

/** An audit for a change that is not a field write (privacy switch, redaction), bumping updated_at. */
async function recordChange(
  ctx: CommandContext,
  db: TenantDb,
  ticketId: number,
  events: Omit<AuditEvent, 'id'>[],
): Promise<void> {
  const audit = await db
    .insertInto('ticket_audits', {
      ticket_id: ticketId,
      author_id: ctx.actor?.userId ?? null,
      ip_address: ctx.ip,
      events: [],
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const numbered = events.map((e, i) => ({ ...e, id: audit.id * 1000 + i }));
  await db
    .updateTable('ticket_audits')
    .set({ events: JSON.stringify(numbered) as unknown as AuditEvent[] })
    .where('id', '=', audit.id)
    .execute();
  const ticket = await db
    .updateTable('tickets')
    .set({ updated_at: new Date() })
    .where('id', '=', ticketId)
    .returning(AUDIENCE)
    .executeTakeFirstOrThrow();
  await appendTicketEvent(db, ctx.actor, TICKET_EVENTS.updated, ticket, {
    audit_id: audit.id,
    changes: events.map((e) => String(e.type)),
  });
}

/** Replaces, adds or removes a ticket's tags (the /tickets/{id}/tags endpoints). */
export async function changeTags(
  ctx: CommandContext,
  id: number,
  mode: 'set' | 'add' | 'remove',
  tags: string[],
  safe?: { updated_stamp?: string; safe_update?: boolean },
): Promise<TicketRow> {
  const input: TicketInput =
    mode === 'set' ? { tags } : mode === 'add' ? { additional_tags: tags } : { remove_tags: tags };
  const { ticket } = await updateTicket(ctx, id, { ...input, ...safe });
  return ticket;
}

/**
 * Merges source tickets into a target: each source gets a closing comment and is closed; the target gets a
 * comment naming them. Both histories stay where they were, as in Zendesk.
 */
export async function mergeTickets(
  ctx: CommandContext,
  targetId: number,
  sourceIds: number[],
  options: {
    targetComment?: string;
    sourceComment?: string;
    targetCommentIsPublic?: boolean;
    sourceCommentIsPublic?: boolean;
  },
): Promise<void> {
  if (sourceIds.includes(targetId))
    throw invalid('ids', 'A ticket cannot be merged into itself', 'InvalidValue');
  await ctx.db.transaction(async (db) => {
    const inner = { ...ctx, db };
    const target = await findTicket(db, targetId);
    if (!target || target.deleted_at) throw notFound();
    if (target.status === 'closed')
      throw invalid('ids', `Ticket ${targetId} is closed and cannot take a merge`, 'ClosedTicket');
    for (const sourceId of sourceIds) {
      const source = await findTicket(db, sourceId);
      if (!source || source.deleted_at)
        throw invalid('ids', `Ticket ${sourceId} does not exist`, 'InvalidValue');
      if (source.status === 'closed')
        throw invalid('ids', `Ticket ${sourceId} is closed and cannot be merged`, 'ClosedTicket');
      await writeTicket(
        inner,
        db,
        sourceId,
        {
          status: 'closed',
          additional_tags: ['closed_by_merge'],
          comment: {
            body:
              options.sourceComment ??
              `This request was closed and merged into request #${targetId} "${target.subject}".`,
            public: options.sourceCommentIsPublic ?? true,
          },
        },
        {},
      );
    }
    const sources = await db
      .selectFrom('tickets')
      .select(['id', 'subject', 'collaborator_ids', 'requester_id'])
      .where('id', 'in', sourceIds)
      .execute();
    const extraCollaborators = sources
      .flatMap((s) => [
        ...s.collaborator_ids,
        ...(s.requester_id && s.requester_id !== target.requester_id ? [s.requester_id] : []),
      ])
      .filter((id) => !target.collaborator_ids.includes(id));
    await writeTicket(
      inner,
      db,
      targetId,
      {
        comment: {
          body:
            options.targetComment ??
            `Requests ${sources.map((s) => `#${s.id} "${s.subject}"`).join(', ')} were closed and merged into this request.`,
          public: options.targetCommentIsPublic ?? true,
        },
        ...(extraCollaborators.length
          ? { collaborator_ids: [...target.collaborator_ids, ...new Set(extraCollaborators)] }
          : {}),
      },
      {},
    );
    await appendTicketEvent(db, ctx.actor, TICKET_EVENTS.merged, target, { source_ids: sourceIds });
  });
}
