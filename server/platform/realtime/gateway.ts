import type { Server as HttpServer } from 'node:http';
import { createAdapter as createPostgresAdapter } from '@socket.io/postgres-adapter';
import { createAdapter as createRedisAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Server, type Socket } from 'socket.io';
import type { ZodType } from 'zod';
import type { Actor } from '../auth/authenticate.ts';
import type { DispatchedEvent } from '../events/outbox.ts';
import { ERRORS, HavenError } from '../http/errors.ts';
import type { Logger } from '../logging/logger.ts';

export type SocketAuthenticator = (
  headers: Record<string, string | string[] | undefined>,
  token?: string,
) => Promise<Actor>;

/**
 * Who hears what. Modules decide: `join` names the extra rooms an agent's socket joins (beyond its account's
 * agents room and its own user room), and `audience` names the rooms an event goes to; null means the
 * account's agents room, which every agent is in.
 */
export interface RealtimeRouting {
  join(actor: Actor): Promise<string[]>;
  audience(event: DispatchedEvent): string[] | null;
}

/**
 * What every node knows about a connected agent, kept in `socket.data.agent`. socket.io hands `socket.data` to
 * other nodes when they call `fetchSockets()`, so it holds only what any agent of the account may see: never
 * credentials or the user's row.
 */
export interface SocketAgent {
  user_id: number;
  account_id: number;
  name: string;
}

/** Answers a client event's acknowledgement callback; a no-op when the client asked for none. */
export type Ack = (body: unknown) => void;

/** One agent's connection, as modules see it when they handle what its client sends. */
export interface RealtimeConnection {
  socket: Socket;
  actor: Actor;
  io: Server;
  /**
   * Handles a client event. Payloads that fail `schema` are junk: they are dropped (acked
   * `{error:'InvalidRequest'}` when the client asked for an ack). A HavenError thrown by the handler is acked
   * as its error name (`RecordNotFound`); anything else is logged and acked `InternalError`, and never
   * reaches the process.
   */
  on<T>(event: string, schema: ZodType<T>, handler: (payload: T, ack: Ack) => Promise<void> | void): void;
  /** Runs once the socket has left every room (its rooms are still listed in `rooms`). */
  onDisconnect(handler: (rooms: Set<string>) => Promise<void> | void): void;
}

/** A module's handling of client-sent socket events; `onConnection` runs for every agent socket. */
export interface RealtimeHandlers {
  onConnection(connection: RealtimeConnection): void;
}

/** Room names: one per account's agents and one per user. */
export const rooms = {
  agents: (accountId: number) => `account:${accountId}:agents`,
  user: (accountId: number, userId: number) => `account:${accountId}:user:${userId}`,
};

/**
 * The socket.io gateway. Agents connect with their session cookie or an `Authorization` header (or
 * `auth.authorization`), and join their account's rooms. Across processes the Redis adapter carries
 * broadcasts when REDIS_URL is set, the Postgres adapter otherwise; the embedded default stays in-process.
 */
export class RealtimeGateway {
  readonly io: Server;
  private readonly closers: (() => Promise<void>)[] = [];
  private attached = false;
  private routing: RealtimeRouting = { join: async () => [], audience: () => null };
  private handlers: RealtimeHandlers[] = [];
  /** The full actor stays on this node; `socket.data` only carries the SocketAgent. */
  private readonly actors = new WeakMap<Socket, { actor: Actor; rooms: string[] }>();

  constructor(private readonly logger: Logger) {
    this.io = new Server({ serveClient: false, cors: { origin: false } });
  }

  async attachAdapter(options: { redisUrl?: string; databaseUrl?: string }): Promise<void> {
    if (options.redisUrl) {
      const pub = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
      const subscriber = pub.duplicate();
      await Promise.all([pub.connect(), subscriber.connect()]);
      this.io.adapter(createRedisAdapter(pub, subscriber));
      this.closers.push(async () => {
        pub.disconnect();
        subscriber.disconnect();
      });
    } else if (options.databaseUrl) {
      const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
      pool.on('error', (err) => this.logger.warn({ err }, 'realtime adapter connection error'));
      this.io.adapter(
        createPostgresAdapter(pool, { tableName: 'socket_io_attachments', cleanupInterval: 30_000 }),
      );
      this.closers.push(() => pool.end());
    }
  }

  route(routing: RealtimeRouting): void {
    this.routing = routing;
  }

  /** Adds modules' handlers for events clients send; each is called for every agent socket that connects. */
  handle(handlers: RealtimeHandlers[]): void {
    this.handlers.push(...handlers);
  }

  attach(server: HttpServer, authenticate: SocketAuthenticator): void {
    this.io.attach(server, { path: '/socket.io', transports: ['websocket', 'polling'] });
    this.attached = true;
    this.io.use(async (socket, next) => {
      try {
        const auth = socket.handshake.auth as { authorization?: string };
        const actor = await authenticate(socket.handshake.headers, auth?.authorization);
        if (actor.role === 'end-user') throw new Error('agents only');
        const agent: SocketAgent = { user_id: actor.userId, account_id: actor.accountId, name: actor.name };
        socket.data.agent = agent;
        this.actors.set(socket, { actor, rooms: await this.routing.join(actor) });
        next();
      } catch {
        next(new Error("Couldn't authenticate you"));
      }
    });
    this.io.on('connection', (socket) => {
      const { actor, rooms: joined } = this.actors.get(socket)!;
      socket.join([rooms.agents(actor.accountId), rooms.user(actor.accountId, actor.userId), ...joined]);
      const connection = this.connection(socket, actor);
      for (const handlers of this.handlers) {
        try {
          handlers.onConnection(connection);
        } catch (err) {
          this.logger.error({ err }, 'realtime connection handler failed');
        }
      }
      socket.emit('ready', { user_id: actor.userId, account_id: actor.accountId });
    });
  }

  private connection(socket: Socket, actor: Actor): RealtimeConnection {
    const logger = this.logger;
    return {
      socket,
      actor,
      io: this.io,
      on(event, schema, handler) {
        socket.on(event, async (...args: unknown[]) => {
          // socket.io passes the ack callback last, when the client asked for one.
          const last = args[args.length - 1];
          const ack: Ack = typeof last === 'function' ? (last as Ack) : () => {};
          const parsed = schema.safeParse(args[0]);
          if (!parsed.success) return ack({ error: 'InvalidRequest' });
          try {
            await handler(parsed.data, ack);
          } catch (err) {
            if (err instanceof HavenError) return ack({ error: ERRORS[err.code].error });
            logger.error({ err, event }, 'realtime event handler failed');
            ack({ error: 'InternalError' });
          }
        });
      },
      onDisconnect(handler) {
        let left = new Set<string>();
        // socket.io empties `socket.rooms` before 'disconnect'; 'disconnecting' still has them.
        socket.on('disconnecting', () => {
          left = new Set(socket.rooms);
        });
        socket.on('disconnect', async () => {
          try {
            await handler(left);
          } catch (err) {
            logger.error({ err }, 'realtime disconnect handler failed');
          }
        });
      },
    };
  }

  /** Pushes an event to the agents who may see it (by default every agent of its account), on every node. */
  publish(event: DispatchedEvent): void {
    const audience = this.routing.audience(event) ?? [rooms.agents(event.accountId)];
    if (!audience.length) return;
    this.io.to(audience).emit('event', {
      id: event.id,
      type: event.type,
      subject_type: event.subjectType,
      subject_id: event.subjectId,
      actor_id: event.actorId,
      payload: event.payload,
      created_at: event.createdAt.toISOString(),
    });
  }

  async close(): Promise<void> {
    this.io.disconnectSockets(true);
    // io.close() also closes the engine, which exists only once attached (web role); a worker has only the adapter.
    if (this.attached) await new Promise<void>((resolve) => this.io.close(() => resolve()));
    else await this.io.of('/').adapter.close();
    for (const close of this.closers) await close().catch(() => {});
  }
}
