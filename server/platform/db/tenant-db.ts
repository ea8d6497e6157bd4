import {
  type DeleteQueryBuilder,
  type DeleteResult,
  type Insertable,
  type InsertQueryBuilder,
  type InsertResult,
  type Kysely,
  type SelectQueryBuilder,
  sql,
  type Transaction,
  type UpdateQueryBuilder,
  type UpdateResult,
} from 'kysely';
import type { Database, TenantTable } from './schema.ts';

export type { Database, TenantTable };
export { sql };

/** A unique constraint refused the row (PostgreSQL's 23505): someone stored the same thing first. */
export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === '23505';
}

type Executor = Kysely<Database> | Transaction<Database>;
type TenantInsert<T extends TenantTable> = Omit<Insertable<Database[T]>, 'account_id'>;

/**
 * The only database handle modules get (DESIGN.md §4). Every statement it builds is bound to one account:
 * selects, updates and deletes are filtered by account_id and inserts have it set. Joins must match
 * account_id too (`j.onRef('x.account_id', '=', 'y.account_id')`); composite foreign keys back this up.
 */
export class TenantDb {
  constructor(
    readonly accountId: number,
    private readonly executor: Executor,
  ) {}

  selectFrom<T extends TenantTable>(table: T): SelectQueryBuilder<Database, T, Record<never, never>> {
    return (this.executor.selectFrom(table) as any).where(`${table}.account_id`, '=', this.accountId);
  }

  insertInto<T extends TenantTable>(
    table: T,
    values: TenantInsert<T> | TenantInsert<T>[],
  ): InsertQueryBuilder<Database, T, InsertResult> {
    const rows = (Array.isArray(values) ? values : [values]).map((v) => ({
      ...v,
      account_id: this.accountId,
    }));
    return (this.executor.insertInto(table) as any).values(rows);
  }

  updateTable<T extends TenantTable>(table: T): UpdateQueryBuilder<Database, T, T, UpdateResult> {
    return (this.executor.updateTable(table) as any).where(`${table}.account_id`, '=', this.accountId);
  }

  deleteFrom<T extends TenantTable>(table: T): DeleteQueryBuilder<Database, T, DeleteResult> {
    return (this.executor.deleteFrom(table) as any).where(`${table}.account_id`, '=', this.accountId);
  }

  /** Runs `fn` in a transaction; nested calls join the outer one. */
  async transaction<R>(fn: (tx: TenantDb) => Promise<R>): Promise<R> {
    if (this.executor.isTransaction) return fn(this);
    return (this.executor as Kysely<Database>)
      .transaction()
      .execute((trx) => fn(new TenantDb(this.accountId, trx)));
  }

  /** For `sql` fragments that must run on this handle's connection (inside its transaction). */
  get connection(): Executor {
    return this.executor;
  }
}
