import { randomUUID } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import type { Kysely } from 'kysely';
import type { HavenConfig } from '../../config.ts';
import type { Database } from '../../platform/db/schema.ts';
import { isUniqueViolation, sql } from '../../platform/db/tenant-db.ts';
import { resolveEgressAddress } from '../../platform/http/egress.ts';
import type { Jobs } from '../../platform/jobs/jobs.ts';
import type { Logger } from '../../platform/logging/logger.ts';
import { acceptInbound } from './email.inbound.ts';

/**
 * IMAP polling of external mailboxes. A supervisor on every node that works jobs looks at the active
 * connections every `HAVEN_IMAP_POLL_SECONDS`; a node takes a lease on a mailbox before it opens it, so one node
 * polls each mailbox. While connected, the mailbox is watched with IDLE where the server has it (new mail is
 * fetched at once) and re-checked every poll interval. A message is stored through `acceptInbound` first, and
 * only after that commits is it marked `\Seen`, moved or deleted on the server, so a crash in between fetches it
 * again and the unique (connection, UID) index stores it once.
 */

type Deps = {
  system: Kysely<Database>;
  jobs: Pick<Jobs, 'send' | 'wake'>;
  config: Pick<HavenConfig, 'imapPollSeconds' | 'allowPrivateEgress'>;
  logger: Logger;
};

export interface ImapConnectionRow {
  account_id: number;
  id: number;
  name: string;
  host: string;
  port: number;
  secure: boolean;
  username: string;
  password: string;
  mailbox: string;
  after_processing: 'seen' | 'move' | 'delete';
  move_to: string | null;
  active: boolean;
  uid_validity: number | null;
  last_uid: number;
  updated_at: Date;
}

/** Messages fetched per round; a big backlog is taken in slices so the lease is renewed in between. */
const BATCH = 100;
const CONNECT_TIMEOUT_MS = 20_000;
const MAX_BACKOFF_MS = 60_000;

/** Why connecting or reading failed, in words fit for an admin screen (no addresses, no message content). */
export function imapErrorMessage(err: unknown): string {
  const e = err as { responseText?: string; message?: string; code?: string; authenticationFailed?: boolean };
  if (e?.authenticationFailed) return `Authentication failed${e.responseText ? `: ${e.responseText}` : ''}`;
  const text = e?.responseText || e?.message || String(err);
  return (e?.code && !text.includes(e.code) ? `${e.code}: ${text}` : text).slice(0, 500);
}

/** Opens an authenticated IMAP client under the egress rules (the host's address is checked, then pinned). */
export async function connectImap(
  conn: Pick<ImapConnectionRow, 'host' | 'port' | 'secure' | 'username' | 'password'>,
  allowPrivate: boolean,
): Promise<ImapFlow> {
  const address = await resolveEgressAddress(conn.host, allowPrivate);
  const client = new ImapFlow({
    host: address,
    port: conn.port,
    secure: conn.secure,
    servername: conn.host,
    auth: { user: conn.username, pass: conn.password },
    logger: false,
    connectionTimeout: CONNECT_TIMEOUT_MS,
    greetingTimeout: CONNECT_TIMEOUT_MS,
    socketTimeout: 5 * 60_000,
  });
  // A dropped connection is reported through `close`; the error event must not become an uncaught exception.
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Connects and opens the mailbox: how many messages it holds, or an error saying why not. */
export async function testImapConnection(
  conn: Pick<ImapConnectionRow, 'host' | 'port' | 'secure' | 'username' | 'password' | 'mailbox'>,
  allowPrivate: boolean,
): Promise<{ messages: number }> {
  const client = await connectImap(conn, allowPrivate);
  try {
    const mailbox = await client.mailboxOpen(conn.mailbox, { readOnly: true });
    return { messages: mailbox.exists };
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/**
 * Stores what is new in the open mailbox: UIDs above `last_uid` (or, when UIDVALIDITY changed or was never
 * seen, every unseen message). Returns how many messages were newly stored; `more` when a backlog remains.
 */
export async function fetchNew(
  deps: Pick<Deps, 'system' | 'jobs'>,
  client: ImapFlow,
  conn: ImapConnectionRow,
): Promise<{ stored: number; more: boolean }> {
  const mailbox = client.mailbox;
  if (!mailbox) throw new Error('No mailbox is open');
  const uidValidity = Number(mailbox.uidValidity);
  const where = { account_id: conn.account_id, id: conn.id };
  let lastUid = Number(conn.last_uid);
  let uids: number[];
  if (conn.uid_validity === null || Number(conn.uid_validity) !== uidValidity) {
    // A new mailbox, or the server renumbered it: UIDs seen before mean nothing now. Unseen mail is what is new.
    lastUid = 0;
    await deps.system
      .updateTable('imap_connections')
      .set({ uid_validity: uidValidity, last_uid: 0, updated_at: sql<Date>`updated_at` })
      .where('account_id', '=', where.account_id)
      .where('id', '=', where.id)
      .execute();
    conn.uid_validity = uidValidity;
    conn.last_uid = 0;
    uids = (await client.search({ seen: false }, { uid: true })) || [];
  } else {
    if (mailbox.uidNext !== undefined && Number(mailbox.uidNext) <= lastUid + 1 && mailbox.exists === 0)
      return { stored: 0, more: false };
    uids = (await client.search({ uid: `${lastUid + 1}:*` }, { uid: true })) || [];
    uids = uids.filter((u) => u > lastUid);
  }
  uids.sort((a, b) => a - b);
  const more = uids.length > BATCH;
  let stored = 0;
  for (const uid of uids.slice(0, BATCH)) {
    const message = await client.fetchOne(
      String(uid),
      { uid: true, source: true, envelope: true },
      { uid: true },
    );
    const source = message ? message.source : undefined;
    if (message && source) {
      const to = message.envelope?.to?.[0]?.address ?? null;
      try {
        await acceptInbound(deps.system, deps.jobs, {
          accountId: conn.account_id,
          source: 'imap',
          raw: source,
          envelopeFrom: null,
          envelopeTo: to ? [to] : [],
          recipient: to,
          imapConnectionId: conn.id,
          imapUid: uid,
        });
        stored += 1;
      } catch (err) {
        // Stored before (a crash came between storing and marking it): nothing new to keep, mark it now.
        if (!isUniqueViolation(err)) throw err;
      }
      if (conn.after_processing === 'delete') await client.messageDelete(String(uid), { uid: true });
      else if (conn.after_processing === 'move' && conn.move_to)
        await client.messageMove(String(uid), conn.move_to, { uid: true });
      else await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
    }
    lastUid = Math.max(lastUid, uid);
    conn.last_uid = lastUid;
    await deps.system
      .updateTable('imap_connections')
      .set({ last_uid: sql<number>`greatest(last_uid, ${lastUid})`, updated_at: sql<Date>`updated_at` })
      .where('account_id', '=', where.account_id)
      .where('id', '=', where.id)
      .execute();
  }
  return { stored, more };
}

async function markPolled(system: Kysely<Database>, conn: ImapConnectionRow): Promise<void> {
  await system
    .updateTable('imap_connections')
    .set({
      status: 'connected',
      last_error: null,
      last_polled_at: sql<Date>`now()`,
      updated_at: sql<Date>`updated_at`,
    })
    .where('account_id', '=', conn.account_id)
    .where('id', '=', conn.id)
    .execute();
}

async function markFailed(system: Kysely<Database>, conn: ImapConnectionRow, message: string): Promise<void> {
  await system
    .updateTable('imap_connections')
    .set({ status: 'error', last_error: message, updated_at: sql<Date>`updated_at` })
    .where('account_id', '=', conn.account_id)
    .where('id', '=', conn.id)
    .execute();
}

/** One poll now (the admin's "poll now"): connect, store what is new, disconnect. */
export async function pollOnce(deps: Deps, conn: ImapConnectionRow): Promise<{ stored: number }> {
  let client: ImapFlow | null = null;
  try {
    client = await connectImap(conn, deps.config.allowPrivateEgress);
    await client.mailboxOpen(conn.mailbox);
    let stored = 0;
    while (true) {
      const round = await fetchNew(deps, client, conn);
      stored += round.stored;
      if (!round.more) break;
    }
    await markPolled(deps.system, conn);
    return { stored };
  } catch (err) {
    await markFailed(deps.system, conn, imapErrorMessage(err)).catch(() => {});
    throw err;
  } finally {
    if (client) await client.logout().catch(() => client?.close());
  }
}

const CONNECTION_COLUMNS = [
  'account_id',
  'id',
  'name',
  'host',
  'port',
  'secure',
  'username',
  'password',
  'mailbox',
  'after_processing',
  'move_to',
  'active',
  'uid_validity',
  'last_uid',
  'updated_at',
] as const;

/** Keeps one session per leased mailbox on this node. */
export class ImapSupervisor {
  readonly node = `imap-${randomUUID()}`;
  private readonly sessions = new Map<string, MailboxSession>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private ticking: Promise<void> | null = null;

  constructor(private readonly deps: Deps) {}

  /** Seconds a lease holds without renewal: long enough to outlast a poll interval and a reconnect. */
  get leaseSeconds(): number {
    return this.deps.config.imapPollSeconds * 2 + 90;
  }

  start(): void {
    supervisors.add(this);
    this.nudge();
    this.timer = setInterval(() => this.nudge(), this.deps.config.imapPollSeconds * 1000);
    this.timer.unref();
  }

  /** Looks at the connections now (a connection was added or changed), instead of at the next interval. */
  nudge(): void {
    if (this.stopped || this.ticking) return;
    this.ticking = this.tick()
      .catch((err) => this.deps.logger.error({ err }, 'IMAP supervisor check failed'))
      .finally(() => {
        this.ticking = null;
      });
  }

  /** Wakes the session polling this mailbox on this node, if there is one. */
  wake(accountId: number, id: number): boolean {
    const session = this.sessions.get(`${accountId}:${id}`);
    session?.wake();
    return Boolean(session);
  }

  private async tick(): Promise<void> {
    const rows = (await this.deps.system
      .selectFrom('imap_connections')
      .select(CONNECTION_COLUMNS)
      .where('active', '=', true)
      .execute()) as unknown as ImapConnectionRow[];
    // Sessions whose mailbox was deactivated, removed or changed look again now (they stop or start over).
    const current = new Map(rows.map((r) => [`${r.account_id}:${r.id}`, new Date(r.updated_at).getTime()]));
    for (const [key, session] of this.sessions) {
      if (current.get(key) !== session.updatedAt) session.wake();
    }
    for (const row of rows) {
      const key = `${row.account_id}:${row.id}`;
      if (this.stopped) return;
      if (this.sessions.has(key)) continue;
      if (!(await this.lease(row))) continue;
      const session = new MailboxSession(this.deps, this, row);
      this.sessions.set(key, session);
      void session.run().finally(() => {
        if (this.sessions.get(key) === session) this.sessions.delete(key);
        // A session that ended for a change (new settings) is started again right away.
        if (session.restart) this.nudge();
      });
    }
  }

  /** Takes or renews the lease; resolves with the connection's current row, or null when it is not ours. */
  async lease(conn: Pick<ImapConnectionRow, 'account_id' | 'id'>): Promise<ImapConnectionRow | null> {
    const row = await sql<ImapConnectionRow>`
      update imap_connections set lease_owner = ${this.node},
        lease_until = now() + make_interval(secs => ${this.leaseSeconds})
      where account_id = ${conn.account_id} and id = ${conn.id} and active
        and (lease_until is null or lease_until < now() or lease_owner = ${this.node})
      returning ${sql.join(CONNECTION_COLUMNS.map((c) => sql.ref(c)))}`.execute(this.deps.system);
    return row.rows[0] ?? null;
  }

  async release(conn: Pick<ImapConnectionRow, 'account_id' | 'id'>): Promise<void> {
    await sql`update imap_connections set lease_owner = null, lease_until = null
      where account_id = ${conn.account_id} and id = ${conn.id} and lease_owner = ${this.node}`.execute(
      this.deps.system,
    );
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    supervisors.delete(this);
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    await Promise.all([...this.sessions.values()].map((s) => s.stop()));
  }
}

/** Every running supervisor in this process, so "poll now" can wake the session that holds a mailbox. */
const supervisors = new Set<ImapSupervisor>();

export function wakeImapSession(accountId: number, id: number): boolean {
  let woken = false;
  for (const s of supervisors) woken = s.wake(accountId, id) || woken;
  return woken;
}

/** Tells this process's supervisors that connections changed (created, updated, activated). */
export function nudgeImapSupervisors(): void {
  for (const s of supervisors) s.nudge();
}

class MailboxSession {
  private client: ImapFlow | null = null;
  private wakeUp: (() => void) | null = null;
  private pending = false;
  private stopped = false;
  private running: Promise<void> | null = null;
  /** Set when the connection's settings changed: the supervisor starts a fresh session. */
  restart = false;

  constructor(
    private readonly deps: Deps,
    private readonly supervisor: ImapSupervisor,
    private conn: ImapConnectionRow,
  ) {}

  get updatedAt(): number {
    return new Date(this.conn.updated_at).getTime();
  }

  wake(): void {
    this.pending = true;
    this.wakeUp?.();
  }

  private sleep(ms: number): Promise<void> {
    if (this.pending || this.stopped) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        this.pending = false;
        done();
      };
    });
  }

  run(): Promise<void> {
    this.running ??= this.loop();
    return this.running;
  }

  private async loop(): Promise<void> {
    const { logger } = this.deps;
    let failures = 0;
    while (!this.stopped && !this.supervisor.isStopped) {
      if (!(await this.renew())) break;
      try {
        await this.connected(() => {
          failures = 0;
        });
      } catch (err) {
        if (this.stopped) break;
        failures += 1;
        const message = imapErrorMessage(err);
        logger.warn(
          { connection: this.conn.id, account: this.conn.account_id, error: message },
          'IMAP failed',
        );
        await markFailed(this.deps.system, this.conn, message).catch(() => {});
      } finally {
        const client = this.client;
        this.client = null;
        if (client) await client.logout().catch(() => client.close());
      }
      if (this.stopped || this.restart) break;
      if (failures > 0) await this.sleep(Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (failures - 1)));
    }
    await this.supervisor.release(this.conn).catch(() => {});
  }

  /** Renews the lease and reloads the row; false when the mailbox is no longer this node's or changed. */
  private async renew(): Promise<boolean> {
    const row = await this.supervisor.lease(this.conn).catch((err) => {
      this.deps.logger.error({ err }, 'IMAP lease renewal failed');
      return null;
    });
    if (!row) return false;
    if (new Date(row.updated_at).getTime() !== new Date(this.conn.updated_at).getTime()) {
      // Settings changed: start over with the new ones.
      this.restart = true;
      return false;
    }
    this.conn = { ...row, uid_validity: this.conn.uid_validity ?? row.uid_validity };
    return true;
  }

  private async connected(onConnected: () => void): Promise<void> {
    const client = await connectImap(this.conn, this.deps.config.allowPrivateEgress);
    this.client = client;
    let closed = false;
    client.on('close', () => {
      closed = true;
      this.wake();
    });
    // New mail while idling (or seen by the NOOP of servers without IDLE): fetch it now.
    client.on('exists', () => this.wake());
    await client.mailboxOpen(this.conn.mailbox);
    onConnected();
    while (!this.stopped) {
      let more = true;
      while (more && !this.stopped && !closed) {
        ({ more } = await fetchNew(this.deps, client, this.conn));
      }
      if (closed) throw new Error('The IMAP server closed the connection');
      await markPolled(this.deps.system, this.conn);
      await this.sleep(this.deps.config.imapPollSeconds * 1000);
      if (this.stopped) return;
      if (closed) throw new Error('The IMAP server closed the connection');
      if (!(await this.renew())) return;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    this.client?.close();
    await this.running;
  }
}
