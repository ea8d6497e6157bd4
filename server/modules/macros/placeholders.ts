import { Liquid } from 'liquidjs';
import type { TenantDb } from '../../platform/db/tenant-db.ts';
import type { TicketRow } from '../tickets/tickets.presenter.ts';

/**
 * Zendesk placeholders (`{{ticket.requester.first_name}}`, `{{current_user.name}}` …) rendered with Liquid,
 * which is what Zendesk's placeholders are. Macros use it for comments; trigger and automation emails reuse
 * it. Unknown placeholders render empty. Templates cannot reach files (no partials), their own prototype
 * chains, or run long: parse, render time and memory are bounded.
 */
const LIMITS = {
  templates: {},
  ownPropertyOnly: true,
  strictVariables: false,
  strictFilters: false,
  parseLimit: 100_000,
  renderLimit: 50,
  memoryLimit: 1_000_000,
  cache: false,
} as const;

const plain = new Liquid({ ...LIMITS, outputEscape: undefined });
const html = new Liquid({ ...LIMITS, outputEscape: 'escape' });

/** Whether a template parses; macros check their comment text with it when saved. */
export function placeholderError(template: string): string | null {
  try {
    plain.parse(template);
    return null;
  } catch (err) {
    return (err as Error).message.split('\n')[0] ?? 'cannot be parsed';
  }
}

export interface PlaceholderContext {
  /** The ticket the text is about (after the changes being made), or null. */
  ticket: TicketRow | null;
  /** Who is acting: `current_user`. */
  actor: { userId: number } | null;
  /** Values are HTML-escaped when the template is HTML. */
  html?: boolean;
  /** Absolute URL for a path on this install, for `{{ticket.url}}` and `{{ticket.link}}`. */
  url?: (path: string) => string;
  /** More values: `ticket` entries join the ticket's (rule emails add its comments), others are top-level. */
  extra?: Record<string, unknown>;
}

interface Person {
  name: string;
  first_name: string;
  last_name: string;
  email: string | null;
  id: number;
}

const mentions = (template: string, ...words: string[]) => words.some((w) => template.includes(w));

/** The people a template names, with their primary email, in one query. */
async function people(db: TenantDb, ids: number[]): Promise<Map<number, Person>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('users')
    .leftJoin('user_identities', (j) =>
      j
        .onRef('user_identities.account_id', '=', 'users.account_id')
        .onRef('user_identities.user_id', '=', 'users.id')
        .on('user_identities.type', '=', 'email')
        .on('user_identities.primary', '=', true),
    )
    .select(['users.id', 'users.name', 'user_identities.value as email'])
    .where('users.id', 'in', ids)
    .execute();
  return new Map(
    rows.map((r) => {
      const [first, ...rest] = r.name.trim().split(/\s+/);
      return [
        r.id,
        { id: r.id, name: r.name, first_name: first ?? '', last_name: rest.join(' '), email: r.email },
      ];
    }),
  );
}

/** What the template can read; only what it mentions is loaded. */
async function scope(
  db: TenantDb,
  template: string,
  ctx: PlaceholderContext,
): Promise<Record<string, unknown>> {
  const t = ctx.ticket;
  const userIds = new Set<number>();
  if (t?.requester_id && mentions(template, 'requester')) userIds.add(t.requester_id);
  if (t?.assignee_id && mentions(template, 'assignee')) userIds.add(t.assignee_id);
  if (ctx.actor && mentions(template, 'current_user')) userIds.add(ctx.actor.userId);
  const [users, organization, group] = await Promise.all([
    people(db, [...userIds]),
    t?.organization_id && mentions(template, 'organization')
      ? db.selectFrom('organizations').select('name').where('id', '=', t.organization_id).executeTakeFirst()
      : undefined,
    t?.group_id && mentions(template, 'group')
      ? db.selectFrom('groups').select('name').where('id', '=', t.group_id).executeTakeFirst()
      : undefined,
  ]);
  const vars: Record<string, unknown> = {};
  if (ctx.actor) vars.current_user = users.get(ctx.actor.userId) ?? {};
  if (t) {
    const agentLink = `/agent/tickets/${t.id}`;
    vars.ticket = {
      id: t.id,
      title: t.subject,
      subject: t.subject,
      description: t.description,
      status: t.status,
      priority: t.priority ?? '',
      ticket_type: t.type ?? '',
      type: t.type ?? '',
      tags: t.tags.join(' '),
      due_date: t.due_at ? t.due_at.toISOString().slice(0, 10) : '',
      url: ctx.url ? ctx.url(agentLink).replace(/^https?:\/\//, '') : agentLink,
      link: ctx.url ? ctx.url(agentLink) : agentLink,
      requester: (t.requester_id && users.get(t.requester_id)) || {},
      assignee: (t.assignee_id && users.get(t.assignee_id)) || {},
      organization: organization ?? {},
      group: group ?? {},
    };
  }
  for (const [key, value] of Object.entries(ctx.extra ?? {})) {
    vars[key] =
      key === 'ticket' && vars.ticket ? { ...(vars.ticket as object), ...(value as object) } : value;
  }
  return vars;
}

/**
 * Renders `template` against a ticket and the acting user. A template that does not parse (or runs past its
 * limits) is returned as written, so a stray `{{` never loses an agent's text.
 */
export async function renderPlaceholders(
  db: TenantDb,
  template: string,
  ctx: PlaceholderContext,
): Promise<string> {
  if (!template.includes('{')) return template;
  const engine = ctx.html ? html : plain;
  try {
    return await engine.parseAndRender(template, await scope(db, template, ctx));
  } catch {
    return template;
  }
}
