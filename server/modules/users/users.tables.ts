import type { Generated } from 'kysely';
import { defineTable, pd } from '../../platform/privacy/registry.ts';

export type UserRole = 'end-user' | 'agent' | 'admin';

export interface UsersTable {
  account_id: number;
  id: Generated<number>;
  name: string;
  role: UserRole;
  active: Generated<boolean>;
  verified: Generated<boolean>;
  suspended: Generated<boolean>;
  organization_id: number | null;
  default_group_id: number | null;
  external_id: string | null;
  alias: string | null;
  details: string | null;
  notes: string | null;
  phone: string | null;
  locale: Generated<string>;
  time_zone: Generated<string>;
  tags: Generated<string[]>;
  user_fields: Generated<Record<string, unknown>>;
  signature: string | null;
  ticket_restriction: string | null;
  only_private_comments: Generated<boolean>;
  restricted_agent: Generated<boolean>;
  moderator: Generated<boolean>;
  password_hash: string | null;
  last_login_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  deleted_at: Date | null;
  /** Full-text vector kept by database triggers (migration 0006). */
  search_vector: Generated<string>;
}

export interface UserIdentitiesTable {
  account_id: number;
  id: Generated<number>;
  user_id: number;
  type: 'email' | 'phone_number';
  value: string;
  verified: Generated<boolean>;
  primary: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

defineTable<UsersTable>('users', {
  columns: {
    account_id: pd.none(),
    id: pd.subject('pseudonymize'),
    name: pd.identifier('pseudonymize'),
    role: pd.none(),
    active: pd.none(),
    verified: pd.none(),
    suspended: pd.none(),
    organization_id: pd.identifier('nullify'),
    default_group_id: pd.none(),
    external_id: pd.identifier('nullify'),
    alias: pd.identifier('nullify'),
    details: pd.content('nullify'),
    notes: pd.content('nullify'),
    phone: pd.contact('nullify'),
    locale: pd.technical('retain:needed to render the remaining records'),
    time_zone: pd.technical('retain:needed to render the remaining records'),
    tags: pd.content('nullify'),
    user_fields: pd.content('nullify'),
    signature: pd.content('nullify'),
    ticket_restriction: pd.none(),
    only_private_comments: pd.none(),
    restricted_agent: pd.none(),
    moderator: pd.none(),
    password_hash: pd.secret('nullify'),
    last_login_at: pd.technical('nullify'),
    created_at: pd.none(),
    updated_at: pd.none(),
    deleted_at: pd.none(),
    // Derived from name, emails, phones and notes; any write to them recomputes it from its sources.
    search_vector: pd.contact('redact'),
  },
});

defineTable<UserIdentitiesTable>('user_identities', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    user_id: pd.subject('delete_row'),
    type: pd.none(),
    value: pd.contact('delete_row'),
    verified: pd.none(),
    primary: pd.none(),
    created_at: pd.none(),
    updated_at: pd.none(),
  },
});
