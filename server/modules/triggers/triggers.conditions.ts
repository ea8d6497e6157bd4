import { HavenError } from '../../platform/http/errors.ts';
import type { TicketRow } from '../tickets/tickets.presenter.ts';
import { TICKET_PRIORITIES, TICKET_STATUSES, TICKET_TYPES } from '../tickets/tickets.tables.ts';
import { SATISFACTION_SCORES, VIA_CHANNELS } from '../views/views.conditions.ts';

/**
 * Trigger conditions in Zendesk's vocabulary (`{ field, operator, value }`), validated when a trigger is saved
 * and evaluated in memory against one ticket write: the ticket before it, the ticket as it will be, the
 * comment it adds, who made it and through which channel. `all` must all hold and at least one of `any`.
 * SLA filters (sla.filter.ts) are a restriction of these: they reuse the field specs, value normalization and
 * the evaluation of conditions on the ticket's own fields, with their own field list and 422 details.
 */
export interface StoredCondition {
  field: string;
  operator: string;
  value: string;
}
export interface StoredConditions {
  all: StoredCondition[];
  any: StoredCondition[];
}

/** One ticket write, as the conditions see it. */
export interface TriggerFacts {
  created: boolean;
  before: TicketRow | null;
  /** The ticket with the write's changes and those of triggers that already fired. */
  ticket: TicketRow;
  comment: { public: boolean; body: string } | null;
  /** Who made the write; null for the system (automations, merges). */
  actor: { userId: number; role: string } | null;
  /** The channel of this write (`web`, `api`, `email`, `rule` …). */
  via: string;
  now: Date;
}

type Kind =
  | 'update_type'
  | 'ordered'
  | 'enum'
  | 'person'
  | 'id'
  | 'tags'
  | 'custom'
  | 'channel'
  | 'current_channel'
  | 'comment_public'
  | 'text'
  | 'role'
  | 'hours'
  | 'hours_until'
  | 'privacy';

const CHANGE_OPERATORS = [
  'changed',
  'not_changed',
  'value',
  'value_previous',
  'not_value',
  'not_value_previous',
];
const EQUALITY = ['is', 'is_not'];
const ORDERED = [...EQUALITY, 'less_than', 'greater_than', ...CHANGE_OPERATORS];
const TEXT_OPERATORS = ['includes', 'not_includes', 'is', 'is_not'];
const HOURS_OPERATORS = ['less_than', 'greater_than', 'is'];
/** Zendesk's order, lowest first, for `less_than` / `greater_than` (TICKET_PRIORITIES lists urgent first). */
const PRIORITY_ORDER = ['low', 'normal', 'high', 'urgent'] as const;

export interface ConditionField {
  kind: Kind;
  title: string;
  operators: string[];
  /** The ticket column read, for field kinds that read one. */
  column?: keyof TicketRow;
  /** The values a list field takes ('' means "none" where the field may be empty). */
  values?: readonly string[];
  /** Ordered fields: the values lowest first, where that is not the order of `values`. */
  order?: readonly string[];
  nullable?: boolean;
}

export const CONDITION_FIELDS: Record<string, ConditionField> = {
  update_type: { kind: 'update_type', title: 'Ticket', operators: ['is'], values: ['Create', 'Change'] },
  status: { kind: 'ordered', title: 'Status', column: 'status', operators: ORDERED, values: TICKET_STATUSES },
  priority: {
    kind: 'ordered',
    title: 'Priority',
    column: 'priority',
    operators: ORDERED,
    values: TICKET_PRIORITIES,
    order: PRIORITY_ORDER,
    nullable: true,
  },
  type: {
    kind: 'enum',
    title: 'Type',
    column: 'type',
    operators: [...EQUALITY, ...CHANGE_OPERATORS],
    values: TICKET_TYPES,
    nullable: true,
  },
  satisfaction_score: {
    kind: 'enum',
    title: 'Satisfaction',
    column: 'satisfaction_score',
    operators: [...EQUALITY, ...CHANGE_OPERATORS],
    values: SATISFACTION_SCORES,
  },
  group_id: {
    kind: 'id',
    title: 'Group',
    column: 'group_id',
    operators: [...EQUALITY, ...CHANGE_OPERATORS],
    nullable: true,
  },
  assignee_id: {
    kind: 'person',
    title: 'Assignee',
    column: 'assignee_id',
    operators: [...EQUALITY, ...CHANGE_OPERATORS],
    nullable: true,
  },
  requester_id: {
    kind: 'person',
    title: 'Requester',
    column: 'requester_id',
    operators: [...EQUALITY, ...CHANGE_OPERATORS],
  },
  organization_id: {
    kind: 'id',
    title: 'Organization',
    column: 'organization_id',
    operators: [...EQUALITY, ...CHANGE_OPERATORS],
    nullable: true,
  },
  current_tags: { kind: 'tags', title: 'Tags', operators: ['includes', 'not_includes'] },
  via_id: { kind: 'channel', title: 'Channel', operators: EQUALITY, values: VIA_CHANNELS },
  current_via_id: { kind: 'current_channel', title: 'Update via', operators: EQUALITY, values: VIA_CHANNELS },
  comment_is_public: {
    kind: 'comment_public',
    title: 'Comment',
    operators: ['is'],
    values: ['true', 'false', 'not_relevant'],
  },
  comment_includes_word: { kind: 'text', title: 'Comment text', operators: TEXT_OPERATORS },
  subject_includes_word: { kind: 'text', title: 'Subject text', operators: TEXT_OPERATORS },
  role: { kind: 'role', title: 'Current user', operators: EQUALITY, values: ['end_user', 'agent', 'admin'] },
  ticket_is_public: { kind: 'privacy', title: 'Privacy', operators: ['is'], values: ['public', 'private'] },
  hours_since_created: {
    kind: 'hours',
    title: 'Hours since created',
    column: 'created_at',
    operators: HOURS_OPERATORS,
  },
  hours_since_updated: {
    kind: 'hours',
    title: 'Hours since updated',
    column: 'updated_at',
    operators: HOURS_OPERATORS,
  },
  hours_since_assigned: {
    kind: 'hours',
    title: 'Hours since assigned',
    column: 'assigned_at',
    operators: HOURS_OPERATORS,
  },
  hours_since_requester_update: {
    kind: 'hours',
    title: 'Hours since requester update',
    column: 'requester_updated_at',
    operators: HOURS_OPERATORS,
  },
  hours_until_next_sla_breach: {
    kind: 'hours_until',
    title: 'Hours until next SLA breach',
    column: 'sla_breach_at',
    operators: HOURS_OPERATORS,
  },
  hours_since_agent_update: {
    kind: 'hours',
    title: 'Hours since agent update',
    column: 'agent_updated_at',
    operators: HOURS_OPERATORS,
  },
};

export const CUSTOM_FIELD = /^custom_fields_(\d{1,15})$/;
const CUSTOM_OPERATORS = [
  'is',
  'is_not',
  'present',
  'not_present',
  'includes',
  'not_includes',
  ...CHANGE_OPERATORS,
];
/** The spec of every `custom_fields_<id>` condition. */
const CUSTOM_SPEC: ConditionField = { kind: 'custom', title: 'Custom field', operators: CUSTOM_OPERATORS };

function conditionError(where: string, description: string, error = 'InvalidValue'): HavenError {
  return new HavenError('CS_INVALID', {
    details: { conditions: [{ description: `${where}: ${description}`, error }] },
  });
}

/** Builds the 422 for one condition; each caller names the place and files it under its own details key. */
export type ConditionFail = (description: string, error?: string) => HavenError;

const words = (text: string) =>
  text
    .toLowerCase()
    .split(/[\s,]+/)
    .filter(Boolean);

/** A condition's value as stored: trimmed text, lower-cased where the field is a list, '' for "none". */
export function normalizeConditionValue(
  spec: ConditionField,
  field: string,
  operator: string,
  value: unknown,
  fail: ConditionFail,
): string {
  const text = value === null || value === undefined ? '' : String(value).trim();
  switch (spec.kind) {
    case 'ordered':
    case 'enum':
    case 'channel':
    case 'current_channel':
    case 'role':
    case 'update_type':
    case 'comment_public':
    case 'privacy': {
      if (operator === 'changed' || operator === 'not_changed') return '';
      const v = spec.kind === 'update_type' ? text : text.toLowerCase();
      if (v === '' && spec.nullable) return '';
      if (!spec.values!.includes(v))
        throw fail(`${JSON.stringify(value)} is not a value of ${field} (${spec.values!.join(', ')})`);
      return v;
    }
    case 'id':
    case 'person': {
      if (operator === 'changed' || operator === 'not_changed') return '';
      if (text === '' && spec.nullable) return '';
      if (spec.kind === 'person' && text === 'current_user') return text;
      const n = Number(text);
      if (!Number.isSafeInteger(n) || n <= 0)
        throw fail(`${JSON.stringify(value)} is not an id for ${field}`);
      return String(n);
    }
    case 'tags': {
      const tags = words(text);
      if (!tags.length) throw fail(`${spec.title} needs at least one tag`, 'BlankValue');
      return [...new Set(tags)].join(' ');
    }
    case 'text': {
      if (!text) throw fail(`${spec.title} needs text`, 'BlankValue');
      if (text.length > 1000) throw fail(`${field} is longer than 1000 characters`, 'TooLong');
      return text;
    }
    case 'hours':
    case 'hours_until': {
      const n = Number(text);
      if (!Number.isInteger(n) || n < 0 || n > 1_000_000)
        throw fail(`${spec.title} needs a whole number of hours`);
      return String(n);
    }
    case 'custom':
      return text;
  }
}

function normalizeCondition(raw: unknown, where: string): StoredCondition {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw conditionError(where, 'each condition is an object { field, operator, value }');
  const { field, operator, value } = raw as Record<string, unknown>;
  if (typeof field !== 'string' || !field)
    throw conditionError(where, 'a condition needs a field', 'BlankValue');
  const spec = CUSTOM_FIELD.test(field) ? CUSTOM_SPEC : CONDITION_FIELDS[field];
  if (!spec) throw conditionError(where, `"${field}" is not a condition triggers support`, 'UnknownField');
  const op = typeof operator === 'string' && operator ? operator : 'is';
  if (!spec.operators.includes(op))
    throw conditionError(where, `${field} takes the operators ${spec.operators.join(', ')}, not "${op}"`);
  const fail: ConditionFail = (description, error) => conditionError(where, description, error);
  return { field, operator: op, value: normalizeConditionValue(spec, field, op, value, fail) };
}

export function normalizeConditions(input: { all?: unknown; any?: unknown } | undefined): StoredConditions {
  const list = (raw: unknown, key: 'all' | 'any') => {
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) throw conditionError(key, 'must be a list of conditions');
    if (raw.length > 100) throw conditionError(key, 'takes at most 100 conditions', 'TooLong');
    return raw.map((c, i) => normalizeCondition(c, `${key}[${i}]`));
  };
  const conditions = { all: list(input?.all, 'all'), any: list(input?.any, 'any') };
  if (!conditions.all.length && !conditions.any.length)
    throw conditionError('conditions', 'a trigger needs at least one condition', 'BlankValue');
  return conditions;
}

/** Groups, users and custom fields the conditions name (checked to exist when a trigger is saved). */
export function conditionReferences(conditions: StoredConditions) {
  const groupIds = new Set<number>();
  const userIds = new Set<number>();
  const fieldIds = new Set<number>();
  for (const c of [...conditions.all, ...conditions.any]) {
    const custom = CUSTOM_FIELD.exec(c.field);
    if (custom) fieldIds.add(Number(custom[1]));
    if (!c.value || c.value === 'current_user') continue;
    if (c.field === 'group_id') groupIds.add(Number(c.value));
    if (c.field === 'assignee_id' || c.field === 'requester_id') userIds.add(Number(c.value));
  }
  return { groupIds: [...groupIds], userIds: [...userIds], fieldIds: [...fieldIds] };
}

// ---- Evaluation -------------------------------------------------------------------------------------------

const asText = (v: unknown) =>
  v === null || v === undefined ? '' : Array.isArray(v) ? v.join(' ') : String(v);

function containsWords(text: string, wanted: string): boolean {
  const have = new Set(words(text.replace(/[^\p{L}\p{N}_\s-]/gu, ' ')));
  return words(wanted).some((w) => have.has(w));
}

/** `is`/`changed`/`changed to`… for one column, comparing the ticket now with before the write. */
function compare(
  operator: string,
  now: string,
  before: string | null,
  value: string,
  created: boolean,
): boolean {
  // On create everything "changed" from nothing, as Zendesk counts it.
  const prev = created ? null : before;
  const changed = created ? now !== '' : prev !== now;
  switch (operator) {
    case 'is':
      return now === value;
    case 'is_not':
      return now !== value;
    case 'changed':
      return changed;
    case 'not_changed':
      return !changed;
    case 'value':
      return changed && now === value;
    case 'not_value':
      return changed && now !== value;
    case 'value_previous':
      return changed && prev === value;
    case 'not_value_previous':
      return changed && prev !== value;
    default:
      return false;
  }
}

/**
 * A ticket as conditions on its own fields read it: these columns, and the one a field's spec names in
 * `column` (a TicketRow has them all; an SLA filter's ticket has those its fields name).
 */
export interface ConditionTicket {
  tags: string[];
  via_channel: string;
  custom_fields: Record<string, unknown> | null;
}

/** The ticket now and, for the change operators, before the write (SLA filters have no write: null, false). */
export interface TicketState {
  ticket: ConditionTicket;
  before: ConditionTicket | null;
  created: boolean;
  /** Who made the write, for `current_user`; null for the system. */
  actorId: number | null;
}

function columnText(t: ConditionTicket | null, column: string): string | null {
  if (!t) return null;
  return asText((t as unknown as Record<string, unknown>)[column]);
}

/** Whether a condition on one of the ticket's own fields holds (kinds that need more of the write: false). */
export function ticketFieldHolds(spec: ConditionField, c: StoredCondition, s: TicketState): boolean {
  switch (spec.kind) {
    case 'custom': {
      const id = CUSTOM_FIELD.exec(c.field)![1]!;
      const now = asText(s.ticket.custom_fields?.[id]);
      const before = s.before ? asText(s.before.custom_fields?.[id]) : null;
      if (c.operator === 'present') return now !== '' && now !== 'false';
      if (c.operator === 'not_present') return now === '' || now === 'false';
      if (c.operator === 'includes') return words(now).some((w) => words(c.value).includes(w));
      if (c.operator === 'not_includes') return !words(now).some((w) => words(c.value).includes(w));
      return compare(
        c.operator,
        now.toLowerCase(),
        before?.toLowerCase() ?? null,
        c.value.toLowerCase(),
        s.created,
      );
    }
    case 'ordered': {
      const now = columnText(s.ticket, spec.column!)!;
      if (c.operator === 'less_than' || c.operator === 'greater_than') {
        const order = spec.order ?? spec.values!;
        if (now === '') return false;
        const diff = order.indexOf(now) - order.indexOf(c.value);
        return c.operator === 'less_than' ? diff < 0 : diff > 0;
      }
      return compare(c.operator, now, columnText(s.before, spec.column!), c.value, s.created);
    }
    case 'enum':
    case 'id':
    case 'person': {
      const value = c.value === 'current_user' ? String(s.actorId ?? '') : c.value;
      if (c.value === 'current_user' && s.actorId === null) return c.operator === 'is_not';
      return compare(
        c.operator,
        columnText(s.ticket, spec.column!)!,
        columnText(s.before, spec.column!),
        value,
        s.created,
      );
    }
    case 'tags': {
      const wanted = words(c.value);
      const has = wanted.some((t) => s.ticket.tags.includes(t));
      return c.operator === 'includes' ? has : !has;
    }
    case 'channel':
      return (s.ticket.via_channel === c.value) === (c.operator === 'is');
    default:
      return false;
  }
}

function evaluate(c: StoredCondition, f: TriggerFacts): boolean {
  const spec: ConditionField | undefined = CUSTOM_FIELD.test(c.field)
    ? CUSTOM_SPEC
    : CONDITION_FIELDS[c.field];
  if (!spec) return false;
  switch (spec.kind) {
    case 'update_type':
      return (f.created ? 'Create' : 'Change') === c.value;
    case 'current_channel':
      return (f.via === c.value) === (c.operator === 'is');
    case 'comment_public':
      if (c.value === 'not_relevant') return true;
      return f.comment !== null && f.comment.public === (c.value === 'true');
    case 'text': {
      const text = c.field === 'subject_includes_word' ? f.ticket.subject : (f.comment?.body ?? '');
      if (c.field === 'comment_includes_word' && !f.comment)
        return c.operator === 'not_includes' || c.operator === 'is_not';
      if (c.operator === 'includes') return containsWords(text, c.value);
      if (c.operator === 'not_includes') return !containsWords(text, c.value);
      const phrase = text.toLowerCase().includes(c.value.toLowerCase());
      return c.operator === 'is' ? phrase : !phrase;
    }
    case 'role': {
      const role = f.actor ? (f.actor.role === 'end-user' ? 'end_user' : f.actor.role) : 'system';
      return (role === c.value) === (c.operator === 'is');
    }
    case 'privacy':
      return f.ticket.is_public === (c.value === 'public');
    case 'hours':
    case 'hours_until': {
      const value = (f.ticket as unknown as Record<string, unknown>)[spec.column!];
      const at = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
      if (!at || Number.isNaN(at.getTime())) return false;
      const ms = spec.kind === 'hours' ? f.now.getTime() - at.getTime() : at.getTime() - f.now.getTime();
      const hours = ms / 3_600_000;
      const n = Number(c.value);
      if (c.operator === 'less_than') return hours < n;
      if (c.operator === 'greater_than') return hours > n;
      return hours >= n && hours < n + 1;
    }
    default:
      return ticketFieldHolds(spec, c, {
        ticket: f.ticket,
        before: f.before,
        created: f.created,
        actorId: f.actor?.userId ?? null,
      });
  }
}

export function conditionsHold(conditions: StoredConditions, facts: TriggerFacts): boolean {
  if (!conditions.all.every((c) => evaluate(c, facts))) return false;
  return conditions.any.length === 0 || conditions.any.some((c) => evaluate(c, facts));
}
