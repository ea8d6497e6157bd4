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
import { automationsJob } from './automations/automations.jobs.ts';
import { automationRoutes } from './automations/automations.routes.ts';
import { addressPages, addressRoutes } from './email/addresses.routes.ts';
import { deliveryRoutes } from './email/deliveries.routes.ts';
import { type EmailJobDeps, emailInboundJobs } from './email/email.jobs.ts';
import { emailOutboxJobs } from './email/email.send.ts';
import { unsubscribePages } from './email/email.unsubscribe.ts';
import { imapRoutes } from './email/imap.routes.ts';
import { inboundRoutes } from './email/inbound.routes.ts';
import { settingsRoutes as emailSettingsRoutes } from './email/settings.routes.ts';
import { suspendedRoutes } from './email/suspended.routes.ts';
import { exportRoutes } from './exports/exports.routes.ts';
import { fieldRoutes } from './fields/fields.routes.ts';
import { groupRoutes } from './groups/groups.routes.ts';
import { macroRoutes } from './macros/macros.routes.ts';
import { organizationRoutes } from './organizations/organizations.routes.ts';
import { requestRoutes } from './requests/requests.routes.ts';
import { RULE_EVENTS } from './rules/rules.events.ts';
import {
  RULE_EFFECTS_JOB,
  type RuleJobDeps,
  ruleEffectsJob,
  ruleNotifyJob,
  ruleWebhookJob,
} from './rules/rules.jobs.ts';
import { satisfactionPages } from './satisfaction/satisfaction.pages.ts';
import { satisfactionRoutes } from './satisfaction/satisfaction.routes.ts';
import { searchRoutes } from './search/search.routes.ts';
import { slaBreachesJob } from './sla/sla.jobs.ts';
import { slaRoutes } from './sla/sla.routes.ts';
import { ticketBulkJob } from './tickets/tickets.jobs.ts';
import { ticketPresenceHandlers } from './tickets/tickets.presence.ts';
import { ticketRealtimeRouting } from './tickets/tickets.realtime.ts';
import { ticketRoutes } from './tickets/tickets.routes.ts';
import { triggerRoutes } from './triggers/triggers.routes.ts';
import { userRoutes } from './users/users.routes.ts';
import { viewRoutes } from './views/views.routes.ts';
import { type WebhookJobDeps, webhookHandOff, webhookJobs } from './webhooks/webhooks.jobs.ts';
import { webhookRoutes } from './webhooks/webhooks.routes.ts';
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
import './sla/sla.tables.ts';
import './satisfaction/satisfaction.tables.ts';
import './automations/automations.tables.ts';
import './triggers/triggers.tables.ts';
import './webhooks/webhooks.tables.ts';
import './email/email.tables.ts';
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
  ...slaRoutes,
  ...satisfactionRoutes,
  ...satisfactionPages,
  ...triggerRoutes,
  ...automationRoutes,
  ...webhookRoutes,
  ...imapRoutes,
  ...inboundRoutes,
  ...suspendedRoutes,
  ...addressRoutes,
  ...addressPages,
  ...deliveryRoutes,
  ...emailSettingsRoutes,
  ...unsubscribePages,
  ...workspaceRoutes,
];

export function moduleJobs(
  db: Kysely<Database>,
  deps: InvitationMailDeps & RuleJobDeps & WebhookJobDeps & EmailJobDeps,
): JobSpec<any>[] {
  // Fired rules hand their webhook calls to the webhooks module. Not a spread: `jobs` is a getter that may
  // only be read once the queue exists.
  const ruleDeps: RuleJobDeps = {
    mailer: deps.mailer,
    accounts: deps.accounts,
    config: deps.config,
    get jobs() {
      return deps.jobs;
    },
    webhooks: webhookHandOff,
  };
  return [
    expireUploadsJob(db),
    ticketBulkJob(db),
    invitationMailJob(db, deps),
    slaBreachesJob(db),
    automationsJob(db, deps),
    ruleEffectsJob(db, deps),
    ruleNotifyJob(db, deps),
    ruleWebhookJob(db, ruleDeps),
    ...webhookJobs(db, deps),
    ...emailInboundJobs(db, deps),
    ...emailOutboxJobs(db, deps),
  ];
}

export const moduleListeners: EventListener[] = [
  { event: RULE_EVENTS.effectsRequested, job: RULE_EFFECTS_JOB },
];

/** Which agents hear which realtime events (ticket events only reach agents who may see the ticket). */
export function realtimeRouting(db: Kysely<Database>): RealtimeRouting {
  const tickets = ticketRealtimeRouting(db);
  return {
    join: (actor) => tickets.join(actor),
    // Events that only start background work (rule notifications) are not news for any agent.
    audience: (event) => (JOBS_ONLY_EVENTS.has(event.type) ? [] : tickets.audience(event)),
  };
}

const JOBS_ONLY_EVENTS = new Set<string>([RULE_EVENTS.effectsRequested]);

/** What modules do with events agents' clients send over the socket (ticket presence and typing). */
export function realtimeHandlers(db: Kysely<Database>): RealtimeHandlers[] {
  return [ticketPresenceHandlers(db)];
}
