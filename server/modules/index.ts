import type { Kysely } from 'kysely';
import type { Database } from '../platform/db/schema.ts';
import type { EventListener } from '../platform/events/relay.ts';
import type { RouteSpec } from '../platform/http/define-route.ts';
import type { JobSpec } from '../platform/jobs/jobs.ts';
import type { RealtimeHandlers, RealtimeRouting } from '../platform/realtime/gateway.ts';
import { accessPages } from './access/access.pages.ts';
import { accessRoutes } from './access/access.routes.ts';
import { type InvitationMailDeps, invitationMailJob } from './access/invitations.jobs.ts';
import { accountRoutes } from './accounts/accounts.routes.ts';
import { expireUploadsJob } from './attachments/attachments.jobs.ts';
import { attachmentRoutes } from './attachments/attachments.routes.ts';
import { auditRoutes } from './audit/audit.routes.ts';
import { exportRoutes } from './exports/exports.routes.ts';
import { fieldRoutes } from './fields/fields.routes.ts';
import { groupRoutes } from './groups/groups.routes.ts';
import { macroRoutes } from './macros/macros.routes.ts';
import { organizationRoutes } from './organizations/organizations.routes.ts';
import { requestRoutes } from './requests/requests.routes.ts';
import { searchRoutes } from './search/search.routes.ts';
import { ticketBulkJob } from './tickets/tickets.jobs.ts';
import { ticketPresenceHandlers } from './tickets/tickets.presence.ts';
import { ticketRealtimeRouting } from './tickets/tickets.realtime.ts';
import { ticketRoutes } from './tickets/tickets.routes.ts';
import { userRoutes } from './users/users.routes.ts';
import { viewRoutes } from './views/views.routes.ts';
import { workspaceRoutes } from './workspace/workspace.routes.ts';
// Importing a module's tables registers its columns with the personal-data registry.
import './access/access.tables.ts';
import './accounts/accounts.tables.ts';
import './attachments/attachments.tables.ts';
import './audit/audit.tables.ts';
import './groups/groups.tables.ts';
import './organizations/organizations.tables.ts';
import './users/users.tables.ts';
import './tickets/tickets.tables.ts';
import './search/search.tables.ts';
import './views/views.tables.ts';
import './macros/macros.tables.ts';
import './fields/fields.tables.ts';
import '../platform/events/events.tables.ts';
import '../platform/storage/storage.tables.ts';
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
  ...ticketRoutes,
  ...requestRoutes,
  ...searchRoutes,
  ...exportRoutes,
  ...fieldRoutes,
  ...attachmentRoutes,
  ...viewRoutes,
  ...macroRoutes,
  ...workspaceRoutes,
];

export function moduleJobs(db: Kysely<Database>, deps: InvitationMailDeps): JobSpec<any>[] {
  return [expireUploadsJob(db), ticketBulkJob(db), invitationMailJob(db, deps)];
}

export const moduleListeners: EventListener[] = [];

/** Which agents hear which realtime events (ticket events only reach agents who may see the ticket). */
export function realtimeRouting(db: Kysely<Database>): RealtimeRouting {
  return ticketRealtimeRouting(db);
}

/** What modules do with events agents' clients send over the socket (ticket presence and typing). */
export function realtimeHandlers(db: Kysely<Database>): RealtimeHandlers[] {
  return [ticketPresenceHandlers(db)];
}
