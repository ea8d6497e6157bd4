import type { Kysely } from 'kysely';
import type { Database } from '../platform/db/schema.ts';
import type { EventListener } from '../platform/events/relay.ts';
import type { RouteSpec } from '../platform/http/define-route.ts';
import type { JobSpec } from '../platform/jobs/jobs.ts';
import { accessPages } from './access/access.pages.ts';
import { accessRoutes } from './access/access.routes.ts';
import { accountRoutes } from './accounts/accounts.routes.ts';
import { auditRoutes } from './audit/audit.routes.ts';
import { groupRoutes } from './groups/groups.routes.ts';
import { organizationRoutes } from './organizations/organizations.routes.ts';
import { userRoutes } from './users/users.routes.ts';
// Importing a module's tables registers its columns with the personal-data registry.
import './access/access.tables.ts';
import './accounts/accounts.tables.ts';
import './audit/audit.tables.ts';
import './groups/groups.tables.ts';
import './organizations/organizations.tables.ts';
import './users/users.tables.ts';
import './tickets/tickets.tables.ts';
import '../platform/events/events.tables.ts';
import '../platform/realtime/realtime.tables.ts';

/** Every product module's routes, in one list; the HTTP app and the OpenAPI document read it. */
export const moduleRoutes: RouteSpec[] = [
  ...accessPages,
  ...accessRoutes,
  ...accountRoutes,
  ...auditRoutes,
  ...userRoutes,
  ...organizationRoutes,
  ...groupRoutes,
];

export function moduleJobs(_db: Kysely<Database>): JobSpec<any>[] {
  return [];
}

export const moduleListeners: EventListener[] = [];
