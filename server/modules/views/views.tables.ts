import type { Generated } from 'kysely';
import { defineTable, pd } from '../../platform/privacy/registry.ts';

/** One condition as stored: `{ field, operator, value }` in Zendesk's vocabulary (views.conditions.ts). */
export interface StoredCondition {
  field: string;
  operator: string;
  value: string | number | boolean | null;
}

export interface StoredConditions {
  all: StoredCondition[];
  any: StoredCondition[];
}

/** How a view lists its tickets: column ids (Zendesk's view column names), grouping and sorting. */
export interface StoredExecution {
  columns: string[];
  group_by: string | null;
  group_order: 'asc' | 'desc';
  sort_by: string;
  sort_order: 'asc' | 'desc';
}

export interface ViewsTable {
  account_id: number;
  id: Generated<number>;
  title: string;
  description: string | null;
  active: Generated<boolean>;
  position: Generated<number>;
  default: Generated<boolean>;
  /** Set for a personal view (restriction `{type: "User"}`); the view goes with its owner. */
  owner_user_id: number | null;
  /** Set for a group-restricted view (restriction `{type: "Group"}`). */
  restriction_group_ids: number[] | null;
  conditions: Generated<StoredConditions>;
  execution: Generated<StoredExecution>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** A large view's estimated ticket count for one agent, reused for a minute (views.queries.ts). */
export interface ViewCountsTable {
  account_id: number;
  id: Generated<number>;
  view_id: number;
  user_id: number;
  value: number;
  /** The view's updated_at when counted: a changed view is counted again. */
  view_updated_at: Date;
  refreshed_at: Generated<Date>;
}

// A personal view belongs to its owner and is erased with them. Conditions may name a user by id or hold
// free text (tags, field values), so erasure redacts them.
defineTable<ViewsTable>('views', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    title: pd.none(),
    description: pd.none(),
    active: pd.none(),
    position: pd.none(),
    default: pd.none(),
    owner_user_id: pd.subject('delete_row'),
    restriction_group_ids: pd.none(),
    conditions: pd.content('redact'),
    execution: pd.none(),
    created_at: pd.none(),
    updated_at: pd.none(),
  },
});

// A count is about an agent's work queue, not about them; it goes with them.
defineTable<ViewCountsTable>('view_counts', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    view_id: pd.none(),
    user_id: pd.subject('delete_row'),
    value: pd.none(),
    view_updated_at: pd.none(),
    refreshed_at: pd.none(),
  },
});
