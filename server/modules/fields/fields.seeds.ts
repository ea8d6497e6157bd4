import type { TenantDb } from '../../platform/db/tenant-db.ts';
import type { SystemTicketFieldType } from './fields.tables.ts';

/** Subject and description are what end-users fill in on the help center form; the rest is for agents. */
const SYSTEM_TICKET_FIELDS: {
  type: SystemTicketFieldType;
  title: string;
  description: string;
  portal: boolean;
}[] = [
  { type: 'subject', title: 'Subject', description: '', portal: true },
  {
    type: 'description',
    title: 'Description',
    description: 'Please enter the details of your request.',
    portal: true,
  },
  { type: 'status', title: 'Status', description: 'Request status', portal: false },
  { type: 'tickettype', title: 'Type', description: 'Request type', portal: false },
  { type: 'priority', title: 'Priority', description: 'Request priority', portal: false },
  { type: 'group', title: 'Group', description: 'Request group', portal: false },
  { type: 'assignee', title: 'Assignee', description: 'Agent assigned to your request', portal: false },
];

/** The system ticket fields every account starts with. */
export async function seedTicketFields(db: TenantDb, _adminId: number): Promise<void> {
  await db
    .insertInto(
      'fields',
      SYSTEM_TICKET_FIELDS.map((f, position) => ({
        kind: 'ticket' as const,
        type: f.type,
        key: null,
        system: true,
        title: f.title,
        description: f.description,
        position,
        required: f.type === 'subject' || f.type === 'description',
        visible_in_portal: f.portal,
        editable_in_portal: f.portal,
        required_in_portal: f.portal,
      })),
    )
    .execute();
}
