import type { Selectable } from 'kysely';
import { isoTime } from '../../platform/http/format.ts';
import type { FieldKind, FieldOptionsTable, FieldsTable } from './fields.tables.ts';

export type FieldRow = Selectable<FieldsTable>;
export type FieldOptionRow = Selectable<FieldOptionsTable>;
export type FieldWithOptions = FieldRow & { options: FieldOptionRow[] };

type UrlFor = (path: string) => string;

/** The collection path of each kind, and the envelope keys its records go under. */
export const FIELD_RESOURCES = {
  ticket: { path: 'ticket_fields', one: 'ticket_field' },
  user: { path: 'user_fields', one: 'user_field' },
  organization: { path: 'organization_fields', one: 'organization_field' },
} as const satisfies Record<FieldKind, { path: string; one: string }>;

/** The fixed choices of system fields, as Zendesk lists them under `system_field_options`. */
const SYSTEM_FIELD_OPTIONS: Record<string, { name: string; value: string }[]> = {
  status: [
    { name: 'New', value: 'new' },
    { name: 'Open', value: 'open' },
    { name: 'Pending', value: 'pending' },
    { name: 'On-hold', value: 'hold' },
    { name: 'Solved', value: 'solved' },
    { name: 'Closed', value: 'closed' },
  ],
  priority: [
    { name: 'Low', value: 'low' },
    { name: 'Normal', value: 'normal' },
    { name: 'High', value: 'high' },
    { name: 'Urgent', value: 'urgent' },
  ],
  tickettype: [
    { name: 'Question', value: 'question' },
    { name: 'Incident', value: 'incident' },
    { name: 'Problem', value: 'problem' },
    { name: 'Task', value: 'task' },
  ],
};

function fieldPath(f: FieldRow): string {
  return `/api/v2/${FIELD_RESOURCES[f.kind].path}/${f.id}`;
}

export function presentFieldOption(f: FieldRow, o: FieldOptionRow, url: UrlFor) {
  return {
    id: o.id,
    url: url(`${fieldPath(f)}/options/${o.id}.json`),
    name: o.name,
    raw_name: o.name,
    value: o.value,
    position: o.position,
    default: o.is_default,
  };
}

/** A field in Zendesk API v2 shape: ticket fields carry the portal and agent attributes, the others do not. */
export function presentField(f: FieldWithOptions, url: UrlFor) {
  const shared = {
    id: f.id,
    url: url(`${fieldPath(f)}.json`),
    type: f.type,
    key: f.key,
    title: f.title,
    raw_title: f.title,
    description: f.description,
    raw_description: f.description,
    position: f.position,
    active: f.active,
    regexp_for_validation: f.regexp_for_validation,
    tag: f.tag,
    custom_field_options: f.options.map((o) => presentFieldOption(f, o, url)),
    created_at: isoTime(f.created_at),
    updated_at: isoTime(f.updated_at),
  };
  if (f.kind !== 'ticket') return { ...shared, system: f.system };
  return {
    ...shared,
    agent_description: f.agent_description,
    required: f.required,
    collapsed_for_agents: f.collapsed_for_agents,
    title_in_portal: f.title_in_portal ?? f.title,
    raw_title_in_portal: f.title_in_portal ?? f.title,
    visible_in_portal: f.visible_in_portal,
    editable_in_portal: f.editable_in_portal,
    required_in_portal: f.required_in_portal,
    system_field_options: SYSTEM_FIELD_OPTIONS[f.type] ?? [],
    removable: !f.system,
  };
}
