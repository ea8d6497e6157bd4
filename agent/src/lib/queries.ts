import { QueryClient, useQuery } from '@tanstack/react-query';
import { api } from './api.ts';
import type { Group, Organization, TicketField, User } from './types.ts';

/**
 * Shared reads. Data stays fresh for 30 s and realtime events invalidate what they touch, so switching
 * between screens shows cached data at once and refreshes behind it.
 */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      retry: (count, err: any) => count < 2 && !(err?.status >= 400 && err?.status < 500),
    },
  },
});

export function useGroups() {
  return useQuery({
    queryKey: ['groups'],
    queryFn: () => api.get<{ groups: Group[] }>('groups', { per_page: 100 }).then((r) => r.groups),
    staleTime: 5 * 60_000,
  });
}

/** Agents and admins, for assignee pickers. */
export function useAgents() {
  return useQuery({
    queryKey: ['agents'],
    queryFn: async () => {
      const [agents, admins] = await Promise.all([
        api.get<{ users: User[] }>('users', { role: 'agent', per_page: 100 }),
        api.get<{ users: User[] }>('users', { role: 'admin', per_page: 100 }),
      ]);
      return [...admins.users, ...agents.users]
        .filter((u) => u.active)
        .sort((a, b) => a.name.localeCompare(b.name));
    },
    staleTime: 5 * 60_000,
  });
}

/** Group memberships, for assignee pickers restricted to a group. */
export function useGroupMemberships() {
  return useQuery({
    queryKey: ['group_memberships'],
    queryFn: () =>
      api
        .get<{ group_memberships: { id: number; user_id: number; group_id: number; default: boolean }[] }>(
          'group_memberships',
          { per_page: 100 },
        )
        .then((r) => r.group_memberships),
    staleTime: 5 * 60_000,
  });
}

export function useTicketFields() {
  return useQuery({
    queryKey: ['ticket_fields'],
    queryFn: () => api.get<{ ticket_fields: TicketField[] }>('ticket_fields').then((r) => r.ticket_fields),
    staleTime: 5 * 60_000,
  });
}

/** Users by id, fetched in one show_many and cached per id set. */
export function useUsers(ids: (number | null | undefined)[]) {
  const unique = [...new Set(ids.filter((id): id is number => typeof id === 'number'))].sort((a, b) => a - b);
  return useQuery({
    queryKey: ['users', 'many', unique.join(',')],
    queryFn: () =>
      unique.length
        ? api
            .get<{ users: User[] }>('users/show_many', { ids: unique })
            .then((r) => new Map(r.users.map((u) => [u.id, u])))
        : Promise.resolve(new Map<number, User>()),
    staleTime: 60_000,
  });
}

export function useOrganization(id: number | null | undefined) {
  return useQuery({
    queryKey: ['organization', id],
    queryFn: () => api.get<{ organization: Organization }>(`organizations/${id}`).then((r) => r.organization),
    enabled: typeof id === 'number',
  });
}
