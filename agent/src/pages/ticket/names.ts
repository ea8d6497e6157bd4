import { useMemo } from 'react';
import { t } from '../../i18n/index.ts';
import { useAgents, useGroups, useTicketFields, useUsers } from '../../lib/queries.ts';
import type { User } from '../../lib/types.ts';
import type { TicketBundle } from './data.ts';
import type { Names } from './describe.ts';

/**
 * Names for the ids audits and events carry, from what is already cached (agents, groups, fields, the
 * ticket's side-loads) plus one show_many for any other people.
 */
export function useNames(userIds: number[], bundle: TicketBundle | undefined): Names {
  const agents = useAgents();
  const groups = useGroups();
  const fields = useTicketFields();
  const known = new Set([...(agents.data ?? []).map((a) => a.id), ...(bundle?.users.keys() ?? [])]);
  const missing = userIds.filter((id) => !known.has(id));
  const others = useUsers(missing);
  return useMemo(() => {
    const people = new Map<number, User>();
    for (const u of agents.data ?? []) people.set(u.id, u);
    for (const [id, u] of bundle?.users ?? []) people.set(id, u);
    for (const [id, u] of others.data ?? []) people.set(id, u);
    const groupNames = new Map((groups.data ?? []).map((g) => [g.id, g.name]));
    for (const [id, g] of bundle?.groups ?? []) groupNames.set(id, g.name);
    return {
      user: (id) => people.get(id)?.name ?? t('tickets.history.unknownUser', { id }),
      group: (id) => groupNames.get(id) ?? t('tickets.history.unknownGroup', { id }),
      organization: (id) =>
        bundle?.organizations.get(id)?.name ?? t('tickets.history.unknownOrganization', { id }),
      field: (id) => fields.data?.find((f) => f.id === id),
    };
  }, [agents.data, bundle, others.data, groups.data, fields.data]);
}
