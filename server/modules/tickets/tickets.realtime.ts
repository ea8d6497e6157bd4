import type { Kysely } from 'kysely';
import type { Actor } from '../../platform/auth/authenticate.ts';
import type { Database } from '../../platform/db/schema.ts';
import { TenantDb } from '../../platform/db/tenant-db.ts';
import type { DispatchedEvent } from '../../platform/events/outbox.ts';
import { type RealtimeRouting, rooms } from '../../platform/realtime/gateway.ts';
import { ticketScope } from './tickets.policy.ts';

/** Rooms for ticket events: unrestricted agents hear every ticket; restricted agents their groups', organization's and their own. */
export const ticketRooms = {
  all: (accountId: number) => `account:${accountId}:tickets`,
  group: (accountId: number, groupId: number) => `account:${accountId}:tickets:group:${groupId}`,
  organization: (accountId: number, orgId: number) => `account:${accountId}:tickets:organization:${orgId}`,
};

/**
 * Ticket events reach an agent only when the agent may see the ticket, mirroring tickets.policy.ts. Rooms are
 * chosen when the socket connects; an agent whose restriction or groups change gets the new rooms on reconnect.
 */
export function ticketRealtimeRouting(system: Kysely<Database>): RealtimeRouting {
  return {
    async join(actor: Actor) {
      const scope = await ticketScope(new TenantDb(actor.accountId, system), actor);
      switch (scope.kind) {
        case 'all':
          return [ticketRooms.all(actor.accountId)];
        case 'groups':
          return scope.groupIds.map((g) => ticketRooms.group(actor.accountId, g));
        case 'organization':
          return scope.organizationId
            ? [ticketRooms.organization(actor.accountId, scope.organizationId)]
            : [];
        default:
          // Assigned or requested only: the agent's own user room (always joined) carries those.
          return [];
      }
    },
    audience(event: DispatchedEvent) {
      if (event.subjectType !== 'ticket') return null;
      const a = event.accountId;
      const p = event.payload as Record<string, unknown>;
      const out = [ticketRooms.all(a)];
      for (const key of ['assignee_id', 'requester_id'] as const) {
        if (typeof p[key] === 'number') out.push(rooms.user(a, p[key] as number));
      }
      if (typeof p.group_id === 'number') out.push(ticketRooms.group(a, p.group_id));
      if (typeof p.organization_id === 'number') out.push(ticketRooms.organization(a, p.organization_id));
      return out;
    },
  };
}
