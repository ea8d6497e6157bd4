import type { ColumnType, Generated } from 'kysely';
import { defineTable, pd } from '../../platform/privacy/registry.ts';

export interface AccountsTable {
  id: Generated<number>;
  subdomain: string;
  name: string;
  host_mapping: string | null;
  region: Generated<string>;
  industry: Generated<string>;
  time_zone: Generated<string>;
  locale: Generated<string>;
  settings: ColumnType<AccountSettings, AccountSettings | undefined, AccountSettings>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  /** The agent workspace's accent colour, `#rrggbb` in lower case; null for Haven's own. */
  brand_color: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Account-wide switches; never personal data (the registry classifies the column as a whole). */
export interface AccountSettings {
  password_auth_enabled?: boolean;
  benchmark_opt_in?: boolean;
}

defineTable<AccountsTable>('accounts', {
  scope: { global: 'the tenant table itself: one row per subscribing company' },
  columns: {
    id: pd.none(),
    subdomain: pd.none(),
    name: pd.none(),
    host_mapping: pd.none(),
    region: pd.none(),
    industry: pd.none(),
    time_zone: pd.none(),
    locale: pd.none(),
    settings: pd.none(),
    created_at: pd.none(),
    updated_at: pd.none(),
    brand_color: pd.none(),
  },
});

export interface InstallationTable {
  id: number;
  secret: string;
  created_at: Generated<Date>;
}

defineTable<InstallationTable>('installation', {
  scope: { global: 'one row of install-wide secrets shared by every node' },
  columns: {
    id: pd.none(),
    secret: pd.secret('retain:install key, not about a person'),
    created_at: pd.none(),
  },
});
