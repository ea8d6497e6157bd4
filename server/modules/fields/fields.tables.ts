import type { Generated } from 'kysely';
import { defineTable, pd } from '../../platform/privacy/registry.ts';

/** Which records a field describes: tickets (`/ticket_fields`), users or organizations. */
export const FIELD_KINDS = ['ticket', 'user', 'organization'] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];

/** The built-in ticket fields every account starts with; they map onto ticket columns, not custom values. */
export const SYSTEM_TICKET_FIELD_TYPES = [
  'subject',
  'description',
  'status',
  'tickettype',
  'priority',
  'group',
  'assignee',
] as const;
export type SystemTicketFieldType = (typeof SYSTEM_TICKET_FIELD_TYPES)[number];

/** Custom field types. Zendesk calls the drop-down `tagger` on tickets and `dropdown` on users and organizations. */
export const TICKET_FIELD_TYPES = [
  'text',
  'textarea',
  'checkbox',
  'date',
  'integer',
  'decimal',
  'regexp',
  'tagger',
  'multiselect',
] as const;
export const PROFILE_FIELD_TYPES = [
  'text',
  'textarea',
  'checkbox',
  'date',
  'integer',
  'decimal',
  'regexp',
  'dropdown',
  'multiselect',
] as const;
export type CustomFieldType = (typeof TICKET_FIELD_TYPES)[number] | (typeof PROFILE_FIELD_TYPES)[number];
export type FieldType = CustomFieldType | SystemTicketFieldType;

export interface FieldsTable {
  account_id: number;
  id: Generated<number>;
  kind: FieldKind;
  type: FieldType;
  /** User and organization fields: the key their values are stored under. Ticket values are keyed by id. */
  key: string | null;
  system: Generated<boolean>;
  title: string;
  description: Generated<string>;
  agent_description: string | null;
  position: Generated<number>;
  active: Generated<boolean>;
  required: Generated<boolean>;
  collapsed_for_agents: Generated<boolean>;
  regexp_for_validation: string | null;
  title_in_portal: string | null;
  visible_in_portal: Generated<boolean>;
  editable_in_portal: Generated<boolean>;
  required_in_portal: Generated<boolean>;
  /** Checkbox fields: the tag a ticket carries while the box is checked. */
  tag: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface FieldOptionsTable {
  account_id: number;
  id: Generated<number>;
  field_id: number;
  name: string;
  /** The option's tag: what a ticket stores as the field's value and carries in its tags. */
  value: string;
  position: Generated<number>;
  is_default: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

// Field definitions are configuration an admin writes; the values people enter live on tickets, users and
// organizations, whose own tables classify them.
defineTable<FieldsTable>('fields', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    kind: pd.none(),
    type: pd.none(),
    key: pd.none(),
    system: pd.none(),
    title: pd.none(),
    description: pd.none(),
    agent_description: pd.none(),
    position: pd.none(),
    active: pd.none(),
    required: pd.none(),
    collapsed_for_agents: pd.none(),
    regexp_for_validation: pd.none(),
    title_in_portal: pd.none(),
    visible_in_portal: pd.none(),
    editable_in_portal: pd.none(),
    required_in_portal: pd.none(),
    tag: pd.none(),
    created_at: pd.none(),
    updated_at: pd.none(),
  },
});

defineTable<FieldOptionsTable>('field_options', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    field_id: pd.none(),
    name: pd.none(),
    value: pd.none(),
    position: pd.none(),
    is_default: pd.none(),
    created_at: pd.none(),
    updated_at: pd.none(),
  },
});
