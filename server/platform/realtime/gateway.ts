import type { Server as HttpServer } from 'node:http';
import { createAdapter as createPostgresAdapter } from '@socket.io/postgres-adapter';
import { createAdapter as createRedisAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Server } from 'socket.io';
import type { Actor } from '../auth/authenticate.ts';
import type { DispatchedEvent } from '../events/outbox.ts';
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

  attach(server: HttpServer, authenticate: SocketAuthenticator): void {
    this.io.attach(server, { path: '/socket.io', transports: ['websocket', 'polling'] });
    this.attached = true;
    this.io.use(async (socket, next) => {
      try {
        const auth = socket.handshake.auth as { authorization?: string };
        const actor = await authenticate(socket.handshake.headers, auth?.authorization);
        if (actor.role === 'end-user') throw new Error('agents only');
        socket.data.actor = actor;
        socket.data.rooms = await this.routing.join(actor);
        next();
      } catch {
        next(new Error("Couldn't authenticate you"));
      }
    });
    this.io.on('connection', (socket) => {
      const actor = socket.data.actor as Actor;
      socket.join([
        rooms.agents(actor.accountId),
        rooms.user(actor.accountId, actor.userId),
        ...(socket.data.rooms as string[]),
      ]);
      socket.emit('ready', { user_id: actor.userId, account_id: actor.accountId });
    });
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
