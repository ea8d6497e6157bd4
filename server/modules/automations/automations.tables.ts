import type { Generated } from 'kysely';
import { defineTable, pd } from '../../platform/privacy/registry.ts';
import type { StoredRuleAction } from '../rules/rules.actions.ts';
import type { StoredConditions } from '../views/views.tables.ts';

export interface AutomationsTable {
  account_id: number;
  id: Generated<number>;
  title: string;
  active: Generated<boolean>;
  position: Generated<number>;
  /** One of the automations every account starts with (automations.seeds.ts). */
  default: Generated<boolean>;
  conditions: Generated<StoredConditions>;
  actions: Generated<StoredRuleAction[]>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** A ticket an automation acted on, for one fingerprint of its conditions (automations.run.ts). */
export interface AutomationRunsTable {
  account_id: number;
  id: Generated<number>;
  automation_id: number;
  ticket_id: number;
  fingerprint: string;
  acted_at: Generated<Date>;
}

// Automations belong to the account. Conditions may name users by id or hold free text (tags, field values),
// and actions hold notification texts, so erasure redacts them, as for views and macros.
defineTable<AutomationsTable>('automations', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    title: pd.none(),
    active: pd.none(),
    position: pd.none(),
    default: pd.none(),
    conditions: pd.content('redact'),
    actions: pd.content('redact'),
    created_at: pd.none(),
    updated_at: pd.none(),
  },
});

// A run row says only that a rule acted on a ticket; it goes with the ticket.
defineTable<AutomationRunsTable>('automation_runs', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    automation_id: pd.none(),
    ticket_id: pd.none(),
    fingerprint: pd.none(),
    acted_at: pd.none(),
  },
});
