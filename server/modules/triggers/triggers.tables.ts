import type { Generated } from 'kysely';
import { defineTable, pd } from '../../platform/privacy/registry.ts';
import type { StoredRuleAction } from '../rules/rules.actions.ts';
import type { StoredConditions } from './triggers.conditions.ts';

export interface TriggersTable {
  account_id: number;
  id: Generated<number>;
  title: string;
  description: string | null;
  active: Generated<boolean>;
  position: Generated<number>;
  /** Set on the triggers a new account starts with (editable and deactivatable like any other). */
  default: Generated<boolean>;
  conditions: StoredConditions;
  actions: StoredRuleAction[];
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

// Conditions can name users by id and actions hold mail text written by admins (which may quote people), so
// erasure redacts both; titles describe the rule, not a person.
defineTable<TriggersTable>('triggers', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    title: pd.none(),
    description: pd.none(),
    active: pd.none(),
    position: pd.none(),
    default: pd.none(),
    conditions: pd.content('redact'),
    actions: pd.content('redact'),
    created_at: pd.none(),
    updated_at: pd.none(),
  },
});
