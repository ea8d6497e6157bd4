import type { AuditEntry } from '../../platform/auth/authenticate.ts';
import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { truncateIp } from '../../platform/logging/redact.ts';

export type { AuditEntry };

/** Appends one entry to the account's audit log, in the caller's transaction. */
export async function recordAudit(db: TenantDb, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_logs', {
      actor_id: entry.actorId,
      action: entry.action,
      source_type: entry.sourceType,
      source_id: entry.sourceId,
      source_label: entry.sourceLabel ?? '',
      change_description: entry.changeDescription ?? '',
      ip_address: truncateIp(entry.ip ?? null),
    })
    .execute();
}
