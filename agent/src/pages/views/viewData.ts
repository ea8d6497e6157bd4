import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../lib/api.ts';
import { queryClient } from '../../lib/queries.ts';
import type { Organization, TicketStatus, User, View } from '../../lib/types.ts';

/**
 * Reads behind the views screen. Every key starts with `['views', …]`: the shell invalidates those on each
 * ticket event, and the fetchers below wait for a short quiet spell before re-reading data they already
 * have, so a burst of events (a bulk update touching 100 tickets) costs one request, not one per event.
 */
export const PAGE_SIZE = 50;
const QUIET_MS = 350;
const COUNT_BATCH = 20; // count_many takes at most 20 ids

export interface ViewCount {
  view_id: number;
  value: number;
  pretty: string;
  fresh: boolean;
}

export interface ExecutedRow {
  ticket: {
    id: number;
    subject: string | null;
    description: string;
    status: TicketStatus;
    type: string | null;
    priority: string | null;
  };
  ticket_id: number;
  [key: string]: unknown;
}

export interface Executed {
  view: View;
  rows: ExecutedRow[];
  columns: { id: string; title: string }[];
  meta?: { has_more: boolean; after_cursor: string | null; before_cursor: string | null };
}

export interface Sort {
  by?: string;
  order?: 'asc' | 'desc';
}

/** Where the page starts: the first page, after a row, or before one. */
export interface Cursor {
  after?: string;
  before?: string;
}

/** Waits QUIET_MS unless aborted; react-query aborts it when another invalidation restarts the fetch. */
function quietSpell(signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, QUIET_MS);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** A fetch that runs at once the first time and after a quiet spell when it refreshes shown data. */
function settled<T>(key: readonly unknown[], signal: AbortSignal, read: () => Promise<T>): Promise<T> {
  const shown = queryClient.getQueryData(key) !== undefined;
  return shown ? quietSpell(signal).then(read) : read();
}

export function activeViewsOptions() {
  const queryKey = ['views', 'active'] as const;
  return queryOptions({
    queryKey,
    queryFn: ({ signal }) =>
      settled(queryKey, signal, () =>
        api
          .get<{ views: View[] }>('views/active', { per_page: 100 })
          .then((r) => [...r.views].sort((a, b) => a.position - b.position || a.id - b.id)),
      ),
    staleTime: 60_000,
  });
}

export function useActiveViews() {
  return useQuery(activeViewsOptions());
}

/** Counts of every listed view, twenty per request (count_many's limit), in parallel. */
export function useViewCounts(ids: number[]) {
  const queryKey = ['views', 'counts', ids.join(',')] as const;
  return useQuery({
    queryKey,
    enabled: ids.length > 0,
    placeholderData: keepPreviousData,
    queryFn: ({ signal }) =>
      settled(queryKey, signal, async () => {
        const batches: number[][] = [];
        for (let i = 0; i < ids.length; i += COUNT_BATCH) batches.push(ids.slice(i, i + COUNT_BATCH));
        const answers = await Promise.all(
          batches.map((batch) =>
            api.get<{ view_counts: ViewCount[] }>('views/count_many', { ids: batch.join(',') }),
          ),
        );
        return new Map(answers.flatMap((a) => a.view_counts).map((c) => [c.view_id, c]));
      }),
  });
}

export function executeOptions(viewId: number, sort: Sort, cursor: Cursor) {
  const queryKey = [
    'views',
    'rows',
    viewId,
    sort.by ?? '',
    sort.order ?? '',
    cursor.after ?? '',
    cursor.before ?? '',
  ] as const;
  return queryOptions({
    queryKey,
    queryFn: ({ signal }) =>
      settled(queryKey, signal, () =>
        api.get<Executed>(`views/${viewId}/execute`, {
          'page[size]': PAGE_SIZE,
          'page[after]': cursor.after,
          'page[before]': cursor.before,
          sort_by: sort.by,
          sort_order: sort.order,
        }),
      ),
  });
}

/** Warms the first page of a view (hover or focus on its sidebar entry) so opening it is instant. */
export function prefetchView(viewId: number) {
  void queryClient.prefetchQuery({ ...executeOptions(viewId, {}, {}), staleTime: 10_000 });
}

/** People on the page, by id; the previous page's answer stays shown while a new id set loads. */
export function usePeople(ids: number[]) {
  const unique = [...new Set(ids)].sort((a, b) => a - b);
  return useQuery({
    queryKey: ['users', 'many', unique.join(',')],
    enabled: unique.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 60_000,
    queryFn: () =>
      api
        .get<{ users: User[] }>('users/show_many', { ids: unique })
        .then((r) => new Map(r.users.map((u) => [u.id, u]))),
  });
}

export function useOrganizations(ids: number[]) {
  const unique = [...new Set(ids)].sort((a, b) => a - b);
  return useQuery({
    queryKey: ['organizations', 'many', unique.join(',')],
    enabled: unique.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 5 * 60_000,
    queryFn: () =>
      api
        .get<{ organizations: Organization[] }>('organizations/show_many', { ids: unique })
        .then((r) => new Map(r.organizations.map((o) => [o.id, o]))),
  });
}

/** What a view column shows, and under which key an executed row carries it (Zendesk's vocabulary). */
export type ColumnKind =
  | 'id'
  | 'subject'
  | 'status'
  | 'priority'
  | 'type'
  | 'person'
  | 'group'
  | 'org'
  | 'time';

export const COLUMN_SHAPE: Record<string, { key: string; kind: ColumnKind }> = {
  nice_id: { key: 'ticket_id', kind: 'id' },
  subject: { key: 'subject', kind: 'subject' },
  description: { key: 'subject', kind: 'subject' },
  status: { key: 'status', kind: 'status' },
  priority: { key: 'priority', kind: 'priority' },
  type: { key: 'type', kind: 'type' },
  requester: { key: 'requester_id', kind: 'person' },
  assignee: { key: 'assignee_id', kind: 'person' },
  submitter: { key: 'submitter_id', kind: 'person' },
  group: { key: 'group_id', kind: 'group' },
  organization: { key: 'organization_id', kind: 'org' },
  created: { key: 'created', kind: 'time' },
  updated: { key: 'updated', kind: 'time' },
  solved: { key: 'solved', kind: 'time' },
  assigned: { key: 'assigned', kind: 'time' },
  due_date: { key: 'due_date', kind: 'time' },
  updated_requester: { key: 'updated_requester', kind: 'time' },
  updated_assignee: { key: 'updated_assignee', kind: 'time' },
};

/** Ids a page's rows point at, for one side-load each. */
export function idsIn(rows: ExecutedRow[], columns: string[], kind: ColumnKind): number[] {
  const keys = columns.filter((c) => COLUMN_SHAPE[c]?.kind === kind).map((c) => COLUMN_SHAPE[c]!.key);
  const ids: number[] = [];
  for (const row of rows)
    for (const key of keys) {
      const value = row[key];
      if (typeof value === 'number') ids.push(value);
    }
  return ids;
}

/** New sorts start descending for times (newest first) and ascending otherwise. */
export function defaultOrder(column: string): 'asc' | 'desc' {
  return COLUMN_SHAPE[column]?.kind === 'time' ? 'desc' : 'asc';
}
