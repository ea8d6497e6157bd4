import type { Generated } from 'kysely';
import { defineTable, pd } from '../../platform/privacy/registry.ts';

export interface AuditLogsTable {
  account_id: number;
  id: Generated<number>;
  actor_id: number | null;
  action: string;
  source_type: string;
  source_id: number | null;
  source_label: Generated<string>;
  change_description: Generated<string>;
  ip_address: string | null;
  created_at: Generated<Date>;
}

// The audit trail outlives the people in it (security and accountability), but never holds their contact data:
// labels are names at most, and IPs are stored truncated.
defineTable<AuditLogsTable>('audit_logs', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    actor_id: pd.subject('retain:security audit trail; the id is pseudonymous once the user is erased'),
    action: pd.none(),
    source_type: pd.none(),
    source_id: pd.identifier('retain:security audit trail; the id is pseudonymous once the user is erased'),
    source_label: pd.identifier('pseudonymize'),
    change_description: pd.content('redact'),
    ip_address: pd.technical('retain:security audit trail; stored truncated'),
    created_at: pd.none(),
  },
});
