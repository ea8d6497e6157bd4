import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Socket } from 'socket.io-client';
import { useRealtime } from './realtime.tsx';
import { useSession } from './session.tsx';

/** An agent who has the ticket open, merged across their tabs (typing when any tab is). */
export interface Viewer {
  user_id: number;
  name: string;
  typing: boolean;
  since: string;
}

interface PresenceMessage {
  ticket_id: number;
  viewers: Viewer[];
}

/** Send `typing:false` this long after the last keystroke. */
const TYPING_IDLE_MS = 4_000;
/** While typing goes on, re-announce at most this often; the server drops a flag not renewed within 10 s. */
const TYPING_REFRESH_MS = 3_000;
const ACK_TIMEOUT_MS = 10_000;

/**
 * How many mounted hooks of this tab watch each ticket: the socket is shared, so only the last one to go
 * may tell the server to stop watching.
 */
const watchers = new WeakMap<Socket, Map<number, number>>();

function countWatch(socket: Socket, ticketId: number, delta: 1 | -1): number {
  const counts = watchers.get(socket) ?? new Map<number, number>();
  watchers.set(socket, counts);
  const n = (counts.get(ticketId) ?? 0) + delta;
  if (n > 0) counts.set(ticketId, n);
  else counts.delete(ticketId);
  return n;
}

/** Other agents on this ticket right now (excluding me), and a function to announce that I'm typing. */
export function useTicketPresence(ticketId: number): { viewers: Viewer[]; setTyping(typing: boolean): void } {
  const { socket } = useRealtime();
  const { me } = useSession();
  const [everyone, setEveryone] = useState<Viewer[]>([]);
  const typing = useRef({
    ticketId,
    on: false,
    lastSent: 0,
    idle: undefined as ReturnType<typeof setTimeout> | undefined,
  });

  const send = useCallback(
    (on: boolean) => {
      const state = typing.current;
      state.on = on;
      state.lastSent = Date.now();
      // Volatile: a flag meant for now is worthless once the connection is back, so it is never queued.
      socket.volatile.emit('ticket:typing', { ticket_id: state.ticketId, typing: on });
    },
    [socket],
  );

  useEffect(() => {
    const state = typing.current;
    state.ticketId = ticketId;
    state.on = false;
    setEveryone([]);
    countWatch(socket, ticketId, 1);

    // Runs on every (re)connect: the server forgets what a socket watched when the connection drops.
    const watch = () => {
      state.on = false;
      socket
        .timeout(ACK_TIMEOUT_MS)
        .emit(
          'ticket:watch',
          { ticket_id: ticketId },
          (err: Error | null, reply?: { viewers?: Viewer[] }) => {
            // A ticket this agent may not see (or a timeout) simply has no one to show.
            if (!err && Array.isArray(reply?.viewers)) setEveryone(reply.viewers);
          },
        );
    };
    const onPresence = (message: PresenceMessage) => {
      if (message?.ticket_id === ticketId && Array.isArray(message.viewers)) setEveryone(message.viewers);
    };
    // While offline the list cannot be trusted; showing nobody is better than showing stale viewers.
    const onDisconnect = () => setEveryone([]);

    socket.on('ticket:presence', onPresence);
    socket.on('connect', watch);
    socket.on('disconnect', onDisconnect);
    if (socket.connected) watch();
    return () => {
      socket.off('ticket:presence', onPresence);
      socket.off('connect', watch);
      socket.off('disconnect', onDisconnect);
      clearTimeout(state.idle);
      const remaining = countWatch(socket, ticketId, -1);
      // Leaving the ticket clears this socket's typing flag on the server as well.
      if (remaining === 0) socket.volatile.emit('ticket:unwatch', { ticket_id: ticketId });
      else if (state.on) send(false);
      state.on = false;
    };
  }, [socket, ticketId, send]);

  const setTyping = useCallback(
    (on: boolean) => {
      const state = typing.current;
      clearTimeout(state.idle);
      state.idle = undefined;
      if (!on) {
        if (state.on) send(false);
        return;
      }
      // Called on every keystroke: announce the start, then only renew now and then.
      if (!state.on || Date.now() - state.lastSent >= TYPING_REFRESH_MS) send(true);
      state.idle = setTimeout(() => {
        state.idle = undefined;
        if (state.on) send(false);
      }, TYPING_IDLE_MS);
    },
    [send],
  );

  const viewers = useMemo(() => everyone.filter((v) => v.user_id !== me.id), [everyone, me.id]);
  return { viewers, setTyping };
}
