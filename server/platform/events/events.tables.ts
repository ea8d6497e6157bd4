import type { Generated } from 'kysely';
import { defineTable, pd } from '../privacy/registry.ts';

export interface EventsTable {
  account_id: number;
  id: Generated<number>;
  type: string;
  subject_type: string;
  subject_id: number | null;
  actor_id: number | null;
  payload: Generated<Record<string, unknown>>;
  created_at: Generated<Date>;
  dispatched_at: Date | null;
}

// Event payloads carry ids and field names only, never values typed by people; see events/outbox.ts.
defineTable<EventsTable>('events', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    type: pd.none(),
    subject_type: pd.none(),
    subject_id: pd.identifier('retain:ids only; the outbox is pruned after dispatch'),
    actor_id: pd.identifier('retain:ids only; the outbox is pruned after dispatch'),
    payload: pd.technical('retain:ids only; the outbox is pruned after dispatch'),
    created_at: pd.none(),
    dispatched_at: pd.none(),
  },
});
