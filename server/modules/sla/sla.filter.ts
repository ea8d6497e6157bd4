import { HavenError } from '../../platform/http/errors.ts';
import type { RuleReferences } from '../rules/rules.references.ts';
import { TICKET_STATUSES, TICKET_TYPES } from '../tickets/tickets.tables.ts';
import type { StoredFilter, StoredFilterCondition } from './sla.tables.ts';

/**
 * SLA policy filters in Zendesk's vocabulary (`{ all: [{field, operator, value}], any: [...] }`), validated
 * on write and evaluated in memory on a ticket row on every ticket write (policies are few; tickets many,
 * so no SQL here). Anything this file does not know is refused with a 422 naming it, never ignored.
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

const STATUS_ORDER = TICKET_STATUSES; // new < open < pending < hold < solved < closed
const PRIORITY_ORDER = ['low', 'normal', 'high', 'urgent'] as const;
export const VIA_CHANNELS = [
  'api',
  'web',
  'email',
  'chat',
  'web_form',
  'mobile',
  'voice',
  'sms',
  'rule',
] as const;

type Kind = 'status' | 'priority' | 'type' | 'id' | 'tags' | 'via' | 'custom';

interface FieldSpec {
  kind: Kind;
  title: string;
  operators: readonly string[];
  column?: 'group_id' | 'assignee_id' | 'requester_id' | 'organization_id';
}

const EQUALITY = ['is', 'is_not'] as const;
const ORDERED = ['is', 'is_not', 'less_than', 'greater_than'] as const;
const CUSTOM = ['is', 'is_not', 'present', 'not_present', 'includes', 'not_includes'] as const;

export const FILTER_FIELDS: Record<string, FieldSpec> = {
  status: { kind: 'status', title: 'Status', operators: ORDERED },
  priority: { kind: 'priority', title: 'Priority', operators: ORDERED },
  type: { kind: 'type', title: 'Type', operators: EQUALITY },
  group_id: { kind: 'id', title: 'Group', operators: EQUALITY, column: 'group_id' },
  assignee_id: { kind: 'id', title: 'Assignee', operators: EQUALITY, column: 'assignee_id' },
  requester_id: { kind: 'id', title: 'Requester', operators: EQUALITY, column: 'requester_id' },
  organization_id: { kind: 'id', title: 'Organization', operators: EQUALITY, column: 'organization_id' },
  current_tags: { kind: 'tags', title: 'Tags', operators: ['includes', 'not_includes'] },
  via: { kind: 'via', title: 'Channel', operators: EQUALITY },
};

/** Zendesk's names for the same fields. */
const ALIASES: Record<string, string> = { ticket_type_id: 'type', tags: 'current_tags' };

const CUSTOM_FIELD = /^custom_fields_(\d{1,15})$/;

/** A condition after validation, ready to test a ticket with. */
type Parsed =
  | { kind: 'set'; column: 'status' | 'priority' | 'type'; values: string[]; orNull: boolean }
  | { kind: 'null'; column: 'priority' | 'type' | NonNullable<FieldSpec['column']>; isNull: boolean }
  | { kind: 'id'; column: NonNullable<FieldSpec['column']>; id: number; negate: boolean }
  | { kind: 'tags'; tags: string[]; negate: boolean }
  | { kind: 'via'; channel: string; negate: boolean }
  | { kind: 'custom'; fieldId: number; operator: string; value: string | null };

function filterError(where: string, description: string, error: string): HavenError {
  return new HavenError('CS_INVALID', {
    details: { filter: [{ description: `${where}: ${description}`, error }] },
  });
}

const isNone = (v: unknown) => v === null || v === '' || v === '-' || v === 'none';

function enumValue(value: unknown, allowed: readonly string[], where: string, what: string): string | null {
  if (isNone(value)) return null;
  const v = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if (typeof v !== 'string' || !allowed.includes(v)) {
    throw filterError(
      where,
      `${JSON.stringify(value)} is not a ${what} (one of ${allowed.join(', ')})`,
      'InvalidValue',
    );
  }
  return v;
}

function orderedSet(order: readonly string[], operator: string, value: string): string[] {
  const at = order.indexOf(value);
  switch (operator) {
    case 'is':
      return [value];
    case 'is_not':
      return order.filter((v) => v !== value);
    case 'less_than':
      return order.slice(0, at);
    default:
      return order.slice(at + 1);
  }
}

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
  const { operator, value } = raw;
  const negate = operator === 'is_not';
  if (custom) {
    const fieldId = Number(custom[1]);
    if (operator === 'present' || operator === 'not_present')
      return { kind: 'custom', fieldId, operator, value: null };
    if (value === null || value === undefined) {
      throw filterError(where, `${raw.field} ${operator} needs a value`, 'InvalidValue');
    }
    return { kind: 'custom', fieldId, operator, value: String(value) };
  }
  switch (spec!.kind) {
    case 'status': {
      const v = enumValue(value, STATUS_ORDER, where, 'status');
      if (v === null) throw filterError(where, 'status needs a value', 'InvalidValue');
      return { kind: 'set', column: 'status', values: orderedSet(STATUS_ORDER, operator, v), orNull: false };
    }
    case 'priority': {
      const v = enumValue(value, PRIORITY_ORDER, where, 'priority');
      if (v === null) {
        if (operator !== 'is' && operator !== 'is_not') {
          throw filterError(where, `priority ${operator} needs a priority`, 'InvalidValue');
        }
        return { kind: 'null', column: 'priority', isNull: !negate };
      }
      return {
        kind: 'set',
        column: 'priority',
        values: orderedSet(PRIORITY_ORDER, operator, v),
        orNull: negate,
      };
    }
    case 'type': {
      const v = enumValue(value, TICKET_TYPES, where, 'type');
      if (v === null) return { kind: 'null', column: 'type', isNull: !negate };
      return {
        kind: 'set',
        column: 'type',
        values: negate ? TICKET_TYPES.filter((t) => t !== v) : [v],
        orNull: negate,
      };
    }
    case 'id': {
      const column = spec!.column!;
      if (isNone(value)) return { kind: 'null', column, isNull: !negate };
      const n =
        typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
      if (!Number.isSafeInteger(n) || n <= 0) {
        throw filterError(where, `${JSON.stringify(value)} is not an id for ${raw.field}`, 'InvalidValue');
      }
      return { kind: 'id', column, id: n, negate };
    }
    case 'tags': {
      const words =
        typeof value === 'string'
          ? value
              .toLowerCase()
              .split(/[\s,]+/)
              .filter(Boolean)
          : [];
      if (words.length === 0 || words.length > 100 || words.some((w) => w.length > 80)) {
        throw filterError(where, 'current_tags needs one or more tags, separated by spaces', 'InvalidValue');
      }
      return { kind: 'tags', tags: [...new Set(words)], negate: operator === 'not_includes' };
    }
    case 'via': {
      const v = enumValue(value, VIA_CHANNELS, where, 'channel');
      if (v === null) throw filterError(where, 'via needs a channel', 'InvalidValue');
      return { kind: 'via', channel: v, negate };
    }
  }
  throw filterError(where, `"${raw.field}" is not a field SLA filters support`, 'UnknownField');
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
  // Stored the way it compares, so the API shows what the policy does.
  if (parsed.kind === 'tags') stored.value = parsed.tags.join(' ');
  if (parsed.kind === 'id') stored.value = parsed.id;
  if (['status', 'priority', 'type', 'via'].includes(field) && typeof value === 'string') {
    stored.value = value.trim().toLowerCase();
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
  const refs: RuleReferences = { groupIds: [], userIds: [], fieldIds: [] };
  for (const c of [...filter.all, ...filter.any]) {
    const custom = CUSTOM_FIELD.exec(c.field);
    if (custom) refs.fieldIds.push(Number(custom[1]));
    else if (typeof c.value === 'number' && c.field === 'group_id') refs.groupIds.push(c.value);
    else if (typeof c.value === 'number' && (c.field === 'assignee_id' || c.field === 'requester_id')) {
      refs.userIds.push(c.value);
    }
  }
  return refs;
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

function test(c: Parsed, t: FilterTicket): boolean {
  switch (c.kind) {
    case 'set': {
      const v = t[c.column];
      return v === null ? c.orNull : c.values.includes(v);
    }
    case 'null':
      return (t[c.column] === null) === c.isNull;
    case 'id':
      return c.negate ? t[c.column] !== c.id : t[c.column] === c.id;
    case 'tags': {
      const overlap = c.tags.some((tag) => t.tags.includes(tag));
      return c.negate ? !overlap : overlap;
    }
    case 'via':
      return (t.via_channel === c.channel) !== c.negate;
    case 'custom': {
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
  }
}

/** A filter parsed once (policies are loaded once per write), then tested against tickets. */
export type CompiledFilter = (t: FilterTicket) => boolean;

export function compileFilter(filter: StoredFilter): CompiledFilter {
  const all = filter.all.map((c, i) => parse(c, `all[${i}]`));
  const any = filter.any.map((c, i) => parse(c, `any[${i}]`));
  return (t) => all.every((c) => test(c, t)) && (any.length === 0 || any.some((c) => test(c, t)));
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
  const valuesOf: Record<string, { type: string; list?: { value: string | number; title: string }[] }> = {
    status: { type: 'list', list: titled(STATUS_ORDER) },
    priority: { type: 'list', list: [...none, ...titled(PRIORITY_ORDER)] },
    type: { type: 'list', list: [...none, ...titled(TICKET_TYPES)] },
    group_id: { type: 'list', list: [...none, ...ids(lists.groups)] },
    assignee_id: { type: 'list', list: [...none, ...ids(lists.agents)] },
    requester_id: { type: 'user' },
    organization_id: { type: 'organization' },
    current_tags: { type: 'tags' },
    via: { type: 'list', list: titled(VIA_CHANNELS) },
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
