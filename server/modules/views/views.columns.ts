import { sql } from '../../platform/db/tenant-db.ts';
import { invalid } from '../../platform/http/errors.ts';
import { PRIORITY_ORDER, STATUS_ORDER } from './views.conditions.ts';
import type { StoredExecution } from './views.tables.ts';

/**
 * The columns a view can show, sort and group by, in Zendesk's view-column vocabulary (`requester`,
 * `created`, `nice_id` …), and how each maps onto `tickets`.
 *
 * - `key`: the property a column's value has in an executed row (Zendesk: `requester_id`, `created` …).
 * - `sort`: the SQL expression ordering by it; `nullable` says whether it can be null (keyset pagination).
 *   Sorting by a person, group or organization sorts by their name, through a join.
 * - `group`: the raw value rows are grouped by, when the column can group.
 */
export type Join = 'requester' | 'assignee' | 'submitter' | 'group' | 'organization';
export type KeyType = 'timestamptz' | 'text' | 'int';

export interface ColumnSpec {
  title: string;
  key: string;
  sort?: { expr: string; nullable: boolean; type: KeyType; join?: Join };
  group?: { expr: string; type: KeyType; join?: Join };
}

const statusRank = `array_position(array[${STATUS_ORDER.map((s) => `'${s}'`).join(',')}]::text[], tickets.status)`;
const priorityRank = `array_position(array[${PRIORITY_ORDER.map((s) => `'${s}'`).join(',')}]::text[], tickets.priority)`;

const time = (column: string) => ({
  expr: `tickets.${column}`,
  nullable: column !== 'created_at' && column !== 'updated_at',
  type: 'timestamptz' as const,
});
const name = (join: Join) => ({ expr: `${join}_j.name`, nullable: true, type: 'text' as const, join });
const byId = (column: string, join: Join) => ({ expr: `tickets.${column}`, type: 'int' as const, join });

export const COLUMNS: Record<string, ColumnSpec> = {
  nice_id: { title: 'ID', key: 'ticket_id', sort: { expr: 'tickets.id', nullable: false, type: 'int' } },
  subject: {
    title: 'Subject',
    key: 'subject',
    sort: { expr: 'tickets.subject', nullable: false, type: 'text' },
  },
  description: {
    title: 'Subject',
    key: 'subject',
    sort: { expr: 'tickets.subject', nullable: false, type: 'text' },
  },
  status: {
    title: 'Status',
    key: 'status',
    sort: { expr: statusRank, nullable: false, type: 'int' },
    group: { expr: 'tickets.status', type: 'text' },
  },
  priority: {
    title: 'Priority',
    key: 'priority',
    sort: { expr: priorityRank, nullable: true, type: 'int' },
    group: { expr: 'tickets.priority', type: 'text' },
  },
  type: {
    title: 'Type',
    key: 'type',
    sort: { expr: 'tickets.type', nullable: true, type: 'text' },
    group: { expr: 'tickets.type', type: 'text' },
  },
  requester: {
    title: 'Requester',
    key: 'requester_id',
    sort: name('requester'),
    group: byId('requester_id', 'requester'),
  },
  assignee: {
    title: 'Assignee',
    key: 'assignee_id',
    sort: name('assignee'),
    group: byId('assignee_id', 'assignee'),
  },
  submitter: {
    title: 'Submitter',
    key: 'submitter_id',
    sort: name('submitter'),
    group: byId('submitter_id', 'submitter'),
  },
  group: { title: 'Group', key: 'group_id', sort: name('group'), group: byId('group_id', 'group') },
  organization: {
    title: 'Organization',
    key: 'organization_id',
    sort: name('organization'),
    group: byId('organization_id', 'organization'),
  },
  created: { title: 'Requested', key: 'created', sort: time('created_at') },
  updated: { title: 'Updated', key: 'updated', sort: time('updated_at') },
  solved: { title: 'Solved', key: 'solved', sort: time('solved_at') },
  assigned: { title: 'Assigned', key: 'assigned', sort: time('assigned_at') },
  due_date: { title: 'Due Date', key: 'due_date', sort: time('due_at') },
  updated_requester: {
    title: 'Requester updated',
    key: 'updated_requester',
    sort: time('requester_updated_at'),
  },
  updated_assignee: { title: 'Assignee updated', key: 'updated_assignee', sort: time('agent_updated_at') },
};

/**
 * Where each row key's value comes from: a tickets column, shown as an ISO time when `time`. Executions
 * select only the columns their view shows.
 */
export const ROW_SOURCES: Record<string, { column: string; time?: boolean }> = {
  ticket_id: { column: 'id' },
  subject: { column: 'subject' },
  status: { column: 'status' },
  priority: { column: 'priority' },
  type: { column: 'type' },
  requester_id: { column: 'requester_id' },
  assignee_id: { column: 'assignee_id' },
  submitter_id: { column: 'submitter_id' },
  group_id: { column: 'group_id' },
  organization_id: { column: 'organization_id' },
  created: { column: 'created_at', time: true },
  updated: { column: 'updated_at', time: true },
  solved: { column: 'solved_at', time: true },
  assigned: { column: 'assigned_at', time: true },
  due_date: { column: 'due_at', time: true },
  updated_requester: { column: 'requester_updated_at', time: true },
  updated_assignee: { column: 'agent_updated_at', time: true },
};

/** Ticket attribute names clients also sort by (`sort_by=created_at`), mapped onto view columns. */
const SORT_ALIASES: Record<string, string> = {
  id: 'nice_id',
  ticket_id: 'nice_id',
  created_at: 'created',
  updated_at: 'updated',
  solved_at: 'solved',
  due_at: 'due_date',
  assigned_at: 'assigned',
  requester_id: 'requester',
  assignee_id: 'assignee',
  submitter_id: 'submitter',
  group_id: 'group',
  organization_id: 'organization',
};

export const MAX_COLUMNS = 10;

export function resolveColumn(id: string): string | undefined {
  const canonical = SORT_ALIASES[id] ?? id;
  return COLUMNS[canonical] ? canonical : undefined;
}

function sortColumn(value: string, field: string): string {
  const id = resolveColumn(value);
  if (!id || !COLUMNS[id]!.sort) {
    throw invalid(field, `"${value}" is not a column views can sort by`, 'InvalidValue');
  }
  return id;
}

function groupColumn(value: string, field: string): string {
  const id = resolveColumn(value);
  if (!id || !COLUMNS[id]!.group) {
    throw invalid(field, `"${value}" is not a column views can group by`, 'InvalidValue');
  }
  return id;
}

export interface ExecutionInput {
  columns?: unknown;
  group_by?: string | null;
  group_order?: string | null;
  sort_by?: string | null;
  sort_order?: string | null;
}

function order(value: string | null | undefined, field: string, fallback: 'asc' | 'desc'): 'asc' | 'desc' {
  if (value === undefined || value === null || value === '') return fallback;
  const v = value.toLowerCase();
  if (v !== 'asc' && v !== 'desc') throw invalid(field, 'must be asc or desc', 'InvalidValue');
  return v;
}

/** Validates `output`/`execution` from a request, on top of what the view had (`base`). */
export function normalizeExecution(input: ExecutionInput, base?: StoredExecution): StoredExecution {
  let columns = base?.columns ?? ['subject', 'requester', 'created', 'updated', 'assignee', 'status'];
  if (input.columns !== undefined) {
    if (!Array.isArray(input.columns))
      throw invalid('columns', 'must be a list of column ids', 'InvalidValue');
    columns = input.columns.map((c) => {
      // Clients send column ids, or the `{id, title}` objects a view shows.
      const raw = c && typeof c === 'object' ? (c as { id?: unknown }).id : c;
      const id = typeof raw === 'string' ? resolveColumn(raw) : undefined;
      if (!id) throw invalid('columns', `"${String(raw)}" is not a view column`, 'InvalidValue');
      return id;
    });
    columns = [...new Set(columns)];
    if (columns.length > MAX_COLUMNS) {
      throw invalid('columns', `a view shows at most ${MAX_COLUMNS} columns`, 'TooLong');
    }
  }
  const sortBy = input.sort_by ? sortColumn(input.sort_by, 'sort_by') : (base?.sort_by ?? 'updated');
  const groupBy =
    input.group_by === undefined
      ? (base?.group_by ?? null)
      : input.group_by
        ? groupColumn(input.group_by, 'group_by')
        : null;
  return {
    columns,
    group_by: groupBy,
    group_order: order(input.group_order, 'group_order', base?.group_order ?? 'asc'),
    sort_by: sortBy,
    sort_order: order(input.sort_order, 'sort_order', base?.sort_order ?? 'desc'),
  };
}

/** The SQL of a column's sort or group expression (from the fixed table above, never from input). */
export const rawExpr = (expr: string) => sql.raw(expr);
