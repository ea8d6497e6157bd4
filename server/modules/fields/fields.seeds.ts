import type { TenantDb } from '../../platform/db/tenant-db.ts';

/** The system ticket fields every account starts with. */
export async function seedTicketFields(_db: TenantDb, _adminId: number): Promise<void> {}
