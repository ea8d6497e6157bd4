import type { Selectable } from 'kysely';
import { isoTime } from '../../platform/http/format.ts';
import { COLUMNS, ROW_SOURCES } from './views.columns.ts';
import type { Restricted } from './views.policy.ts';
import type { StoredExecution, ViewsTable } from './views.tables.ts';

export type ViewRow = Selectable<ViewsTable>;
type UrlFor = (path: string) => string;

/** Zendesk's restriction object: null (everyone), `{type: "User", id}` or `{type: "Group", id, ids}`. */
export function presentRestriction(r: Restricted) {
  if (r.owner_user_id !== null) return { type: 'User', id: r.owner_user_id };
  if (r.restriction_group_ids !== null) {
    return { type: 'Group', id: r.restriction_group_ids[0] ?? null, ids: r.restriction_group_ids };
  }
  return null;
}

export function presentColumn(id: string) {
  return { id, title: COLUMNS[id]?.title ?? id };
}

export function presentExecution(e: StoredExecution) {
  const columns = e.columns.map(presentColumn);
  return {
    group_by: e.group_by,
    group_order: e.group_order,
    sort_by: e.sort_by,
    sort_order: e.sort_order,
    group: e.group_by ? { ...presentColumn(e.group_by), order: e.group_order } : null,
    sort: { ...presentColumn(e.sort_by), order: e.sort_order },
    columns,
    fields: columns,
    custom_fields: [],
  };
}

/** A view in Zendesk API v2 shape. */
export function presentView(v: ViewRow, url: UrlFor) {
  return {
    url: url(`/api/v2/views/${v.id}.json`),
    id: v.id,
    title: v.title,
    raw_title: v.title,
    description: v.description,
    active: v.active,
    position: v.position,
    default: v.default,
    restriction: presentRestriction(v),
    execution: presentExecution(v.execution),
    conditions: {
      all: v.conditions.all.map(({ field, operator, value }) => ({ field, operator, value })),
      any: v.conditions.any.map(({ field, operator, value }) => ({ field, operator, value })),
    },
    created_at: isoTime(v.created_at),
    updated_at: isoTime(v.updated_at),
  };
}

/** Zendesk's `pretty` count: exact when small, `~N` (two significant figures) when estimated. */
export function prettyCount(value: number, exact: boolean): string {
  if (exact) return String(value);
  const magnitude = 10 ** Math.max(0, Math.floor(Math.log10(value)) - 1);
  return `~${Math.round(value / magnitude) * magnitude}`;
}

export function presentViewCount(viewId: number, count: { value: number; exact: boolean }, url: UrlFor) {
  return {
    view_id: viewId,
    url: url(`/api/v2/views/${viewId}/count.json`),
    value: count.value,
    pretty: prettyCount(count.value, count.exact),
    fresh: true,
  };
}

/** The partial ticket every executed row carries (views.queries.ts selectRowColumns adds the shown columns). */
export interface ExecutedTicket {
  id: number;
  subject: string;
  description: string;
  status: string;
  priority: string | null;
  type: string | null;
  [column: string]: unknown;
}

/**
 * One row of an executed view: a partial ticket, the value of each shown column under its row key
 * (`requester_id`, `created` …), and `ticket_id`.
 */
export function presentViewRow(t: ExecutedTicket, rowKeys: string[], url: UrlFor) {
  const row: Record<string, unknown> = {
    ticket: {
      id: t.id,
      url: url(`/api/v2/tickets/${t.id}.json`),
      subject: t.subject,
      description: t.description,
      status: t.status,
      type: t.type,
      priority: t.priority,
    },
  };
  for (const key of rowKeys) {
    const source = ROW_SOURCES[key]!;
    const value = t[source.column] ?? null;
    row[key] = source.time ? isoTime(value as Date | null) : value;
  }
  row.ticket_id = t.id;
  return row;
}

/** The row keys a view's rows carry: its columns' and its group column's. */
export function rowKeysOf(columns: string[], groupBy: string | null): string[] {
  const keys = new Set<string>();
  for (const c of [...columns, ...(groupBy ? [groupBy] : [])]) {
    const key = COLUMNS[c]?.key;
    if (key && key !== 'ticket_id') keys.add(key);
  }
  return [...keys];
}
