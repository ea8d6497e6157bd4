import type { Generated } from 'kysely';
import { defineTable, pd } from '../../platform/privacy/registry.ts';

/** One action as stored: `{ field, value }` in Zendesk's vocabulary (macros.actions.ts). */
export interface StoredAction {
  field: string;
  value: unknown;
}

export interface MacrosTable {
  account_id: number;
  id: Generated<number>;
  title: string;
  description: string | null;
  active: Generated<boolean>;
  position: Generated<number>;
  default: Generated<boolean>;
  /** Set for a personal macro (restriction `{type: "User"}`); the macro goes with its owner. */
  owner_user_id: number | null;
  /** Set for a group-restricted macro (restriction `{type: "Group"}`). */
  restriction_group_ids: number[] | null;
  actions: Generated<StoredAction[]>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

// A personal macro belongs to its owner and is erased with them. Actions hold comment text and may name
// users by id, so erasure redacts them.
defineTable<MacrosTable>('macros', {
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
    actions: pd.content('redact'),
    created_at: pd.none(),
    updated_at: pd.none(),
  },
});
