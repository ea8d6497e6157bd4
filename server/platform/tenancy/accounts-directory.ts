import type { Kysely, Selectable } from 'kysely';
import type { AccountsTable } from '../../modules/accounts/accounts.tables.ts';
import type { Database } from '../db/schema.ts';

export type Account = Selectable<AccountsTable>;

/** Where a request's Host points. */
export type HostTarget =
  | { kind: 'subdomain'; subdomain: string }
  | { kind: 'install' } // the install's own host: localhost, an IP, the base domain or the base URL's host
  | { kind: 'custom'; host: string };

const CACHE_MS = 5_000;

/**
 * Finds accounts by host. Accounts change rarely, so lookups are cached for a few seconds per process;
 * a node never needs another node's cache, and a rename is seen everywhere within CACHE_MS.
 */
export class AccountsDirectory {
  private cache = new Map<string, { at: number; value: Account | null | Account[] }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly baseDomain: string,
    private readonly baseUrlHost: string,
  ) {}

  classifyHost(hostHeader: string | undefined): HostTarget {
    const host = stripPort((hostHeader ?? '').toLowerCase());
    if (
      !host ||
      host === 'localhost' ||
      host === this.baseDomain ||
      host === this.baseUrlHost ||
      isIpLiteral(host)
    ) {
      return { kind: 'install' };
    }
    const suffix = `.${this.baseDomain}`;
    if (host.endsWith(suffix)) {
      const sub = host.slice(0, -suffix.length);
      if (!sub.includes('.')) return { kind: 'subdomain', subdomain: sub };
    }
    return { kind: 'custom', host };
  }

  /** Whether an account may be reached through this host. */
  matches(target: HostTarget, account: Account): boolean {
    if (target.kind === 'install') return true;
    if (target.kind === 'subdomain') return account.subdomain.toLowerCase() === target.subdomain;
    return (account.host_mapping ?? '').toLowerCase() === target.host;
  }

  /** The account a host names; for the install host, the only account when there is exactly one. */
  async forHost(target: HostTarget): Promise<Account | null> {
    if (target.kind === 'install') {
      const all = await this.cached('first-two', () =>
        this.db.selectFrom('accounts').selectAll().orderBy('id').limit(2).execute(),
      );
      return Array.isArray(all) && all.length === 1 ? all[0]! : null;
    }
    if (target.kind === 'subdomain') {
      return (await this.cached(`s:${target.subdomain}`, () =>
        this.db
          .selectFrom('accounts')
          .selectAll()
          .where((eb) => eb(eb.fn('lower', ['subdomain']), '=', target.subdomain))
          .executeTakeFirst()
          .then((a) => a ?? null),
      )) as Account | null;
    }
    return (await this.cached(`h:${target.host}`, () =>
      this.db
        .selectFrom('accounts')
        .selectAll()
        .where((eb) => eb(eb.fn('lower', ['host_mapping']), '=', target.host))
        .executeTakeFirst()
        .then((a) => a ?? null),
    )) as Account | null;
  }

  async bySubdomain(subdomain: string): Promise<Account | null> {
    return this.forHost({ kind: 'subdomain', subdomain: subdomain.toLowerCase() });
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('accounts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  invalidate(): void {
    this.cache.clear();
  }

  private async cached<T extends Account | null | Account[]>(
    key: string,
    load: () => Promise<T>,
  ): Promise<T> {
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.value as T;
    const value = await load();
    this.cache.set(key, { at: Date.now(), value });
    return value;
  }
}

function stripPort(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon > -1 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
}

function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}
