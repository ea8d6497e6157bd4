import type { TenantDb } from '../../platform/db/tenant-db.ts';

/** The default views every account starts with. */
export async function seedDefaultViews(_db: TenantDb, _adminId: number): Promise<void> {}
