import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { TICKET_PRIORITIES, TICKET_STATUSES, TICKET_TYPES } from '../tickets/tickets.tables.ts';
import { CONDITION_FIELDS } from '../triggers/triggers.conditions.ts';
import { NOTIFY_RECIPIENTS, type RuleKind } from './rules.actions.ts';
import { accountLists } from './rules.queries.ts';

/**
 * What a rule editor may offer (`GET /api/v2/triggers/definitions`, `/automations/definitions`), in Zendesk's
 * shape: each condition field with its operators and values, each action with its values. The agent
 * workspace's rule editor is built from it, so a field added here appears there.
 */
interface Value {
  value: string;
  title: string;
  enabled: boolean;
}
interface Definition {
  subject: string;
  title: string;
  type: 'list' | 'text' | 'number' | 'tags' | 'notification' | 'webhook' | 'user' | 'organization';
  group: string;
  nullable: boolean;
  repeatable: boolean;
  operators?: { value: string; title: string; terminal: boolean }[];
  values?: Value[];
}

const OPERATOR_TITLES: Record<string, string> = {
  is: 'Is',
  is_not: 'Is not',
  less_than: 'Less than',
  greater_than: 'Greater than',
  changed: 'Changed',
  not_changed: 'Not changed',
  value: 'Changed to',
  value_previous: 'Changed from',
  not_value: 'Not changed to',
  not_value_previous: 'Not changed from',
  includes: 'Contains at least one of',
  not_includes: 'Contains none of',
  present: 'Present',
  not_present: 'Not present',
};
const TERMINAL = new Set(['changed', 'not_changed', 'present', 'not_present']);

const operators = (ops: string[]) =>
  ops.map((value) => ({ value, title: OPERATOR_TITLES[value] ?? value, terminal: TERMINAL.has(value) }));
const titled = (values: readonly string[], none = false): Value[] => [
  ...(none ? [{ value: '', title: '-', enabled: true }] : []),
  ...values.map((value) => ({
    value,
    title: value.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase()),
    enabled: true,
  })),
];

/** The account's groups and agents as list values, and its custom ticket fields for custom-field rows. */
async function ruleLists(db: TenantDb) {
  const { groups, agents, fields } = await accountLists(db);
  const idValues = (rows: { id: number; name: string }[]) =>
    rows.map((r) => ({ value: String(r.id), title: r.name, enabled: true }));
  return { groups: idValues(groups), agents: idValues(agents), fields };
}

const RECIPIENT_TITLES: Record<(typeof NOTIFY_RECIPIENTS)[number], string> = {
  requester_id: 'Requester',
  requester_and_ccs: 'Requester and CCs',
  assignee_id: 'Assignee',
  current_user: '(current user)',
  all_agents: 'All agents',
};

const AUTOMATION_TIME_FIELDS = [
  'hours_since_created',
  'hours_since_updated',
  'hours_since_open',
  'hours_since_pending',
  'hours_since_hold',
  'hours_since_solved',
  'hours_since_assigned',
  'hours_since_requester_update',
  'hours_since_agent_update',
  'hours_until_due_date',
  'hours_since_due_date',
  'hours_until_next_sla_breach',
  'hours_since_last_sla_breach',
];

export async function ruleDefinitions(db: TenantDb, kind: RuleKind) {
  const lists = await ruleLists(db);
  const conditions: Definition[] = [];
  const condition = (d: Omit<Definition, 'repeatable' | 'group'> & { group?: string }) =>
    conditions.push({ group: 'ticket', repeatable: true, ...d });
  const listOf = (field: string) =>
    field === 'group_id'
      ? titled([], true).concat(lists.groups)
      : field === 'assignee_id'
        ? titled([], true).concat(
            [{ value: 'current_user', title: '(current user)', enabled: true }],
            lists.agents,
          )
        : undefined;

  if (kind === 'trigger') {
    for (const [subject, spec] of Object.entries(CONDITION_FIELDS)) {
      const values = listOf(subject) ?? (spec.values ? titled(spec.values, spec.nullable) : undefined);
      const type =
        spec.kind === 'tags'
          ? 'tags'
          : spec.kind === 'text'
            ? 'text'
            : spec.kind === 'hours' || spec.kind === 'hours_until'
              ? 'number'
              : values
                ? 'list'
                : spec.kind === 'person'
                  ? 'user'
                  : spec.kind === 'id'
                    ? 'organization'
                    : 'text';
      condition({
        subject,
        title: spec.title,
        type,
        nullable: spec.nullable ?? false,
        operators: operators(spec.operators),
        ...(values ? { values } : {}),
      });
    }
  } else {
    const equality = ['is', 'is_not'];
    const ordered = ['is', 'is_not', 'less_than', 'greater_than'];
    condition({
      subject: 'status',
      title: 'Status',
      type: 'list',
      nullable: false,
      operators: operators(ordered),
      values: titled(TICKET_STATUSES),
    });
    condition({
      subject: 'priority',
      title: 'Priority',
      type: 'list',
      nullable: true,
      operators: operators(ordered),
      values: titled(TICKET_PRIORITIES, true),
    });
    condition({
      subject: 'type',
      title: 'Type',
      type: 'list',
      nullable: true,
      operators: operators(equality),
      values: titled(TICKET_TYPES, true),
    });
    condition({
      subject: 'group_id',
      title: 'Group',
      type: 'list',
      nullable: true,
      operators: operators(equality),
      values: listOf('group_id')!,
    });
    condition({
      subject: 'assignee_id',
      title: 'Assignee',
      type: 'list',
      nullable: true,
      operators: operators(equality),
      values: listOf('assignee_id')!,
    });
    condition({
      subject: 'current_tags',
      title: 'Tags',
      type: 'tags',
      nullable: false,
      operators: operators(['includes', 'not_includes']),
    });
    condition({
      subject: 'satisfaction_score',
      title: 'Satisfaction',
      type: 'list',
      nullable: false,
      operators: operators(equality),
      values: titled(['unoffered', 'offered', 'good', 'bad']),
    });
    for (const subject of AUTOMATION_TIME_FIELDS) {
      const title = subject.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
      condition({
        subject,
        title,
        type: 'number',
        nullable: false,
        operators: operators(['less_than', 'greater_than', 'is']),
        group: 'time',
      });
    }
  }
  for (const f of lists.fields) {
    condition({
      subject: `custom_fields_${f.id}`,
      title: f.title,
      type: 'text',
      nullable: true,
      operators: operators(['is', 'is_not', 'present', 'not_present', 'includes', 'not_includes']),
      group: 'custom_fields',
    });
  }

  const statuses =
    kind === 'automation'
      ? ['open', 'pending', 'hold', 'solved', 'closed']
      : ['open', 'pending', 'hold', 'solved'];
  const action = (
    d: Omit<Definition, 'repeatable' | 'nullable' | 'group'> & {
      group?: string;
      nullable?: boolean;
      repeatable?: boolean;
    },
  ) => ({ group: 'ticket', nullable: false, repeatable: false, ...d }) as Definition;
  const recipients: Value[] = [
    ...NOTIFY_RECIPIENTS.map((value) => ({ value, title: RECIPIENT_TITLES[value], enabled: true })),
    ...lists.agents,
  ];
  const actions: Definition[] = [
    action({ subject: 'status', title: 'Status', type: 'list', values: titled(statuses) }),
    action({
      subject: 'priority',
      title: 'Priority',
      type: 'list',
      nullable: true,
      values: titled(TICKET_PRIORITIES, true),
    }),
    action({
      subject: 'type',
      title: 'Type',
      type: 'list',
      nullable: true,
      values: titled(TICKET_TYPES, true),
    }),
    action({
      subject: 'group_id',
      title: 'Group',
      type: 'list',
      nullable: true,
      values: listOf('group_id')!,
    }),
    action({
      subject: 'assignee_id',
      title: 'Assignee',
      type: 'list',
      nullable: true,
      values: listOf('assignee_id')!,
    }),
    action({ subject: 'set_tags', title: 'Set tags', type: 'tags' }),
    action({ subject: 'current_tags', title: 'Add tags', type: 'tags' }),
    action({ subject: 'remove_tags', title: 'Remove tags', type: 'tags' }),
    action({ subject: 'cc', title: 'Add CC', type: 'list', repeatable: true, values: lists.agents }),
    action({
      subject: 'satisfaction_score',
      title: 'Satisfaction',
      type: 'list',
      values: [{ value: 'offered_to_requester', title: 'Offered to requester', enabled: true }],
    }),
    action({
      subject: 'notification_user',
      title: 'Email user',
      type: 'notification',
      group: 'notification',
      repeatable: true,
      values: recipients,
    }),
    action({
      subject: 'notification_group',
      title: 'Email group',
      type: 'notification',
      group: 'notification',
      repeatable: true,
      values: [{ value: 'group_id', title: '(assigned group)', enabled: true }, ...lists.groups],
    }),
    action({
      subject: 'notification_webhook',
      title: 'Notify active webhook',
      type: 'webhook',
      group: 'notification',
      repeatable: true,
    }),
    ...lists.fields.map((f) =>
      action({
        subject: `custom_fields_${f.id}`,
        title: f.title,
        type: 'text',
        nullable: true,
        group: 'custom_fields',
      }),
    ),
  ];
  return { definitions: { conditions_all: conditions, conditions_any: conditions, actions } };
}
