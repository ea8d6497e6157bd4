import type { AccessTables } from '../../modules/access/access.tables.ts';
import type { AccountsTable, InstallationTable } from '../../modules/accounts/accounts.tables.ts';
import type { AttachmentsTable } from '../../modules/attachments/attachments.tables.ts';
import type { AuditLogsTable } from '../../modules/audit/audit.tables.ts';
import type { AutomationRunsTable, AutomationsTable } from '../../modules/automations/automations.tables.ts';
import type { EmailTables } from '../../modules/email/email.tables.ts';
import type { FieldOptionsTable, FieldsTable } from '../../modules/fields/fields.tables.ts';
import type { GroupMembershipsTable, GroupsTable } from '../../modules/groups/groups.tables.ts';
import type { MacrosTable } from '../../modules/macros/macros.tables.ts';
import type { OrganizationsTable } from '../../modules/organizations/organizations.tables.ts';
import type { SatisfactionTables } from '../../modules/satisfaction/satisfaction.tables.ts';
import type { TicketSearchDocumentsTable } from '../../modules/search/search.tables.ts';
import type { SlaTables } from '../../modules/sla/sla.tables.ts';
import type {
  JobStatusesTable,
  TicketAuditsTable,
  TicketCommentsTable,
  TicketsTable,
} from '../../modules/tickets/tickets.tables.ts';
import type { TriggersTable } from '../../modules/triggers/triggers.tables.ts';
import type { UserIdentitiesTable, UsersTable } from '../../modules/users/users.tables.ts';
import type { ViewCountsTable, ViewsTable } from '../../modules/views/views.tables.ts';
import type { WebhookTables } from '../../modules/webhooks/webhooks.tables.ts';
import type { EventsTable } from '../events/events.tables.ts';
import type { StoredFilesTable } from '../storage/storage.tables.ts';

/** The whole schema as Kysely sees it. Each module owns its tables' types in <m>.tables.ts. */
export interface Database extends AccessTables, EmailTables, SatisfactionTables, SlaTables, WebhookTables {
  accounts: AccountsTable;
  installation: InstallationTable;
  users: UsersTable;
  user_identities: UserIdentitiesTable;
  organizations: OrganizationsTable;
  groups: GroupsTable;
  group_memberships: GroupMembershipsTable;
  audit_logs: AuditLogsTable;
  events: EventsTable;
  tickets: TicketsTable;
  ticket_audits: TicketAuditsTable;
  ticket_comments: TicketCommentsTable;
  job_statuses: JobStatusesTable;
  ticket_search_documents: TicketSearchDocumentsTable;
  views: ViewsTable;
  view_counts: ViewCountsTable;
  macros: MacrosTable;
  stored_files: StoredFilesTable;
  attachments: AttachmentsTable;
  fields: FieldsTable;
  field_options: FieldOptionsTable;
  triggers: TriggersTable;
  automations: AutomationsTable;
  automation_runs: AutomationRunsTable;
}

/** Tables that lead with account_id; the tenant-scoped handle only reaches these. */
export type TenantTable = Exclude<keyof Database, 'accounts' | 'installation'>;
