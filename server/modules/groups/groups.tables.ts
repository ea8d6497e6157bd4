import type { Generated } from 'kysely';
import { defineTable, pd } from '../../platform/privacy/registry.ts';

export interface GroupsTable {
  account_id: number;
  id: Generated<number>;
  name: string;
  description: Generated<string>;
  is_public: Generated<boolean>;
  default: Generated<boolean>;
  deleted: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface GroupMembershipsTable {
  account_id: number;
  id: Generated<number>;
  user_id: number;
  group_id: number;
  default: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

defineTable<GroupsTable>('groups', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    name: pd.none(),
    description: pd.none(),
    is_public: pd.none(),
    default: pd.none(),
    deleted: pd.none(),
    created_at: pd.none(),
    updated_at: pd.none(),
  },
});

defineTable<GroupMembershipsTable>('group_memberships', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    user_id: pd.subject('delete_row'),
    group_id: pd.none(),
    default: pd.none(),
    created_at: pd.none(),
    updated_at: pd.none(),
  },
});
