import { createHmac } from 'node:crypto';
import { type CompiledQuery, type Kysely, sql } from 'kysely';
import type { UserRole } from '../../modules/users/users.tables.ts';
import type { Database } from '../db/schema.ts';
import { HavenError } from '../http/errors.ts';
import type { Account, AccountsDirectory, HostTarget } from '../tenancy/accounts-directory.ts';
import type { Credentials } from './credentials.ts';
import { digestToken, safeEqual, verifyPassword } from './secrets.ts';

export type AuthMethod = 'session' | 'api_token' | 'password' | 'oauth';

/** Who is acting: always one user of one account. */
export interface Actor {
  userId: number;
  accountId: number;
  role: UserRole;
  name: string;
  email: string | null;
  method: AuthMethod;
  /** OAuth scopes; null means full access (sessions, API tokens, passwords). */
  scopes: string[] | null;
  sessionId?: number;
  csrfToken?: string;
  /** The caller's user row, read with the credentials in this same request; null when not read. */
  snapshot?: UserSnapshot | null;
}

export interface Resolved {
  account: Account | null;
  actor: Actor | null;
}

interface AuthDeps {
  db: Kysely<Database>;
  accounts: AccountsDirectory;
  signInMaxFailures: number;
  signInLockMinutes: number;
  throttleKey: string;
  audit: (accountId: number, entry: AuditEntry) => Promise<void>;
  /**
   * The pool under `db`. When given, the per-request credential lookups run as named prepared statements,
   * so PostgreSQL plans each once per connection instead of on every request (planning these joins costs
   * several times their execution). Same SQL, same rows; without it they run through Kysely as before.
   */
  pool?: { query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }> };
}

export interface AuditEntry {
  actorId: number | null;
  action: string;
  sourceType: string;
  sourceId: number | null;
  sourceLabel?: string;
  changeDescription?: string;
  ip?: string | null;
}

const authFailed = () =>
  new HavenError('CS_AUTH_REQUIRED', { headers: { 'WWW-Authenticate': 'Basic realm="Web Password"' } });

/**
 * The user's row as the credential lookup read it (minus the password hash), so a request that only
 * needs the caller's own profile (`/users/me`) is answered from the same query. JSON-encoded: timestamps
 * arrive as strings.
 */
export type UserSnapshot = Record<string, unknown> & { email: string | null };
const userSnapshotColumn = sql<Record<string, unknown>>`to_jsonb(u) - 'password_hash' - 'search_vector'`.as(
  'user_row',
);

const userColumns = ['u.id', 'u.role', 'u.name', 'u.active', 'u.suspended', 'u.deleted_at'] as const;

/** Turns a request's host and credentials into its account and actor, or a 401/404. */
export class Authenticator {
  private lastTouched = new Map<string, number>();

  constructor(private readonly deps: AuthDeps) {}

  async resolve(target: HostTarget, credentials: Credentials, ip: string | null): Promise<Resolved> {
    switch (credentials.kind) {
      case 'none':
        return { account: await this.accountForHost(target), actor: null };
      case 'malformed':
        throw authFailed();
      case 'api_token':
        return this.viaApiToken(target, credentials.email, credentials.token);
      case 'oauth':
        return this.viaOauth(target, credentials.token);
      case 'session':
        return this.viaSession(target, credentials.token);
      case 'password': {
        const account = await this.accountForHost(target);
        if (!account) throw authFailed();
        const actor = await this.checkPassword(account, credentials.email, credentials.password, ip, 'api');
        return { account, actor };
      }
    }
  }

  /** The account a host names; an unknown subdomain or custom domain is 404. */
  async accountForHost(target: HostTarget): Promise<Account | null> {
    const account = await this.deps.accounts.forHost(target);
    if (!account && target.kind !== 'install') throw new HavenError('CS_ACCOUNT_NOT_FOUND');
    return account;
  }

  private async viaApiToken(target: HostTarget, email: string, token: string): Promise<Resolved> {
    const row = await this.first(
      'haven_auth_api_token',
      this.deps.db
        .selectFrom('api_tokens as t')
        .innerJoin('accounts as a', 'a.id', 't.account_id')
        .innerJoin('user_identities as i', (j) =>
          j
            .onRef('i.account_id', '=', 't.account_id')
            .on('i.type', '=', 'email')
            .on(sql`lower(i.value)`, '=', email.toLowerCase()),
        )
        .innerJoin('users as u', (j) =>
          j.onRef('u.account_id', '=', 'i.account_id').onRef('u.id', '=', 'i.user_id'),
        )
        .select([...userColumns, 'i.value as email', 'i.primary as identity_primary', 't.id as token_id'])
        .select(sql<Account>`to_jsonb(a)`.as('account'))
        .select(userSnapshotColumn)
        .where('t.token_digest', '=', digestToken(token)),
    );
    if (!row) throw authFailed();
    const account = this.accept(target, row, null);
    this.touch('api_tokens', account.id, row.token_id);
    // The snapshot serves /users/me only when the email named is the primary one it would show.
    const snapshot = row.identity_primary ? { ...row.user_row, email: row.email } : null;
    return { account, actor: { ...toActor(account.id, row, 'api_token', null), snapshot } };
  }

  private async viaOauth(target: HostTarget, token: string): Promise<Resolved> {
    const row = await this.first(
      'haven_auth_oauth',
      this.deps.db
        .selectFrom('oauth_tokens as t')
        .innerJoin('accounts as a', 'a.id', 't.account_id')
        .innerJoin('users as u', (j) =>
          j.onRef('u.account_id', '=', 't.account_id').onRef('u.id', '=', 't.user_id'),
        )
        .leftJoin('user_identities as i', (j) =>
          j
            .onRef('i.account_id', '=', 'u.account_id')
            .onRef('i.user_id', '=', 'u.id')
            .on('i.primary', '=', true),
        )
        .select([...userColumns, 'i.value as email', 't.id as token_id', 't.scopes', 't.expires_at'])
        .select(sql<Account>`to_jsonb(a)`.as('account'))
        .select(userSnapshotColumn)
        .where('t.token_digest', '=', digestToken(token)),
    );
    if (!row) throw authFailed();
    const account = this.accept(target, row, row.expires_at);
    this.touch('oauth_tokens', account.id, row.token_id);
    return {
      account,
      actor: {
        ...toActor(account.id, row, 'oauth', row.scopes),
        snapshot: { ...row.user_row, email: row.email },
      },
    };
  }

  private async viaSession(target: HostTarget, token: string): Promise<Resolved> {
    const row = await this.first(
      'haven_auth_session',
      this.deps.db
        .selectFrom('sessions as s')
        .innerJoin('accounts as a', 'a.id', 's.account_id')
        .innerJoin('users as u', (j) =>
          j.onRef('u.account_id', '=', 's.account_id').onRef('u.id', '=', 's.user_id'),
        )
        .leftJoin('user_identities as i', (j) =>
          j
            .onRef('i.account_id', '=', 'u.account_id')
            .onRef('i.user_id', '=', 'u.id')
            .on('i.primary', '=', true),
        )
        .select([...userColumns, 'i.value as email', 's.id as session_id', 's.csrf_token', 's.expires_at'])
        .select(sql<Account>`to_jsonb(a)`.as('account'))
        .select(userSnapshotColumn)
        .where('s.token_digest', '=', digestToken(token)),
    );
    if (!row) throw authFailed();
    const account = this.accept(target, row, row.expires_at);
    this.touch('sessions', account.id, row.session_id);
    return {
      account,
      actor: {
        ...toActor(account.id, row, 'session', null),
        snapshot: { ...row.user_row, email: row.email },
        sessionId: row.session_id,
        csrfToken: row.csrf_token,
      },
    };
  }

  /**
   * Checks an email and password, counting failures per (account, email) in the database so every node sees
   * the same lockout. Used by the sign-in form and by Basic email:password.
   */
  async checkPassword(
    account: Account,
    email: string,
    password: string,
    ip: string | null,
    channel: 'web' | 'api',
  ): Promise<Actor> {
    const db = this.deps.db;
    const emailDigest = createHmac('sha256', this.deps.throttleKey)
      .update(email.trim().toLowerCase())
      .digest('hex');
    const throttle = await db
      .selectFrom('sign_in_throttles')
      .selectAll()
      .where('account_id', '=', account.id)
      .where('email_digest', '=', emailDigest)
      .executeTakeFirst();
    if (throttle?.locked_until && throttle.locked_until.getTime() > Date.now()) {
      const seconds = Math.ceil((throttle.locked_until.getTime() - Date.now()) / 1000);
      throw new HavenError('CS_SIGN_IN_LOCKED', { headers: { 'Retry-After': String(seconds) } });
    }
    const row = await db
      .selectFrom('user_identities as i')
      .innerJoin('users as u', (j) =>
        j.onRef('u.account_id', '=', 'i.account_id').onRef('u.id', '=', 'i.user_id'),
      )
      .select([...userColumns, 'i.value as email', 'u.password_hash'])
      .where('i.account_id', '=', account.id)
      .where('i.type', '=', 'email')
      .where(sql`lower(i.value)`, '=', email.trim().toLowerCase())
      .executeTakeFirst();
    const ok = await verifyPassword(row?.password_hash ?? null, password);
    if (!ok || !row || !usable(row)) {
      await this.recordFailure(account, emailDigest, row?.id ?? null, ip, channel);
      throw authFailed();
    }
    if (throttle) {
      await db
        .deleteFrom('sign_in_throttles')
        .where('account_id', '=', account.id)
        .where('email_digest', '=', emailDigest)
        .execute();
    }
    return toActor(account.id, row, 'password', null);
  }

  private async recordFailure(
    account: Account,
    emailDigest: string,
    userId: number | null,
    ip: string | null,
    channel: string,
  ): Promise<void> {
    const windowMinutes = this.deps.signInLockMinutes;
    const result = await sql<{ failures: number; locked_until: Date | null }>`
      insert into sign_in_throttles (account_id, email_digest, failures, first_failed_at)
      values (${account.id}, ${emailDigest}, 1, now())
      on conflict (account_id, email_digest) do update set
        failures = case when sign_in_throttles.first_failed_at < now() - make_interval(mins => ${windowMinutes})
                        then 1 else sign_in_throttles.failures + 1 end,
        first_failed_at = case when sign_in_throttles.first_failed_at < now() - make_interval(mins => ${windowMinutes})
                        then now() else sign_in_throttles.first_failed_at end,
        locked_until = null
      returning failures, locked_until`.execute(this.deps.db);
    const failures = result.rows[0]!.failures;
    let lockedNow = false;
    if (failures >= this.deps.signInMaxFailures) {
      await this.deps.db
        .updateTable('sign_in_throttles')
        .set({ locked_until: sql`now() + make_interval(mins => ${windowMinutes})`, failures: 0 })
        .where('account_id', '=', account.id)
        .where('email_digest', '=', emailDigest)
        .execute();
      lockedNow = true;
    }
    if (userId !== null) {
      await this.deps.audit(account.id, {
        actorId: userId,
        action: lockedNow ? 'user.locked_out' : 'user.sign_in_failed',
        sourceType: 'user',
        sourceId: userId,
        changeDescription: lockedNow
          ? `Locked for ${windowMinutes} minutes after repeated failed sign-ins (${channel})`
          : `Failed sign-in (${channel})`,
        ip,
      });
    }
  }

  /** The first row of a per-request lookup; a named prepared statement when `deps.pool` is set. */
  private async first<O>(
    name: string,
    query: { compile(): CompiledQuery<O>; executeTakeFirst(): Promise<O | undefined> },
  ): Promise<O | undefined> {
    const pool = this.deps.pool;
    if (!pool) return query.executeTakeFirst();
    const { sql: text, parameters } = query.compile();
    const result = await pool.query({ name, text, values: [...parameters] });
    return result.rows[0] as O | undefined;
  }

  /** Records last use at most once a minute per credential, off the request's path. */
  private touch(table: 'api_tokens' | 'oauth_tokens' | 'sessions', accountId: number, id: number): void {
    const key = `${table}:${id}`;
    const now = Date.now();
    if (now - (this.lastTouched.get(key) ?? 0) < 60_000) return;
    this.lastTouched.set(key, now);
    if (this.lastTouched.size > 10_000) this.lastTouched.clear();
    const at = new Date(now);
    const db = this.deps.db;
    const update =
      table === 'sessions'
        ? db
            .updateTable('sessions')
            .set({ last_seen_at: at })
            .where('account_id', '=', accountId)
            .where('id', '=', id)
        : db
            .updateTable(table)
            .set({ last_used_at: at })
            .where('account_id', '=', accountId)
            .where('id', '=', id);
    update.execute().catch(() => {});
  }

  /** What every credential must pass once its row is found: a usable user, not expired, the host's account. */
  private accept(target: HostTarget, row: UserRow & { account: Account }, expiresAt: Date | null): Account {
    if (!usable(row) || (expiresAt && expiresAt.getTime() <= Date.now())) throw authFailed();
    const account = reviveAccount(row.account);
    if (!this.deps.accounts.matches(target, account)) throw authFailed();
    return account;
  }
}

interface UserRow {
  id: number;
  role: UserRole;
  name: string;
  active: boolean;
  suspended: boolean;
  deleted_at: Date | null;
  email: string | null;
}

function usable(row: UserRow): boolean {
  return row.active && !row.suspended && row.deleted_at === null;
}

function toActor(accountId: number, row: UserRow, method: AuthMethod, scopes: string[] | null): Actor {
  return { userId: row.id, accountId, role: row.role, name: row.name, email: row.email, method, scopes };
}

/** to_jsonb() gives timestamps and ids as JSON; bring them back to the row types the pool returns. */
function reviveAccount(raw: Account): Account {
  const a = raw as unknown as Record<string, unknown>;
  return {
    ...(raw as Account),
    id: Number(a.id),
    created_at: new Date(a.created_at as string),
    updated_at: new Date(a.updated_at as string),
  };
}

export function csrfMatches(actor: Actor, presented: string | undefined): boolean {
  return Boolean(actor.csrfToken && presented && safeEqual(actor.csrfToken, presented));
}
