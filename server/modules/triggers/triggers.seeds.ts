import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { insertDefaultTrigger } from './triggers.commands.ts';

/**
 * The triggers a new account starts with: they are how Haven sends its ticket emails (the email channel
 * delivers what they ask for). Admins edit or deactivate them like any other trigger.
 */
const DEFAULT_TRIGGERS = [
  {
    title: 'Notify requester and CCs of received request',
    description: 'Confirms to the customer that their request arrived.',
    conditions: {
      all: [
        { field: 'update_type', operator: 'is', value: 'Create' },
        { field: 'status', operator: 'is_not', value: 'solved' },
        { field: 'ticket_is_public', operator: 'is', value: 'public' },
      ],
    },
    actions: [
      {
        field: 'notification_user',
        value: [
          'requester_and_ccs',
          '[Request received] {{ticket.title}}',
          'Your request ({{ticket.id}}) has been received and is being reviewed by our support staff.\n\nTo add additional comments, reply to this email.\n\n{{ticket.latest_public_comment}}',
        ],
      },
    ],
  },
  {
    title: 'Notify requester and CCs of comment update',
    description: 'Sends the customer each public reply an agent writes.',
    conditions: {
      all: [
        { field: 'update_type', operator: 'is', value: 'Change' },
        { field: 'comment_is_public', operator: 'is', value: 'true' },
        { field: 'role', operator: 'is_not', value: 'end_user' },
      ],
    },
    actions: [
      {
        field: 'notification_user',
        value: [
          'requester_and_ccs',
          '[{{ticket.account}}] Re: {{ticket.title}}',
          '{{ticket.latest_public_comment}}\n\nTo add a comment, reply to this email.',
        ],
      },
    ],
  },
  {
    title: 'Notify assignee of assignment',
    description: 'Tells an agent when a ticket is assigned to them by someone else.',
    conditions: {
      all: [
        { field: 'assignee_id', operator: 'changed', value: '' },
        { field: 'assignee_id', operator: 'is_not', value: 'current_user' },
      ],
    },
    actions: [
      {
        field: 'notification_user',
        value: [
          'assignee_id',
          '[{{ticket.account}}] Assignment: {{ticket.title}}',
          'You have been assigned to this ticket ({{ticket.id}}).\n\n{{ticket.link}}\n\n{{ticket.latest_comment}}',
        ],
      },
    ],
  },
  {
    title: 'Notify group of a new ticket',
    description: 'Tells the agents of the ticket’s group about a new, unassigned ticket.',
    conditions: {
      all: [
        { field: 'update_type', operator: 'is', value: 'Create' },
        { field: 'assignee_id', operator: 'is', value: '' },
        { field: 'group_id', operator: 'is_not', value: '' },
      ],
    },
    actions: [
      {
        field: 'notification_group',
        value: [
          'group_id',
          '[{{ticket.account}}] New ticket in {{ticket.group.name}}: {{ticket.title}}',
          'A ticket ({{ticket.id}}) is waiting in your group.\n\n{{ticket.link}}\n\n{{ticket.latest_comment}}',
        ],
      },
    ],
  },
];

export async function seedDefaultTriggers(db: TenantDb): Promise<void> {
  for (const [position, trigger] of DEFAULT_TRIGGERS.entries())
    await insertDefaultTrigger(db, position, trigger);
}
