import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { sql } from '../../platform/db/tenant-db.ts';
import { HavenError } from '../../platform/http/errors.ts';
import { TICKET_STATUSES, TICKET_TYPES } from '../tickets/tickets.tables.ts';
import type { StoredCondition, StoredConditions } from './views.tables.ts';

/**
 * View conditions in Zendesk's vocabulary (`{ field, operator, value }`), validated on write and compiled to
 * one SQL predicate over `tickets` on every execution. Enumerations (statuses, priorities, types) compile to
 * literal IN-lists so the planner can match the partial indexes of migration 0005; ids and times are bound
 * parameters. Anything this file does not know is refused with a 422 naming it, never ignored.
 */

type TicketsEb = ExpressionBuilder<Database, 'tickets'>;
export type TicketPredicate = (eb: TicketsEb) => Expression<SqlBool>;

/** Who the view runs for: `current_user` and `current_groups` resolve against them. */
export interface ConditionContext {
  userId: number;
  groupIds: number[];
  now: Date;
}

/** Zendesk's order of statuses and priorities, for `less_than` / `greater_than`. */
const STATUS_ORDER = TICKET_STATUSES; // new < open < pending < hold < solved < closed
const PRIORITY_ORDER = ['low', 'normal', 'high', 'urgent'] as const;

type Kind =
  | 'status'
  | 'priority'
  | 'type'
  | 'person'
  | 'group'
  | 'organization'
  | 'tags'
  | 'time'
  | 'satisfaction'
  | 'channel'
  | 'custom';

interface FieldSpec {
  kind: Kind;
  column: string;
  operators: readonly string[];
  /** Time fields: hours since the column (past), or until it (`until`, future). */
  until?: boolean;
  /** Time fields that count only while the ticket has this status ("hours since pending"). */
  status?: string;
}

const ID_OPERATORS = ['is', 'is_not'] as const;
const TIME_OPERATORS = ['less_than', 'greater_than', 'is'] as const;
const ORDERED_OPERATORS = ['is', 'is_not', 'less_than', 'greater_than'] as const;
const CUSTOM_OPERATORS = ['is', 'is_not', 'present', 'not_present', 'includes', 'not_includes'] as const;

/** A rating's state on the ticket (tickets.satisfaction_score). */
export const SATISFACTION_SCORES = ['unoffered', 'offered', 'good', 'bad'] as const;
export const VIA_CHANNELS = [
  'web',
  'api',
  'email',
  'chat',
  'web_form',
  'mobile',
  'voice',
  'sms',
  'rule',
] as const;

const since = (column: string, status?: string): FieldSpec => ({
  kind: 'time',
  column,
  operators: TIME_OPERATORS,
  ...(status ? { status } : {}),
});
/** Columns holding times that may still be ahead of now. */
const MAY_BE_AHEAD = new Set(['due_at', 'sla_breach_at']);
const until = (column: string): FieldSpec => ({
  kind: 'time',
  column,
  operators: TIME_OPERATORS,
  until: true,
});

const FIELDS: Record<string, FieldSpec> = {
  status: { kind: 'status', column: 'status', operators: ORDERED_OPERATORS },
  priority: { kind: 'priority', column: 'priority', operators: ORDERED_OPERATORS },
  type: { kind: 'type', column: 'type', operators: ID_OPERATORS },
  assignee_id: { kind: 'person', column: 'assignee_id', operators: ID_OPERATORS },
  requester_id: { kind: 'person', column: 'requester_id', operators: ID_OPERATORS },
  submitter_id: { kind: 'person', column: 'submitter_id', operators: ID_OPERATORS },
  group_id: { kind: 'group', column: 'group_id', operators: ID_OPERATORS },
  organization_id: { kind: 'organization', column: 'organization_id', operators: ID_OPERATORS },
  current_tags: { kind: 'tags', column: 'tags', operators: ['includes', 'not_includes'] },
  created_at: { kind: 'time', column: 'created_at', operators: TIME_OPERATORS },
  updated_at: { kind: 'time', column: 'updated_at', operators: TIME_OPERATORS },
  solved_at: { kind: 'time', column: 'solved_at', operators: TIME_OPERATORS },
  satisfaction_score: { kind: 'satisfaction', column: 'satisfaction_score', operators: ID_OPERATORS },
  via_id: { kind: 'channel', column: 'via_channel', operators: ID_OPERATORS },
  // Hours since / until: Haven's names (hours_since_*), and the names Zendesk's API uses for the same
  // conditions (NEW, OPEN, PENDING, HOLD, SOLVED, assigned_at, due_date, until_due_date …), stored as sent.
  hours_since_created: since('created_at'),
  NEW: since('created_at'),
  hours_since_updated: since('updated_at'),
  hours_since_update: since('updated_at'),
  hours_since_solved: since('solved_at'),
  SOLVED: since('solved_at'),
  hours_since_open: since('status_updated_at', 'open'),
  OPEN: since('status_updated_at', 'open'),
  hours_since_pending: since('status_updated_at', 'pending'),
  PENDING: since('status_updated_at', 'pending'),
  hours_since_hold: since('status_updated_at', 'hold'),
  HOLD: since('status_updated_at', 'hold'),
  hours_since_assigned: since('assigned_at'),
  assigned_at: since('assigned_at'),
  hours_since_requester_update: since('requester_updated_at'),
  requester_updated_at: since('requester_updated_at'),
  hours_since_agent_update: since('agent_updated_at'),
  hours_since_due_date: since('due_at'),
  due_date: since('due_at'),
  hours_until_due_date: until('due_at'),
  until_due_date: until('due_at'),
  hours_since_last_sla_breach: since('sla_breach_at'),
  sla_next_breach_at: since('sla_breach_at'),
  hours_until_next_sla_breach: until('sla_breach_at'),
  until_sla_next_breach_at: until('sla_breach_at'),
};

/** Whether a condition field counts hours (automations need at least one of these). */
export function isTimeField(field: string): boolean {
  return FIELDS[field]?.kind === 'time';
}

/** The condition fields this file knows (custom fields aside), for rule definitions. */
export const CONDITION_FIELD_NAMES = Object.keys(FIELDS);

const CUSTOM_FIELD = /^custom_fields_(\d{1,15})$/;

/** A condition after validation: what compiling needs, with ids and enumerations already parsed. */
export type ParsedCondition =
  | {
      kind: 'set';
      column: 'status' | 'priority' | 'type' | 'satisfaction_score' | 'via_channel';
      values: string[];
      orNull: boolean;
    }
  | { kind: 'null'; column: string; isNull: boolean }
  | { kind: 'id'; column: string; negate: boolean; id: number | 'current_user' | 'current_groups' }
  | { kind: 'tags'; negate: boolean; tags: string[] }
  | { kind: 'time'; column: string; operator: string; hours: number; until: boolean; status: string | null }
  | { kind: 'custom'; fieldId: number; operator: string; value: string | null };

function conditionError(where: string, description: string, error: string): HavenError {
  return new HavenError('CS_INVALID', {
    details: { conditions: [{ description: `${where}: ${description}`, error }] },
  });
}

const isNone = (v: unknown) => v === null || v === '' || v === '-' || v === 'none';

function enumValue(value: unknown, allowed: readonly string[], where: string, field: string): string | null {
  if (isNone(value)) return null;
  const v = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if (typeof v !== 'string' || !allowed.includes(v)) {
    throw conditionError(
      where,
      `${JSON.stringify(value)} is not a ${field} (one of ${allowed.join(', ')})`,
      'InvalidValue',
    );
  }
  return v;
}

function idValue(value: unknown, where: string, field: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw conditionError(where, `${JSON.stringify(value)} is not an id for ${field}`, 'InvalidValue');
  }
  return n;
}

/** The members of an ordered enumeration an operator selects. */
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

/** Validates one condition and returns what compiling needs; throws a 422 naming what is wrong. */
export function parseCondition(raw: StoredCondition, where: string, noun = 'view'): ParsedCondition {
  const custom = CUSTOM_FIELD.exec(raw.field);
  const spec = Object.hasOwn(FIELDS, raw.field) ? FIELDS[raw.field] : undefined;
  if (!spec && !custom) {
    throw conditionError(where, `"${raw.field}" is not a condition field ${noun}s support`, 'UnknownField');
  }
  const operators = spec?.operators ?? CUSTOM_OPERATORS;
  if (!operators.includes(raw.operator)) {
    throw conditionError(
      where,
      `operator "${raw.operator}" does not apply to ${raw.field} (use ${operators.join(', ')})`,
      'UnknownOperator',
    );
  }
  const { operator, value } = raw;
  if (custom) {
    const fieldId = Number(custom[1]);
    if (operator === 'present' || operator === 'not_present')
      return { kind: 'custom', fieldId, operator, value: null };
    if (value === null || value === undefined || typeof value === 'object') {
      throw conditionError(where, `${raw.field} ${operator} needs a value`, 'InvalidValue');
    }
    return { kind: 'custom', fieldId, operator, value: String(value) };
  }
  switch (spec!.kind) {
    case 'status': {
      const v = enumValue(value, STATUS_ORDER, where, 'status');
      if (v === null) throw conditionError(where, 'status needs a value', 'InvalidValue');
      return { kind: 'set', column: 'status', values: orderedSet(STATUS_ORDER, operator, v), orNull: false };
    }
    case 'priority': {
      const v = enumValue(value, PRIORITY_ORDER, where, 'priority');
      if (v === null) {
        if (operator !== 'is' && operator !== 'is_not') {
          throw conditionError(where, `priority ${operator} needs a priority`, 'InvalidValue');
        }
        return { kind: 'null', column: 'priority', isNull: operator === 'is' };
      }
      const values = orderedSet(PRIORITY_ORDER, operator, v);
      return { kind: 'set', column: 'priority', values, orNull: operator === 'is_not' };
    }
    case 'type': {
      const v = enumValue(value, TICKET_TYPES, where, 'type');
      if (v === null) return { kind: 'null', column: 'type', isNull: operator === 'is' };
      const values = operator === 'is' ? [v] : TICKET_TYPES.filter((t) => t !== v);
      return { kind: 'set', column: 'type', values, orNull: operator === 'is_not' };
    }
    case 'person':
    case 'group':
    case 'organization': {
      const negate = operator === 'is_not';
      if (isNone(value)) return { kind: 'null', column: spec!.column, isNull: !negate };
      if (spec!.kind === 'person' && value === 'current_user') {
        return { kind: 'id', column: spec!.column, negate, id: 'current_user' };
      }
      if (spec!.kind === 'group' && value === 'current_groups') {
        return { kind: 'id', column: spec!.column, negate, id: 'current_groups' };
      }
      return { kind: 'id', column: spec!.column, negate, id: idValue(value, where, raw.field) };
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
        throw conditionError(
          where,
          'current_tags needs one or more tags, separated by spaces',
          'InvalidValue',
        );
      }
      return { kind: 'tags', negate: operator === 'not_includes', tags: [...new Set(words)] };
    }
    case 'time': {
      const hours =
        typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
      if (!Number.isInteger(hours) || hours < 0 || hours > 1_000_000) {
        throw conditionError(where, `${raw.field} needs a whole number of hours`, 'InvalidValue');
      }
      return {
        kind: 'time',
        column: spec!.column,
        operator,
        hours,
        until: spec!.until === true,
        status: spec!.status ?? null,
      };
    }
    case 'satisfaction': {
      const v = enumValue(value, SATISFACTION_SCORES, where, 'satisfaction score');
      if (v === null) throw conditionError(where, 'satisfaction_score needs a value', 'InvalidValue');
      const values = operator === 'is' ? [v] : SATISFACTION_SCORES.filter((s) => s !== v);
      return { kind: 'set', column: 'satisfaction_score', values, orNull: false };
    }
    case 'channel': {
      const v = enumValue(value, VIA_CHANNELS, where, 'channel');
      if (v === null) throw conditionError(where, 'via_id needs a channel', 'InvalidValue');
      const values = operator === 'is' ? [v] : VIA_CHANNELS.filter((c) => c !== v);
      return { kind: 'set', column: 'via_channel', values, orNull: false };
    }
  }
  throw conditionError(where, `"${raw.field}" is not a condition field ${noun}s support`, 'UnknownField');
}

/** Normalises one raw condition from a request body into its stored form. */
function storedCondition(raw: unknown, where: string, noun: string): StoredCondition {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw conditionError(where, 'each condition is an object { field, operator, value }', 'InvalidValue');
  }
  const { field, operator, value } = raw as Record<string, unknown>;
  if (typeof field !== 'string' || field === '') {
    throw conditionError(where, 'a condition needs a field', 'BlankValue');
  }
  if (typeof operator !== 'string' || operator === '') {
    throw conditionError(where, `the condition on ${field} needs an operator`, 'BlankValue');
  }
  if (value !== undefined && value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
    throw conditionError(where, `the value of ${field} must be a string, a number or null`, 'InvalidValue');
  }
  const stored: StoredCondition = { field, operator, value: (value ?? null) as StoredCondition['value'] };
  const parsed = parseCondition(stored, where, noun);
  // Store enumerations and tags the way they compare, so the API shows what the view does.
  if (parsed.kind === 'tags') stored.value = parsed.tags.join(' ');
  if (
    ['status', 'priority', 'type', 'satisfaction_score', 'via_id'].includes(field) &&
    typeof value === 'string'
  ) {
    stored.value = value.trim().toLowerCase();
  }
  return stored;
}

/**
 * Validates `{all, any}` from a request; at least one condition, at most 100. Returns the stored form.
 * `noun` names the rule in messages (views, automations).
 */
export function normalizeConditions(
  input: { all?: unknown; any?: unknown },
  noun = 'view',
): StoredConditions {
  const lists = { all: input.all ?? [], any: input.any ?? [] };
  for (const [key, list] of Object.entries(lists)) {
    if (!Array.isArray(list)) {
      throw conditionError(key, 'must be a list of conditions', 'InvalidValue');
    }
  }
  const all = (lists.all as unknown[]).map((c, i) => storedCondition(c, `all[${i}]`, noun));
  const any = (lists.any as unknown[]).map((c, i) => storedCondition(c, `any[${i}]`, noun));
  const article = /^[aeiou]/.test(noun) ? 'an' : 'a';
  if (all.length + any.length === 0) {
    throw conditionError(
      'conditions',
      `${article} ${noun} needs at least one condition in all or any`,
      'BlankValue',
    );
  }
  if (all.length + any.length > 100) {
    throw conditionError('conditions', `${article} ${noun} takes at most 100 conditions`, 'TooLong');
  }
  return { all, any };
}

/** The custom field ids conditions name, so writes can check that the fields exist. */
export function customFieldIdsIn(conditions: StoredConditions): number[] {
  const ids = new Set<number>();
  for (const c of [...conditions.all, ...conditions.any]) {
    const m = CUSTOM_FIELD.exec(c.field);
    if (m) ids.add(Number(m[1]));
  }
  return [...ids];
}

const lit = (values: string[]) =>
  sql.join(
    values.map((v) => sql.lit(v)),
    sql`, `,
  );

function compileOne(eb: TicketsEb, c: ParsedCondition, ctx: ConditionContext): Expression<SqlBool> {
  const col = (name: string) => sql.ref(`tickets.${name}`);
  switch (c.kind) {
    case 'set': {
      // Literal lists: `status < solved` becomes exactly the predicate of tickets_unsolved_* (migration 0005).
      const inList = c.values.length
        ? sql<SqlBool>`${col(c.column)} in (${lit(c.values)})`
        : sql<SqlBool>`false`;
      return c.orNull ? eb.or([inList, eb(`tickets.${c.column}` as any, 'is', null)]) : inList;
    }
    case 'null':
      return eb(`tickets.${c.column}` as any, c.isNull ? 'is' : 'is not', null);
    case 'id': {
      const ref = `tickets.${c.column}` as any;
      let match: Expression<SqlBool>;
      if (c.id === 'current_groups') {
        match = ctx.groupIds.length ? eb(ref, 'in', ctx.groupIds) : sql<SqlBool>`false`;
      } else {
        match = eb(ref, '=', c.id === 'current_user' ? ctx.userId : c.id);
      }
      return c.negate ? eb.or([eb(ref, 'is', null), eb.not(match)]) : match;
    }
    case 'tags': {
      const overlap = sql<SqlBool>`${col('tags')} && ${sql.val(c.tags)}::text[]`;
      return c.negate ? eb.not(overlap) : overlap;
    }
    case 'time': {
      const ref = `tickets.${c.column}` as any;
      const now = ctx.now.getTime();
      let match: Expression<SqlBool>;
      if (c.until) {
        // Hours until a time still ahead: `less_than N` is due within N hours (not already past).
        const at = (hours: number) => new Date(now + hours * 3_600_000);
        if (c.operator === 'less_than') match = eb.and([eb(ref, '>=', ctx.now), eb(ref, '<', at(c.hours))]);
        else if (c.operator === 'greater_than') match = eb(ref, '>', at(c.hours));
        else match = eb.and([eb(ref, '>=', at(c.hours)), eb(ref, '<', at(c.hours + 1))]);
      } else {
        // Hours since a time already past. Due dates and SLA breaches may lie ahead: `less_than N` on those
        // is "passed within the last N hours", not "any time in the future".
        const at = (hours: number) => new Date(now - hours * 3_600_000);
        if (c.operator === 'less_than') {
          match = eb(ref, '>', at(c.hours));
          if (MAY_BE_AHEAD.has(c.column)) match = eb.and([match, eb(ref, '<=', ctx.now)]);
        } else if (c.operator === 'greater_than') match = eb(ref, '<', at(c.hours));
        // `is N`: N whole hours ago, the way Zendesk's hour-based conditions count.
        else match = eb.and([eb(ref, '<=', at(c.hours)), eb(ref, '>', at(c.hours + 1))]);
      }
      // "Hours since pending" counts from the last status change, and only while the ticket is pending.
      return c.status ? eb.and([sql<SqlBool>`${col('status')} = ${sql.lit(c.status)}`, match]) : match;
    }
    case 'custom': {
      const key = String(c.fieldId);
      const text = sql`${col('custom_fields')} ->> ${key}`;
      switch (c.operator) {
        case 'present':
          return sql<SqlBool>`coalesce(${text}, '') not in ('', 'false')`;
        case 'not_present':
          return sql<SqlBool>`coalesce(${text}, '') in ('', 'false')`;
        case 'is':
          return sql<SqlBool>`${text} = ${c.value}`;
        case 'is_not':
          return sql<SqlBool>`${text} is distinct from ${c.value}`;
        case 'includes':
          return sql<SqlBool>`${col('custom_fields')} -> ${key} @> to_jsonb(${c.value}::text)`;
        default:
          return sql<SqlBool>`not coalesce(${col('custom_fields')} -> ${key} @> to_jsonb(${c.value}::text), false)`;
      }
    }
  }
}

/** Conditions parsed once per request (they were validated on write). */
export interface ParsedConditions {
  all: ParsedCondition[];
  any: ParsedCondition[];
}

export function parseConditions(conditions: StoredConditions, noun = 'view'): ParsedConditions {
  return {
    all: conditions.all.map((c, i) => parseCondition(c, `all[${i}]`, noun)),
    any: conditions.any.map((c, i) => parseCondition(c, `any[${i}]`, noun)),
  };
}

/** One predicate: every `all` condition, and at least one `any` condition when there are any. */
export function compileConditions(parsed: ParsedConditions, ctx: ConditionContext): TicketPredicate {
  return (eb) => {
    const parts = parsed.all.map((c) => compileOne(eb, c, ctx));
    if (parsed.any.length) parts.push(eb.or(parsed.any.map((c) => compileOne(eb, c, ctx))));
    return eb.and(parts);
  };
}

/** Whether the conditions use `current_groups`, so the caller's groups must be known. */
export function needsGroups(parsed: ParsedConditions): boolean {
  return [...parsed.all, ...parsed.any].some((c) => c.kind === 'id' && c.id === 'current_groups');
}

export { PRIORITY_ORDER, STATUS_ORDER };
