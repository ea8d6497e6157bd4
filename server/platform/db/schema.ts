import type { AccessTables } from '../../modules/access/access.tables.ts';
import type { AccountsTable, InstallationTable } from '../../modules/accounts/accounts.tables.ts';
import type { AuditLogsTable } from '../../modules/audit/audit.tables.ts';
import type { GroupMembershipsTable, GroupsTable } from '../../modules/groups/groups.tables.ts';
import type { OrganizationsTable } from '../../modules/organizations/organizations.tables.ts';
import type {
  JobStatusesTable,
  TicketAuditsTable,
  TicketCommentsTable,
  TicketsTable,
} from '../../modules/tickets/tickets.tables.ts';
import type { UserIdentitiesTable, UsersTable } from '../../modules/users/users.tables.ts';
import type { EventsTable } from '../events/events.tables.ts';

/** The whole schema as Kysely sees it. Each module owns its tables' types in <m>.tables.ts. */
export interface Database extends AccessTables {
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
}

/** Tables that lead with account_id; the tenant-scoped handle only reaches these. */
export type TenantTable = Exclude<keyof Database, 'accounts' | 'installation'>;
