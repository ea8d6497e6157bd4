/**
 * The personal-data registry (DESIGN.md §5). Every column of every table is declared here through
 * `defineTable`, with its class, and what erasure does to it. Export, erasure, retention and log
 * redaction read this registry only; a test fails on any database column it does not know.
 */
export type PersonalDataClass = 'none' | 'identifier' | 'contact' | 'content' | 'technical' | 'secret';

/** What erasing the person does to the value. `retain:<reason>` keeps it, with the legal or operational reason. */
export type Erasure = 'delete_row' | 'nullify' | 'redact' | 'pseudonymize' | `retain:${string}`;

export interface ColumnSpec {
  class: PersonalDataClass;
  erase?: Erasure;
  /** This column names the person the row is about (a user id, or the row's own id on `users`). */
  subject?: boolean;
}

export interface TableSpec {
  table: string;
  /** Tenant tables lead with account_id; the few global tables say why they are global. */
  scope: 'tenant' | { global: string };
  columns: Record<string, ColumnSpec>;
}

/** Stores that are not tables (files, search index, mail logs, caches) register here too. */
export interface StoreSpec {
  store: string;
  class: PersonalDataClass;
  erase: Erasure;
  description: string;
}

const tables = new Map<string, TableSpec>();
const stores = new Map<string, StoreSpec>();

export const pd = {
  none: (): ColumnSpec => ({ class: 'none' }),
  /** The column linking the row to its person. */
  subject: (erase: Erasure = 'delete_row'): ColumnSpec => ({ class: 'identifier', erase, subject: true }),
  identifier: (erase: Erasure): ColumnSpec => ({ class: 'identifier', erase }),
  contact: (erase: Erasure): ColumnSpec => ({ class: 'contact', erase }),
  content: (erase: Erasure): ColumnSpec => ({ class: 'content', erase }),
  technical: (erase: Erasure): ColumnSpec => ({ class: 'technical', erase }),
  secret: (erase: Erasure = 'delete_row'): ColumnSpec => ({ class: 'secret', erase }),
};

/** Declares a table; the mapped type makes TypeScript demand a spec for every column of the row type. */
export function defineTable<Row>(
  table: string,
  spec: { scope?: TableSpec['scope']; columns: { [K in keyof Row]-?: ColumnSpec } },
): TableSpec {
  const entry: TableSpec = {
    table,
    scope: spec.scope ?? 'tenant',
    columns: spec.columns as Record<string, ColumnSpec>,
  };
  if (tables.has(table)) throw new Error(`Table ${table} is declared twice in the personal-data registry`);
  tables.set(table, entry);
  return entry;
}

export function defineStore(spec: StoreSpec): StoreSpec {
  stores.set(spec.store, spec);
  return spec;
}

export function registeredTables(): TableSpec[] {
  return [...tables.values()];
}

export function registeredStores(): StoreSpec[] {
  return [...stores.values()];
}
