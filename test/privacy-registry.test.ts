import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Kysely, sql, type Transaction } from 'kysely';
import '../server/modules/index.ts';
import { registeredStores, registeredTables, type TableSpec } from '../server/platform/privacy/registry.ts';
import { startTestApp, type TestApp } from './harness.ts';

/**
 * Registry coverage (DESIGN.md §5, privacy.md §3.2 item 1): the migrated schema and the personal-data
 * registry must describe the same columns, every tenant table must lead with a NOT NULL account_id, and
 * every column that holds anything personal must say what erasure does to it.
 */
interface SchemaColumn {
  table_name: string;
  column_name: string;
  is_nullable: 'YES' | 'NO';
  ordinal_position: number;
}

export async function registryProblems(
  db: Kysely<any> | Transaction<any>,
  specs: TableSpec[],
): Promise<string[]> {
  const { rows } = await sql<SchemaColumn>`
    select c.table_name, c.column_name, c.is_nullable, c.ordinal_position
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
    order by c.table_name, c.ordinal_position`.execute(db);
  const problems: string[] = [];
  const registry = new Map(specs.map((s) => [s.table, s]));
  const schema = new Map<string, SchemaColumn[]>();
  for (const row of rows) schema.set(row.table_name, [...(schema.get(row.table_name) ?? []), row]);

  for (const [table, columns] of schema) {
    const spec = registry.get(table);
    if (!spec) {
      problems.push(`table ${table} is not in the personal-data registry`);
      continue;
    }
    for (const c of columns) {
      if (!spec.columns[c.column_name]) problems.push(`column ${table}.${c.column_name} is not classified`);
    }
    if (spec.scope === 'tenant') {
      const first = columns.reduce((a, b) => (a.ordinal_position <= b.ordinal_position ? a : b));
      if (first.column_name !== 'account_id')
        problems.push(`tenant table ${table} does not lead with account_id`);
      const accountId = columns.find((c) => c.column_name === 'account_id');
      if (accountId?.is_nullable !== 'NO') problems.push(`tenant table ${table} lacks NOT NULL account_id`);
    } else if (!spec.scope.global.trim()) {
      problems.push(`global table ${table} does not say why it is global`);
    }
  }
  for (const spec of specs) {
    const columns = schema.get(spec.table);
    if (!columns) {
      problems.push(`registry table ${spec.table} does not exist in the schema`);
      continue;
    }
    for (const [name, column] of Object.entries(spec.columns)) {
      if (!columns.some((c) => c.column_name === name)) {
        problems.push(`registry column ${spec.table}.${name} does not exist in the schema`);
      }
      if (column.class !== 'none' && !column.erase) {
        problems.push(`column ${spec.table}.${name} (${column.class}) has no erasure rule`);
      }
      if (column.erase?.startsWith('retain:') && column.erase.length <= 'retain:'.length) {
        problems.push(`column ${spec.table}.${name} is retained without a reason`);
      }
    }
  }
  return problems;
}

let app: TestApp;

before(async () => {
  app = await startTestApp();
});
after(async () => {
  await app?.close();
});

test('every column of the migrated schema is classified, and every registry entry exists', async () => {
  const problems = await registryProblems(app.runtime.services.database.db, registeredTables());
  assert.deepEqual(problems, []);
});

test('the registry covers the tables the product relies on', () => {
  const names = registeredTables().map((t) => t.table);
  for (const table of [
    'accounts',
    'users',
    'user_identities',
    'api_tokens',
    'oauth_tokens',
    'sessions',
    'audit_logs',
  ]) {
    assert.ok(names.includes(table), `${table} is registered`);
  }
  const users = registeredTables().find((t) => t.table === 'users')!;
  assert.equal(users.scope, 'tenant');
  assert.ok(
    Object.values(users.columns).some((c) => c.subject),
    'users has a subject column',
  );
});

test('an unclassified column added to the schema is reported (then rolled back)', async () => {
  const db = app.runtime.services.database.db;
  const rollback = new Error('rollback');
  await assert.rejects(
    db.transaction().execute(async (trx) => {
      await sql`alter table users add column x text`.execute(trx);
      await sql`create table stray_notes (note text, account_id bigint)`.execute(trx);
      const problems = await registryProblems(trx, registeredTables());
      assert.ok(problems.includes('column users.x is not classified'), problems.join('\n'));
      assert.ok(
        problems.includes('table stray_notes is not in the personal-data registry'),
        problems.join('\n'),
      );
      throw rollback;
    }),
    (err) => err === rollback,
  );
  const after = await registryProblems(db, registeredTables());
  assert.deepEqual(after, [], 'the rollback removed the stray column and table');
});

test('stale registry entries, unruled personal columns and tenant tables without account_id are reported', async () => {
  const db = app.runtime.services.database.db;
  const users = registeredTables().find((t) => t.table === 'users')!;
  const tampered: TableSpec[] = [
    ...registeredTables().filter((t) => t.table !== 'users'),
    { ...users, columns: { ...users.columns, ghost: { class: 'none' }, name: { class: 'identifier' } } },
    { table: 'gone_table', scope: 'tenant', columns: { account_id: { class: 'none' } } },
  ];
  const problems = await registryProblems(db, tampered);
  assert.ok(
    problems.includes('registry column users.ghost does not exist in the schema'),
    problems.join('\n'),
  );
  assert.ok(problems.includes('column users.name (identifier) has no erasure rule'), problems.join('\n'));
  assert.ok(problems.includes('registry table gone_table does not exist in the schema'), problems.join('\n'));

  const rollback = new Error('rollback');
  await assert.rejects(
    db.transaction().execute(async (trx) => {
      await sql`create table loose_notes (id bigint, account_id bigint, note text)`.execute(trx);
      const withLoose: TableSpec[] = [
        ...registeredTables(),
        {
          table: 'loose_notes',
          scope: 'tenant',
          columns: {
            id: { class: 'none' },
            account_id: { class: 'none' },
            note: { class: 'content', erase: 'redact' },
          },
        },
      ];
      const found = await registryProblems(trx, withLoose);
      assert.ok(found.includes('tenant table loose_notes does not lead with account_id'), found.join('\n'));
      assert.ok(found.includes('tenant table loose_notes lacks NOT NULL account_id'), found.join('\n'));
      throw rollback;
    }),
    (err) => err === rollback,
  );
});

test('stores that are not tables are registered with an erasure rule, and the job queue is one of them', async () => {
  const stores = registeredStores();
  for (const store of stores) {
    assert.ok(store.erase, `${store.store} has no erasure rule`);
    assert.ok(store.description.length > 10, `${store.store} is not described`);
  }
  // Every schema besides public holds such a store; an unregistered one would escape export and erasure.
  const schemas = await sql<{ nspname: string }>`
    select nspname from pg_namespace
    where nspname not in ('public', 'information_schema') and left(nspname, 3) <> 'pg_'`.execute(
    app.runtime.services.database.db,
  );
  assert.ok(
    schemas.rows.some((r) => r.nspname === 'pgboss'),
    'the job queue schema exists',
  );
  for (const { nspname } of schemas.rows) {
    assert.ok(
      stores.some((s) => s.store === nspname),
      `schema ${nspname} holds data the registry does not know`,
    );
  }
});
