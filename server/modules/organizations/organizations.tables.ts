import type { Generated } from 'kysely';
import { defineTable, pd } from '../../platform/privacy/registry.ts';

export interface OrganizationsTable {
  account_id: number;
  id: Generated<number>;
  name: string;
  details: string | null;
  notes: string | null;
  external_id: string | null;
  domain_names: Generated<string[]>;
  group_id: number | null;
  shared_tickets: Generated<boolean>;
  shared_comments: Generated<boolean>;
  tags: Generated<string[]>;
  organization_fields: Generated<Record<string, unknown>>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  /** Full-text vector kept by a database trigger (migration 0006). */
  search_vector: Generated<string>;
}

// Organizations are companies, not people; their free-text notes may still mention people, so erasure can redact them.
defineTable<OrganizationsTable>('organizations', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    name: pd.none(),
    details: pd.content('redact'),
    notes: pd.content('redact'),
    external_id: pd.none(),
    domain_names: pd.none(),
    group_id: pd.none(),
    shared_tickets: pd.none(),
    shared_comments: pd.none(),
    tags: pd.none(),
    organization_fields: pd.content('redact'),
    created_at: pd.none(),
    updated_at: pd.none(),
    // Derived from name, domains, tags and notes; any write to them recomputes it from its sources.
    search_vector: pd.content('redact'),
  },
});
