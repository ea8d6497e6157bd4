import { useQuery } from '@tanstack/react-query';
import { api } from '../../lib/api.ts';
import type { Audit, Comment, Group, Macro, Organization, Ticket, User } from '../../lib/types.ts';

/** The ticket as the API presents it, with the extras this page reads. */
export type TicketRecord = Ticket & { is_public: boolean; followup_ids: number[]; updated_stamp?: string };

export interface TicketBundle {
  ticket: TicketRecord;
  users: Map<number, User>;
  groups: Map<number, Group>;
  organizations: Map<number, Organization>;
}

export interface Conversation {
  comments: Comment[];
  authors: Map<number, User>;
}

/** Everything this page caches lives under ['ticket', id], so one invalidation refreshes all of it. */
export const ticketKeys = {
  all: (id: number) => ['ticket', id] as const,
  ticket: (id: number) => ['ticket', id, 'record'] as const,
  comments: (id: number) => ['ticket', id, 'comments'] as const,
  audits: (id: number) => ['ticket', id, 'audits'] as const,
  audit: (id: number, auditId: number) => ['ticket', id, 'audit', auditId] as const,
  requested: (id: number, userId: number) => ['ticket', id, 'requested', userId] as const,
  macro: (id: number, macroId: number) => ['ticket', id, 'macro', macroId] as const,
};

const byId = <T extends { id: number }>(rows: T[] | undefined) => new Map((rows ?? []).map((r) => [r.id, r]));

export async function fetchTicket(id: number): Promise<TicketBundle> {
  const body = await api.get<{
    ticket: TicketRecord;
    users?: User[];
    groups?: Group[];
    organizations?: Organization[];
  }>(`tickets/${id}`, { include: 'users,groups,organizations,slas' });
  return {
    ticket: body.ticket,
    users: byId(body.users),
    groups: byId(body.groups),
    organizations: byId(body.organizations),
  };
}

export function useTicket(id: number, enabled = true) {
  return useQuery({
    queryKey: ticketKeys.ticket(id),
    queryFn: () => fetchTicket(id),
    staleTime: 10_000,
    enabled,
  });
}

const PAGE = 100;

/**
 * Every page of an offset-paginated list: the first tells the count, the rest are fetched side by side, so a
 * long conversation costs one round trip more than a short one, not one per page.
 */
async function allPages<K extends string, T>(
  path: string,
  key: K,
  query: Record<string, string | number>,
): Promise<{ rows: T[]; users: User[] }> {
  type Page = { count?: number; users?: User[] } & Record<K, T[]>;
  const first = await api.get<Page>(path, { ...query, per_page: PAGE, page: 1 });
  const pages = Math.ceil((first.count ?? 0) / PAGE);
  const rest = await Promise.all(
    Array.from({ length: Math.max(0, pages - 1) }, (_, i) =>
      api.get<Page>(path, { ...query, per_page: PAGE, page: i + 2 }),
    ),
  );
  const all = [first, ...rest];
  return { rows: all.flatMap((p) => p[key] ?? []), users: all.flatMap((p) => p.users ?? []) };
}

export async function fetchConversation(id: number): Promise<Conversation> {
  const { rows, users } = await allPages<'comments', Comment>(`tickets/${id}/comments`, 'comments', {
    include: 'users',
  });
  return { comments: rows, authors: byId(users) };
}

export function useConversation(id: number, enabled = true) {
  return useQuery({
    queryKey: ticketKeys.comments(id),
    queryFn: () => fetchConversation(id),
    staleTime: 10_000,
    enabled,
  });
}

export async function fetchAudits(id: number): Promise<Audit[]> {
  return (await allPages<'audits', Audit>(`tickets/${id}/audits`, 'audits', {})).rows;
}

export function useAudits(id: number, enabled: boolean) {
  return useQuery({ queryKey: ticketKeys.audits(id), queryFn: () => fetchAudits(id), enabled });
}

export function useAudit(ticketId: number, auditId: number | null) {
  return useQuery({
    queryKey: ticketKeys.audit(ticketId, auditId ?? 0),
    queryFn: () => api.get<{ audit: Audit }>(`tickets/${ticketId}/audits/${auditId}`).then((r) => r.audit),
    enabled: auditId !== null,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function useRequestedTickets(ticketId: number, userId: number | undefined) {
  return useQuery({
    queryKey: ticketKeys.requested(ticketId, userId ?? 0),
    queryFn: () =>
      api
        .get<{ tickets: Ticket[]; count: number }>(`users/${userId}/tickets/requested`, {
          per_page: 10,
          sort_by: 'updated_at',
          sort_order: 'desc',
        })
        .then((r) => ({ tickets: r.tickets, count: r.count })),
    enabled: typeof userId === 'number',
  });
}

export function useActiveMacros(enabled: boolean) {
  return useQuery({
    queryKey: ['macros', 'active'],
    queryFn: () => api.get<{ macros: Macro[] }>('macros/active', { per_page: 100 }).then((r) => r.macros),
    enabled,
    staleTime: 60_000,
  });
}

/** What a macro would do to this ticket: the ticket afterwards and the comment it adds (nothing is written). */
export interface MacroResult {
  ticket: TicketRecord;
  comment?: { body: string; html_body: string; public: boolean };
}

export function useMacroPreview(ticketId: number, macroId: number | null) {
  return useQuery({
    queryKey: ticketKeys.macro(ticketId, macroId ?? 0),
    queryFn: () =>
      api.get<{ result: MacroResult }>(`tickets/${ticketId}/macros/${macroId}/apply`).then((r) => r.result),
    enabled: macroId !== null,
    staleTime: 0,
  });
}
