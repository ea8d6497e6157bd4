import type { TenantDb } from '../platform/db/tenant-db.ts';
import { seedDefaultAutomations } from './automations/automations.seeds.ts';
import { seedTicketFields } from './fields/fields.seeds.ts';
import { seedSatisfactionReasons } from './satisfaction/satisfaction.seeds.ts';
import { seedDefaultTriggers } from './triggers/triggers.seeds.ts';
import { seedDefaultViews } from './views/views.seeds.ts';

/** What every new account starts with, written in the account's creating transaction. */
export const accountSeeds: ((db: TenantDb, adminId: number) => Promise<void>)[] = [
  seedTicketFields,
  seedDefaultViews,
  seedDefaultTriggers,
  seedSatisfactionReasons,
  seedDefaultAutomations,
];
