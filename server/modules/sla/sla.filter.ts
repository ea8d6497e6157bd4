import { HavenError } from '../../platform/http/errors.ts';
import type { RuleReferences } from '../rules/rules.references.ts';
import {
  CONDITION_FIELDS,
  type ConditionFail,
  type ConditionField,
  CUSTOM_FIELD,
  conditionReferences,
  normalizeConditionValue,
  type StoredCondition,
  ticketFieldHolds,
} from '../triggers/triggers.conditions.ts';
import type { StoredFilter, StoredFilterCondition } from './sla.tables.ts';

/**
 * SLA policy filters in Zendesk's vocabulary (`{ all: [{field, operator, value}], any: [...] }`), validated
 * on write and evaluated in memory on a ticket row on every ticket write (policies are few; tickets many,
 * so no SQL here). A filter is a restriction of trigger conditions (triggers.conditions.ts): the ticket's
 * own fields with the operators that need no write to compare with, under SLA names where Zendesk's differ.
 * Anything this file does not know is refused with a 422 naming it, never ignored.
 */

/** The ticket columns a filter reads. */
export interface FilterTicket {
  status: string;
  priority: string | null;
  type: string | null;
  group_id: number | null;
  assignee_id: number | null;
  requester_id: number | null;
  organization_id: number | null;
  tags: string[];
  via_channel: string;
  custom_fields: Record<string, unknown>;
}

const EQUALITY = ['is', 'is_not'];
const ORDERED = [...EQUALITY, 'less_than', 'greater_than'];
const CUSTOM = ['is', 'is_not', 'present', 'not_present', 'includes', 'not_includes'];

/** A trigger condition field with the operators SLA filters allow on it. */
const restrict = (
  field: string,
  operators: string[],
  more: Partial<ConditionField> = {},
): ConditionField => ({
  ...CONDITION_FIELDS[field]!,
  operators,
  ...more,
});

const FILTER_FIELDS: Record<string, ConditionField> = {
  status: restrict('status', ORDERED),
  priority: restrict('priority', ORDERED),
  type: restrict('type', EQUALITY),
  group_id: restrict('group_id', EQUALITY),
  // Plain ids: a policy has no "current user"; and it may ask for tickets without a requester.
  assignee_id: restrict('assignee_id', EQUALITY, { kind: 'id' }),
  requester_id: restrict('requester_id', EQUALITY, { kind: 'id', nullable: true }),
  organization_id: restrict('organization_id', EQUALITY),
  current_tags: restrict('current_tags', ['includes', 'not_includes']),
  via: restrict('via_id', EQUALITY),
};

/** Zendesk's names for the same fields. */
const ALIASES: Record<string, string> = { ticket_type_id: 'type', tags: 'current_tags' };

/** A condition after validation, ready to test a ticket with. */
type Parsed =
  | { kind: 'field'; spec: ConditionField; condition: StoredCondition }
  | { kind: 'custom'; fieldId: number; operator: string; value: string | null };

function filterError(where: string, description: string, error: string): HavenError {
  return new HavenError('CS_INVALID', {
    details: { filter: [{ description: `${where}: ${description}`, error }] },
  });
}

/** Zendesk's spellings of "no value" besides null and '' (stored as given, so still read here). */
const NONE = new Set(['-', 'none']);

function parse(raw: StoredFilterCondition, where: string): Parsed {
  const custom = CUSTOM_FIELD.exec(raw.field);
  const spec = FILTER_FIELDS[raw.field];
  if (!spec && !custom) {
    throw filterError(where, `"${raw.field}" is not a field SLA filters support`, 'UnknownField');
  }
  const operators = spec?.operators ?? CUSTOM;
  if (!operators.includes(raw.operator)) {
    throw filterError(
      where,
      `operator "${raw.operator}" does not apply to ${raw.field} (use ${operators.join(', ')})`,
      'UnknownOperator',
    );
  }
  const { field, operator, value } = raw;
  if (!spec) {
    // Custom fields compare their exact text, as views do (triggers lower-case it and match words).
    const fieldId = Number(custom![1]);
    if (operator === 'present' || operator === 'not_present')
      return { kind: 'custom', fieldId, operator, value: null };
    if (value === null || value === undefined) {
      throw filterError(where, `${field} ${operator} needs a value`, 'InvalidValue');
    }
    return { kind: 'custom', fieldId, operator, value: String(value) };
  }
  const fail: ConditionFail = (description, error = 'InvalidValue') => filterError(where, description, error);
  if (spec.kind === 'tags' && typeof value !== 'string') {
    throw fail('current_tags needs one or more tags, separated by spaces');
  }
  const given = typeof value === 'string' && NONE.has(value) ? '' : value;
  const normalized = normalizeConditionValue(spec, field, operator, given, fail);
  if (normalized === '' && operator !== 'is' && operator !== 'is_not') {
    throw fail(`${field} ${operator} needs a ${field}`);
  }
  if (spec.kind === 'tags') {
    const tags = normalized.split(' ');
    if (tags.length > 100 || tags.some((tag) => tag.length > 80)) {
      throw fail('current_tags takes at most 100 tags of at most 80 characters');
    }
  }
  return { kind: 'field', spec, condition: { field, operator, value: normalized } };
}

function storedCondition(raw: unknown, where: string): StoredFilterCondition {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw filterError(where, 'each condition is an object { field, operator, value }', 'InvalidValue');
  }
  const { field: given, operator, value } = raw as Record<string, unknown>;
  if (typeof given !== 'string' || given === '')
    throw filterError(where, 'a condition needs a field', 'BlankValue');
  if (typeof operator !== 'string' || operator === '') {
    throw filterError(where, `the condition on ${given} needs an operator`, 'BlankValue');
  }
  if (value !== undefined && value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
    throw filterError(where, `the value of ${given} must be a string, a number or null`, 'InvalidValue');
  }
  const field = ALIASES[given] ?? given;
  const stored: StoredFilterCondition = {
    field,
    operator,
    value: (value ?? null) as StoredFilterCondition['value'],
  };
  const parsed = parse(stored, where);
  // Stored the way it compares, so the API shows what the policy does ("none" and custom values as given).
  if (parsed.kind === 'field') {
    const { kind } = parsed.spec;
    const normalized = parsed.condition.value;
    if (kind === 'tags') stored.value = normalized;
    else if (kind === 'id') stored.value = normalized === '' ? stored.value : Number(normalized);
    else if (typeof value === 'string') stored.value = value.trim().toLowerCase();
  }
  return stored;
}

/** Validates `{all, any}` from a request (both may be empty: the policy then applies to every ticket). */
export function normalizeFilter(input: { all?: unknown; any?: unknown } | undefined): StoredFilter {
  const lists = { all: input?.all ?? [], any: input?.any ?? [] };
  for (const [key, list] of Object.entries(lists)) {
    if (!Array.isArray(list)) throw filterError(key, 'must be a list of conditions', 'InvalidValue');
  }
  const all = (lists.all as unknown[]).map((c, i) => storedCondition(c, `all[${i}]`));
  const any = (lists.any as unknown[]).map((c, i) => storedCondition(c, `any[${i}]`));
  if (all.length + any.length > 100) throw filterError('filter', 'takes at most 100 conditions', 'TooLong');
  return { all, any };
}

/** The groups, users and custom fields a filter names (checked to exist when a policy is saved). */
export function filterReferences(filter: StoredFilter): RuleReferences {
  // Stored ids are numbers; anything else names no group or user (custom fields count by their name).
  const asCondition = (c: StoredFilterCondition): StoredCondition => ({
    field: c.field,
    operator: c.operator,
    value: typeof c.value === 'number' ? String(c.value) : '',
  });
  return conditionReferences({ all: filter.all.map(asCondition), any: filter.any.map(asCondition) });
}

/** Organizations a filter names (checked apart: rules.references knows groups, users and fields). */
export function filterOrganizationIds(filter: StoredFilter): number[] {
  return [...filter.all, ...filter.any]
    .filter((c) => c.field === 'organization_id' && typeof c.value === 'number')
    .map((c) => c.value as number);
}

/** A custom field value as text, the way views compare it (`custom_fields ->> id`). */
function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function customHolds(c: Extract<Parsed, { kind: 'custom' }>, t: FilterTicket): boolean {
  const raw = t.custom_fields[String(c.fieldId)];
  const value = text(raw);
  const contains = Array.isArray(raw) ? raw.includes(c.value) : raw === c.value;
  switch (c.operator) {
    case 'present':
      return value !== null && value !== '' && value !== 'false';
    case 'not_present':
      return value === null || value === '' || value === 'false';
    case 'is':
      return value === c.value;
    case 'is_not':
      return value !== c.value;
    case 'includes':
      return contains;
    default:
      return !contains;
  }
}

/** A filter has no write to compare with: the ticket as it is, no "before", no current user. */
function holds(c: Parsed, t: FilterTicket): boolean {
  if (c.kind === 'custom') return customHolds(c, t);
  return ticketFieldHolds(c.spec, c.condition, { ticket: t, before: null, created: false, actorId: null });
}

/** A filter parsed once (policies are loaded once per write), then tested against tickets. */
export type CompiledFilter = (t: FilterTicket) => boolean;

export function compileFilter(filter: StoredFilter): CompiledFilter {
  const all = filter.all.map((c, i) => parse(c, `all[${i}]`));
  const any = filter.any.map((c, i) => parse(c, `any[${i}]`));
  return (t) => all.every((c) => holds(c, t)) && (any.length === 0 || any.some((c) => holds(c, t)));
}

const OPERATOR_TITLES: Record<string, string> = {
  is: 'Is',
  is_not: 'Is not',
  less_than: 'Less than',
  greater_than: 'Greater than',
  includes: 'Contains at least one of the following',
  not_includes: 'Contains none of the following',
  present: 'Present',
  not_present: 'Not present',
};

const titled = (values: readonly string[]) =>
  values.map((value) => ({ value, title: value.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase()) }));

/** What a policy editor may offer (`GET /api/v2/slas/policies/definitions`), in Zendesk's shape. */
export function filterDefinitions(lists: {
  groups: { id: number; name: string }[];
  agents: { id: number; name: string }[];
  fields: { id: number; title: string; type: string; options: { name: string; value: string }[] }[];
}) {
  const none = [{ value: '', title: '-' }];
  const ids = (rows: { id: number; name: string }[]) => rows.map((r) => ({ value: r.id, title: r.name }));
  const list = (spec: ConditionField) => ({
    type: 'list',
    list: [...(spec.nullable ? none : []), ...titled(spec.order ?? spec.values!)],
  });
  const valuesOf: Record<string, { type: string; list?: { value: string | number; title: string }[] }> = {
    status: list(FILTER_FIELDS.status!),
    priority: list(FILTER_FIELDS.priority!),
    type: list(FILTER_FIELDS.type!),
    group_id: { type: 'list', list: [...none, ...ids(lists.groups)] },
    assignee_id: { type: 'list', list: [...none, ...ids(lists.agents)] },
    requester_id: { type: 'user' },
    organization_id: { type: 'organization' },
    current_tags: { type: 'tags' },
    via: list(FILTER_FIELDS.via!),
  };
  const operators = (ops: readonly string[]) =>
    ops.map((value) => ({ value, title: OPERATOR_TITLES[value] ?? value }));
  const definitions = [
    ...Object.entries(FILTER_FIELDS).map(([field, spec]) => ({
      group: 'ticket',
      title: spec.title,
      value: field,
      operators: operators(spec.operators),
      target: null,
      values: valuesOf[field]!,
    })),
    ...lists.fields.map((f) => ({
      group: 'ticket_fields',
      title: f.title,
      value: `custom_fields_${f.id}`,
      operators: operators(CUSTOM),
      target: null,
      values: f.options.length
        ? { type: 'list', list: f.options.map((o) => ({ value: o.value, title: o.name })) }
        : { type: f.type === 'checkbox' ? 'checkbox' : 'text' },
    })),
  ];
  return { all: definitions, any: definitions };
}
