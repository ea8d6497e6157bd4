import type { Kysely } from 'kysely';
import type { Server } from 'socket.io';
import { z } from 'zod';
import type { Database } from '../../platform/db/schema.ts';
import { TenantDb } from '../../platform/db/tenant-db.ts';
import { HavenError } from '../../platform/http/errors.ts';
import type { RealtimeHandlers, SocketAgent } from '../../platform/realtime/gateway.ts';
import { visibleTicket } from './tickets.queries.ts';

/**
 * Collision detection: which agents have a ticket open right now, and whether they are typing a reply.
 *
 * Presence lives only in socket.io, never in the database: each socket keeps what it watches in
 * `socket.data.presence` and sits in one room per watched ticket. The viewer list is rebuilt from
 * `fetchSockets()` on that room, which asks every node through the adapter, so agents on different nodes
 * see each other and a node that goes away takes its viewers with it.
 */

export interface Viewer {
  user_id: number;
  name: string;
  typing: boolean;
  since: string;
}

/** What one socket watches, by ticket id: since when, and whether its composer is busy. */
type PresenceState = Record<string, { since: string; typing: boolean }>;

export const presenceRoom = (accountId: number, ticketId: number) =>
  `account:${accountId}:ticket:${ticketId}:presence`;

/** A tab watches the ticket it shows (a few with previews); more than this is a misbehaving client. */
const MAX_WATCHED_PER_SOCKET = 20;
/**
 * A typing flag the client has not refreshed in this long is dropped. Clients re-announce every few seconds
 * while typing and clear it themselves; this covers a client that stays connected but stops talking
 * (a frozen tab), while a vanished one is cleared at once by its disconnect.
 */
const TYPING_TTL_MS = 10_000;

const ticketRef = z.object({ ticket_id: z.number().int().positive() });
const typingBody = z.object({ ticket_id: z.number().int().positive(), typing: z.boolean() });

export function ticketPresenceHandlers(system: Kysely<Database>): RealtimeHandlers {
  let publisher: Publisher | null = null;
  return {
    onConnection({ socket, actor, io, on, onDisconnect }) {
      publisher ??= new Publisher(io);
      const publish = publisher.publish.bind(publisher);
      const db = new TenantDb(actor.accountId, system);
      const state: PresenceState = {};
      socket.data.presence = state;
      const typingTimers = new Map<number, NodeJS.Timeout>();
      const room = (ticketId: number) => presenceRoom(actor.accountId, ticketId);

      const stopTyping = (ticketId: number) => {
        clearTimeout(typingTimers.get(ticketId));
        typingTimers.delete(ticketId);
      };

      on('ticket:watch', ticketRef, async ({ ticket_id }, ack) => {
        // Another account's ticket, or one this agent's restriction hides, is RecordNotFound, as over HTTP.
        await visibleTicket(db, actor, ticket_id);
        // The socket may have gone while the ticket was read; joining now would leave a ghost in the room.
        if (!socket.connected) return;
        if (!state[ticket_id]) {
          if (Object.keys(state).length >= MAX_WATCHED_PER_SOCKET) throw new HavenError('CS_RATE_LIMITED');
          state[ticket_id] = { since: new Date().toISOString(), typing: false };
          socket.join(room(ticket_id));
        }
        ack({ viewers: await publish(room(ticket_id), actor.accountId, ticket_id) });
      });

      on('ticket:unwatch', ticketRef, async ({ ticket_id }, ack) => {
        if (!state[ticket_id]) return ack({ ok: true });
        stopTyping(ticket_id);
        delete state[ticket_id];
        socket.leave(room(ticket_id));
        ack({ ok: true });
        await publish(room(ticket_id), actor.accountId, ticket_id);
      });

      on('ticket:typing', typingBody, async ({ ticket_id, typing }, ack) => {
        const entry = state[ticket_id];
        // Typing on a ticket this socket does not watch (never checked, or already left) means nothing.
        if (!entry) return ack({ error: 'RecordNotFound' });
        stopTyping(ticket_id);
        if (typing) {
          const timer = setTimeout(() => {
            typingTimers.delete(ticket_id);
            if (state[ticket_id]?.typing) {
              state[ticket_id].typing = false;
              void publish(room(ticket_id), actor.accountId, ticket_id).catch(() => {});
            }
          }, TYPING_TTL_MS);
          timer.unref();
          typingTimers.set(ticket_id, timer);
        }
        ack({ ok: true });
        // A refresh of an unchanged flag only renews its timer: nothing to tell the others.
        if (entry.typing === typing) return;
        entry.typing = typing;
        await publish(room(ticket_id), actor.accountId, ticket_id);
      });

      onDisconnect(async () => {
        for (const timer of typingTimers.values()) clearTimeout(timer);
        typingTimers.clear();
        // The socket has left its rooms by now, so the lists rebuilt here no longer include it.
        await Promise.all(
          Object.keys(state).map((id) => publish(room(Number(id)), actor.accountId, Number(id))),
        );
      });
    },
  };
}

/**
 * Rebuilds and broadcasts a room's viewer list. Per room, one rebuild runs at a time and changes that arrive
 * meanwhile share the next one, so this node never sends an older list after a newer one and a burst of
 * changes costs two cluster-wide fetches, not one per change.
 */
class Publisher {
  private readonly chains = new Map<string, { tail: Promise<Viewer[]>; queued: Promise<Viewer[]> | null }>();

  constructor(private readonly io: Server) {}

  publish(room: string, accountId: number, ticketId: number): Promise<Viewer[]> {
    const chain = this.chains.get(room);
    // A rebuild that has not started yet will read this change too.
    if (chain?.queued) return chain.queued;
    const entry = chain ?? { tail: Promise.resolve([]), queued: null };
    const run = entry.tail
      .catch(() => [])
      .then(() => {
        entry.queued = null;
        return this.rebuild(room, accountId, ticketId);
      });
    entry.queued = run;
    entry.tail = run;
    this.chains.set(room, entry);
    void run
      .finally(() => {
        if (entry.tail === run) this.chains.delete(room);
      })
      .catch(() => {});
    return run;
  }

  private async rebuild(room: string, accountId: number, ticketId: number): Promise<Viewer[]> {
    const sockets = await this.io.in(room).fetchSockets();
    const byUser = new Map<number, Viewer>();
    for (const s of sockets) {
      const agent = s.data?.agent as SocketAgent | undefined;
      const entry = (s.data?.presence as PresenceState | undefined)?.[ticketId];
      if (!agent || !entry || agent.account_id !== accountId) continue;
      // One entry per person however many tabs they have open: typing if any tab is, since the first.
      const seen = byUser.get(agent.user_id);
      if (!seen) {
        byUser.set(agent.user_id, {
          user_id: agent.user_id,
          name: agent.name,
          typing: entry.typing,
          since: entry.since,
        });
      } else {
        seen.typing ||= entry.typing;
        if (entry.since < seen.since) seen.since = entry.since;
      }
    }
    const viewers = [...byUser.values()].sort(
      (a, b) => a.since.localeCompare(b.since) || a.user_id - b.user_id,
    );
    this.io.to(room).emit('ticket:presence', { ticket_id: ticketId, viewers });
    return viewers;
  }
}
