import type { TenantDb } from '../../platform/db/tenant-db.ts';
import type { StoredRuleAction } from '../rules/rules.actions.ts';
import type { StoredConditions } from '../views/views.tables.ts';
import { insertDefaultAutomation } from './automations.commands.ts';

/**
 * The automations a new account starts with, as Zendesk's: solved tickets close after four days; pending
 * tickets remind their requester after 24 hours and after 5 days (inactive until an admin turns them on, as
 * in Zendesk); a day after solving, the requester is asked to rate the support they got.
 */
const DEFAULT_AUTOMATIONS: {
  title: string;
  active: boolean;
  conditions: StoredConditions;
  actions: StoredRuleAction[];
}[] = [
  {
    title: 'Close ticket 4 days after status is set to solved',
    active: true,
    conditions: {
      all: [
        { field: 'status', operator: 'is', value: 'solved' },
        { field: 'hours_since_solved', operator: 'greater_than', value: '96' },
      ],
      any: [],
    },
    actions: [{ field: 'status', value: 'closed' }],
  },
  {
    title: 'Pending notification 24 hours',
    active: false,
    conditions: {
      all: [
        { field: 'status', operator: 'is', value: 'pending' },
        { field: 'hours_since_pending', operator: 'is', value: '24' },
      ],
      any: [],
    },
    actions: [
      {
        field: 'notification_user',
        value: [
          'requester_id',
          '{{ticket.title}} is waiting for your reply',
          'This is a friendly reminder that we are waiting for your reply to your request ({{ticket.id}}).\n\n' +
            'To add a comment, reply to this email.\n\n{{ticket.latest_public_comment}}',
        ],
      },
    ],
  },
  {
    title: 'Pending notification 5 days',
    active: false,
    conditions: {
      all: [
        { field: 'status', operator: 'is', value: 'pending' },
        { field: 'hours_since_pending', operator: 'is', value: '120' },
      ],
      any: [],
    },
    actions: [
      {
        field: 'notification_user',
        value: [
          'requester_id',
          '{{ticket.title}} is waiting for your reply',
          'We are still waiting for your reply to your request ({{ticket.id}}). If we do not hear from you, ' +
            'we will assume it is resolved.\n\nTo add a comment, reply to this email.\n\n' +
            '{{ticket.latest_public_comment}}',
        ],
      },
    ],
  },
  {
    title: 'Request customer satisfaction rating',
    active: true,
    conditions: {
      all: [
        { field: 'status', operator: 'is', value: 'solved' },
        { field: 'hours_since_solved', operator: 'greater_than', value: '24' },
        { field: 'satisfaction_score', operator: 'is', value: 'unoffered' },
      ],
      any: [],
    },
    actions: [
      { field: 'satisfaction_score', value: 'offered_to_requester' },
      {
        field: 'notification_user',
        value: [
          'requester_id',
          'How would you rate the support you received?',
          'Hello {{ticket.requester.first_name}},\n\nWe would love to hear what you think of our customer ' +
            'service. Please take a moment to answer one simple question by clicking either link below:\n\n' +
            '{{satisfaction.rating_section}}\n\nHere is a reminder of what your request was about:\n\n' +
            '{{ticket.latest_public_comment}}',
        ],
      },
    ],
  },
];

/** Written in the account's creating transaction (account-seeds.ts). */
export async function seedDefaultAutomations(db: TenantDb): Promise<void> {
  for (const [position, automation] of DEFAULT_AUTOMATIONS.entries()) {
    await insertDefaultAutomation(db, position, automation);
  }
}
