import { createContext, type ReactNode, useContext, useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';

/** An event as the realtime gateway pushes it: ids and field names, never message text. */
export interface RealtimeEvent {
  id: number;
  type: string;
  subject_type: string;
  subject_id: number;
  actor_id: number | null;
  payload: Record<string, any>;
  created_at: string;
}

interface Realtime {
  socket: Socket;
  connected: boolean;
}

const RealtimeContext = createContext<Realtime | null>(null);

/** One socket per tab, on the session cookie; socket.io reconnects by itself and we re-read on reconnect. */
export function RealtimeProvider({ children }: { children: ReactNode }) {
  const [socket] = useState(() =>
    io({ path: '/socket.io', transports: ['websocket', 'polling'], withCredentials: true }),
  );
  const [connected, setConnected] = useState(socket.connected);
  useEffect(() => {
    const up = () => setConnected(true);
    const down = () => setConnected(false);
    socket.on('connect', up);
    socket.on('disconnect', down);
    socket.on('connect_error', down);
    return () => {
      socket.off('connect', up);
      socket.off('disconnect', down);
      socket.off('connect_error', down);
      socket.disconnect();
    };
  }, [socket]);
  return <RealtimeContext.Provider value={{ socket, connected }}>{children}</RealtimeContext.Provider>;
}

export function useRealtime(): Realtime {
  const realtime = useContext(RealtimeContext);
  if (!realtime) throw new Error('useRealtime outside RealtimeProvider');
  return realtime;
}

/** Calls `handler` for every pushed event (the latest handler; no re-subscribe per render). */
export function useRealtimeEvent(handler: (event: RealtimeEvent) => void) {
  const { socket } = useRealtime();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    const listener = (event: RealtimeEvent) => latest.current(event);
    socket.on('event', listener);
    return () => {
      socket.off('event', listener);
    };
  }, [socket]);
}

/** Calls `handler` after every reconnect, so a page can re-read what it may have missed. */
export function useReconnect(handler: () => void) {
  const { socket } = useRealtime();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    const listener = () => latest.current();
    socket.io.on('reconnect', listener);
    return () => {
      socket.io.off('reconnect', listener);
    };
  }, [socket]);
}
