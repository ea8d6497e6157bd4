import { HavenError } from '../../platform/http/errors.ts';
import {
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  TICKET_TYPES,
  type TicketPriority,
  type TicketStatus,
  type TicketType,
} from '../tickets/tickets.tables.ts';
import type { UserRole } from '../users/users.tables.ts';

/**
 * Zendesk's search language, parsed into a checked AST. Grammar (terms separated by white space):
 *
 *   term   := ['-'] ( '"' phrase '"' | field op value | word )
 *   op     := ':' | '<' | '>' | '<=' | '>='
 *   value  := '"' text '"' | non-blank characters
 *   word   := non-blank characters, optionally ending in '*' (prefix)
 *
 * Terms are ANDed; positive `field:value` terms naming the same field are ORed (`tags:a tags:b`), while
 * comparisons and negations always narrow. Anything the language does not know is an error, never ignored.
 */

export const SEARCH_KINDS = ['ticket', 'user', 'organization'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];
export type Comparison = ':' | '<' | '>' | '<=' | '>=';

/** Words to find in a record's text: one word, a `word*` prefix or a quoted phrase. */
export interface TextMatch {
  text: string;
  phrase: boolean;
  prefix: boolean;
}

/** Which part of a record's text a match looks in (each is a weight of the record's vector). */
export type TextScope = 'all' | 'subject' | 'description' | 'comment' | 'name';

/** Bounds on a timestamp; a day (`2024-05-01`) is the whole UTC day. */
export interface DateRange {
  gte?: Date;
  gt?: Date;
  lt?: Date;
  lte?: Date;
}

/** A person or record named in a query: `me`, `none`, or an id, email or name to resolve. */
export type RecordRef = { kind: 'me' } | { kind: 'none' } | { kind: 'value'; value: string };

export type DateField = 'created' | 'updated' | 'solved' | 'due_date';
export type UserRefField = 'assignee' | 'requester' | 'submitter';
/**
 * `sla:breached` a running SLA target is past its breach time; `sla:active` a target is running; `sla:none`
 * none is (tickets/sla_breach_at, the earliest breach among running targets).
 */
export type SlaState = 'breached' | 'active' | 'none';
const SLA_STATES: readonly SlaState[] = ['breached', 'active', 'none'];

export type Condition =
  | { field: 'text'; scope: TextScope; match: TextMatch }
  | { field: 'status'; values: TicketStatus[] }
  | { field: 'priority'; values: (TicketPriority | null)[] }
  | { field: 'ticket_type'; values: (TicketType | null)[] }
  | { field: UserRefField; ref: RecordRef }
  | { field: 'group' | 'organization'; ref: RecordRef }
  | { field: 'tags'; tag: string; prefix: boolean }
  | { field: 'via'; channel: string }
  | { field: 'external_id'; value: string }
  | { field: DateField; range: DateRange }
  | { field: 'sla'; state: SlaState; now: Date }
  | { field: 'sla_breach'; range: DateRange }
  | { field: 'custom_field'; fieldId: number; value: string }
  | { field: 'role'; roles: UserRole[] }
  | { field: 'email'; value: string; wildcard: boolean }
  | { field: 'phone'; digits: string }
  | { field: 'domain'; domain: string };

export interface Term {
  negated: boolean;
  /** Positive `field:value` terms with the same group are ORed; null for terms that always narrow. */
  orGroup: string | null;
  condition: Condition;
}

export interface SearchAst {
  /** The record types searched: named by `type:`, or every type the query's fields apply to. */
  kinds: SearchKind[];
  terms: Term[];
  /** Whether the query has positive free text, which orders results by relevance by default. */
  hasText: boolean;
}

export interface ParseOptions {
  /** The instant relative dates (`4hours`) count back from. */
  now?: Date;
}

const MAX_TERMS = 50;

export function invalidSearch(description: string): HavenError {
  return new HavenError('CS_SEARCH_INVALID', { description });
}

// ---------------------------------------------------------------------------------------------------------
// Tokens

interface RawTerm {
  negated: boolean;
  field: string | null;
  op: Comparison;
  value: string;
  quoted: boolean;
  source: string;
}

const FIELD_AND_OP = /([A-Za-z_][A-Za-z0-9_]*)(<=|>=|:|<|>)/y;

/** Splits a query into terms; quoting and operators are checked here, field names and values later. */
export function tokenize(query: string): RawTerm[] {
  const terms: RawTerm[] = [];
  let i = 0;
  const n = query.length;
  const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c);

  const readQuoted = (): string => {
    // query[i] is the opening quote; `\"` and `\\` are escapes inside.
    const start = i;
    i += 1;
    let text = '';
    while (i < n && query[i] !== '"') {
      if (query[i] === '\\' && (query[i + 1] === '"' || query[i + 1] === '\\')) i += 1;
      text += query[i];
      i += 1;
    }
    if (i >= n) throw invalidSearch(`The quote opened at character ${start + 1} is never closed`);
    i += 1;
    if (i < n && !isSpace(query[i])) {
      throw invalidSearch(`Put a space after the closing quote at character ${i}`);
    }
    return text;
  };
  const readBare = (): string => {
    const start = i;
    while (i < n && !isSpace(query[i])) i += 1;
    return query.slice(start, i);
  };

  while (i < n) {
    if (isSpace(query[i])) {
      i += 1;
      continue;
    }
    const start = i;
    let negated = false;
    if (query[i] === '-') {
      negated = true;
      i += 1;
      if (i >= n || isSpace(query[i])) throw invalidSearch("A '-' must be followed by the term it excludes");
    }
    if (query[i] === '"') {
      const value = readQuoted();
      terms.push({ negated, field: null, op: ':', value, quoted: true, source: query.slice(start, i) });
      continue;
    }
    FIELD_AND_OP.lastIndex = i;
    const m = FIELD_AND_OP.exec(query);
    if (m) {
      i += m[0].length;
      const field = m[1]!.toLowerCase();
      const op = m[2] as Comparison;
      const quoted = query[i] === '"';
      const value = quoted ? readQuoted() : readBare();
      const source = query.slice(start, i);
      if (value.trim() === '') throw invalidSearch(`"${source}" needs a value after ${op}`);
      terms.push({ negated, field, op, value, quoted, source });
      continue;
    }
    const value = readBare();
    terms.push({ negated, field: null, op: ':', value, quoted: false, source: query.slice(start, i) });
  }
  return terms;
}

// ---------------------------------------------------------------------------------------------------------
// Fields

const ALL: SearchKind[] = ['ticket', 'user', 'organization'];
const TICKET: SearchKind[] = ['ticket'];

interface FieldSpec {
  kinds: SearchKind[];
  /** Accepts `<`, `>`, `<=`, `>=` as well as `:`. */
  ordered?: boolean;
  parse(value: string, raw: RawTerm, options: Required<ParseOptions>): Condition;
}

const hasWordCharacter = (s: string) => /[\p{L}\p{N}]/u.test(s);

function textMatch(raw: RawTerm, label: string): TextMatch {
  const value = raw.value.trim();
  if (raw.quoted) {
    if (!hasWordCharacter(value)) throw invalidSearch(`${label} has no letters or digits to search for`);
    return { text: value, phrase: true, prefix: false };
  }
  const star = value.indexOf('*');
  const prefix = star === value.length - 1 && star > 0;
  if (star !== -1 && !prefix) {
    throw invalidSearch(`"${raw.source}": a wildcard (*) can only end a word`);
  }
  const text = prefix ? value.slice(0, -1) : value;
  if (!hasWordCharacter(text)) throw invalidSearch(`"${raw.source}" has no letters or digits to search for`);
  return { text, phrase: false, prefix };
}

/** Expands a comparison over an ordered list: `status<solved` → new, open, pending, hold. */
function ordered<T extends string>(list: readonly T[], value: string, op: Comparison, label: string): T[] {
  const at = list.indexOf(value as T);
  if (at === -1) throw invalidSearch(`${label} must be one of ${list.join(', ')} (got "${value}")`);
  switch (op) {
    case ':':
      return [list[at]!];
    case '<':
      return list.slice(0, at);
    case '<=':
      return list.slice(0, at + 1);
    case '>':
      return list.slice(at + 1);
    case '>=':
      return list.slice(at);
  }
}

const STATUS_ORDER = TICKET_STATUSES; // new < open < pending < hold < solved < closed
const PRIORITY_ORDER: readonly TicketPriority[] = ['low', 'normal', 'high', 'urgent'];

function recordRef(value: string, allowMe: boolean): RecordRef {
  const lower = value.toLowerCase();
  if (lower === 'none') return { kind: 'none' };
  if (allowMe && lower === 'me') return { kind: 'me' };
  return { kind: 'value', value };
}

function ticketType(value: string, raw: RawTerm): Condition {
  const lower = value.toLowerCase();
  if (lower === 'none') return { field: 'ticket_type', values: [null] };
  if (!(TICKET_TYPES as readonly string[]).includes(lower)) {
    throw invalidSearch(`"${raw.source}": ticket types are ${TICKET_TYPES.join(', ')}`);
  }
  return { field: 'ticket_type', values: [lower as TicketType] };
}

const DAY_MS = 86_400_000;
const RELATIVE = /^(\d{1,6})(minutes?|mins?|hours?|days?|weeks?|months?|years?)$/i;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

function relativeInstant(amount: number, unit: string, now: Date): Date {
  const d = new Date(now.getTime());
  const u = unit.toLowerCase();
  if (u.startsWith('min')) d.setTime(d.getTime() - amount * 60_000);
  else if (u.startsWith('hour')) d.setTime(d.getTime() - amount * 3_600_000);
  else if (u.startsWith('day')) d.setTime(d.getTime() - amount * DAY_MS);
  else if (u.startsWith('week')) d.setTime(d.getTime() - amount * 7 * DAY_MS);
  else if (u.startsWith('month')) d.setUTCMonth(d.getUTCMonth() - amount);
  else d.setUTCFullYear(d.getUTCFullYear() - amount);
  return d;
}

/**
 * `created>2024-05-01` and friends. A day is the whole UTC day: `:` within it, `<` before it, `<=` up to its
 * end, `>` after it, `>=` from its start. A datetime compares as an instant (`:` means that second). A
 * relative value (`4hours`, `2days`, `3weeks`, `1months`, `1years`, `30minutes`) is that long before now:
 * `>` and `:` mean within that time, `<` longer ago.
 */
export function parseDateRange(value: string, op: Comparison, now: Date, label = value): DateRange {
  const rel = RELATIVE.exec(value);
  if (rel) {
    const at = relativeInstant(Number(rel[1]), rel[2]!, now);
    switch (op) {
      case ':':
      case '>=':
        return { gte: at };
      case '>':
        return { gt: at };
      case '<':
        return { lt: at };
      case '<=':
        return { lte: at };
    }
  }
  const day = DAY.exec(value);
  if (day) {
    const start = new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])));
    if (
      start.getUTCFullYear() !== Number(day[1]) ||
      start.getUTCMonth() !== Number(day[2]) - 1 ||
      start.getUTCDate() !== Number(day[3])
    ) {
      throw invalidSearch(`"${label}": ${value} is not a date`);
    }
    const end = new Date(start.getTime() + DAY_MS);
    switch (op) {
      case ':':
        return { gte: start, lt: end };
      case '<':
        return { lt: start };
      case '<=':
        return { lt: end };
      case '>':
        return { gte: end };
      case '>=':
        return { gte: start };
    }
  }
  if (DATETIME.test(value)) {
    const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : `${value}Z`;
    const at = new Date(zoned);
    if (!Number.isNaN(at.getTime())) {
      switch (op) {
        case ':':
          return { gte: at, lt: new Date(at.getTime() + 1000) };
        case '<':
          return { lt: at };
        case '<=':
          return { lte: at };
        case '>':
          return { gt: at };
        case '>=':
          return { gte: at };
      }
    }
  }
  throw invalidSearch(
    `"${label}": dates are YYYY-MM-DD, an ISO 8601 time (2024-05-01T10:00:00Z) or relative (4hours, 2days, 3weeks, 1months, 1years)`,
  );
}

const dateField =
  (field: DateField): FieldSpec['parse'] =>
  (value, raw, options) => ({ field, range: parseDateRange(value, raw.op, options.now, raw.source) });

const ROLE_NAMES: Record<string, UserRole> = {
  'end-user': 'end-user',
  end_user: 'end-user',
  enduser: 'end-user',
  agent: 'agent',
  admin: 'admin',
};

const FIELDS: Record<string, FieldSpec> = {
  status: {
    kinds: TICKET,
    ordered: true,
    parse: (value, raw) => ({
      field: 'status',
      values: ordered(STATUS_ORDER, value.toLowerCase(), raw.op, 'status'),
    }),
  },
  priority: {
    kinds: TICKET,
    ordered: true,
    parse: (value, raw) => {
      const lower = value.toLowerCase();
      if (lower === 'none') {
        if (raw.op !== ':') throw invalidSearch(`"${raw.source}": none cannot be compared`);
        return { field: 'priority', values: [null] };
      }
      if (!(TICKET_PRIORITIES as readonly string[]).includes(lower)) {
        throw invalidSearch(`priority must be one of ${PRIORITY_ORDER.join(', ')} or none (got "${value}")`);
      }
      return { field: 'priority', values: ordered(PRIORITY_ORDER, lower, raw.op, 'priority') };
    },
  },
  ticket_type: { kinds: TICKET, parse: (value, raw) => ticketType(value, raw) },
  assignee: { kinds: TICKET, parse: (value) => ({ field: 'assignee', ref: recordRef(value, true) }) },
  requester: { kinds: TICKET, parse: (value) => ({ field: 'requester', ref: recordRef(value, true) }) },
  submitter: { kinds: TICKET, parse: (value) => ({ field: 'submitter', ref: recordRef(value, true) }) },
  group: { kinds: TICKET, parse: (value) => ({ field: 'group', ref: recordRef(value, false) }) },
  organization: {
    kinds: ['ticket', 'user'],
    parse: (value) => ({ field: 'organization', ref: recordRef(value, false) }),
  },
  tags: {
    kinds: ALL,
    parse: (value, raw) => {
      const tag = value.toLowerCase();
      const star = tag.indexOf('*');
      const prefix = star === tag.length - 1 && star > 0;
      if (star !== -1 && !prefix) throw invalidSearch(`"${raw.source}": a wildcard (*) can only end a tag`);
      return { field: 'tags', tag: prefix ? tag.slice(0, -1) : tag, prefix };
    },
  },
  via: {
    kinds: TICKET,
    parse: (value, raw) => {
      if (!/^[a-z_]+$/i.test(value))
        throw invalidSearch(`"${raw.source}": via takes a channel name, such as email`);
      return { field: 'via', channel: value.toLowerCase() };
    },
  },
  subject: {
    kinds: TICKET,
    parse: (_v, raw) => ({ field: 'text', scope: 'subject', match: textMatch(raw, raw.source) }),
  },
  description: {
    kinds: TICKET,
    parse: (_v, raw) => ({ field: 'text', scope: 'description', match: textMatch(raw, raw.source) }),
  },
  comment: {
    kinds: TICKET,
    parse: (_v, raw) => ({ field: 'text', scope: 'comment', match: textMatch(raw, raw.source) }),
  },
  name: {
    kinds: ['user', 'organization'],
    parse: (_v, raw) => ({ field: 'text', scope: 'name', match: textMatch(raw, raw.source) }),
  },
  external_id: { kinds: ALL, parse: (value) => ({ field: 'external_id', value }) },
  created: { kinds: ALL, ordered: true, parse: dateField('created') },
  updated: { kinds: ALL, ordered: true, parse: dateField('updated') },
  solved: { kinds: TICKET, ordered: true, parse: dateField('solved') },
  due_date: { kinds: TICKET, ordered: true, parse: dateField('due_date') },
  sla: {
    kinds: TICKET,
    ordered: true,
    parse: (value, raw, options) => {
      const state = value.toLowerCase() as SlaState;
      if (SLA_STATES.includes(state)) {
        if (raw.op !== ':') throw invalidSearch(`"${raw.source}": ${state} cannot be compared`);
        return { field: 'sla', state, now: options.now };
      }
      // Otherwise a date or time compared with the next breach: `sla<2026-12-01`.
      return { field: 'sla_breach', range: parseDateRange(value, raw.op, options.now, raw.source) };
    },
  },
  role: {
    kinds: ['user'],
    parse: (value) => {
      const role = ROLE_NAMES[value.toLowerCase()];
      if (!role) throw invalidSearch(`role must be end-user, agent or admin (got "${value}")`);
      return { field: 'role', roles: [role] };
    },
  },
  email: {
    kinds: ['user'],
    parse: (value) => ({ field: 'email', value: value.toLowerCase(), wildcard: value.includes('*') }),
  },
  phone: {
    kinds: ['user'],
    parse: (value, raw) => {
      const digits = value.replace(/\D/g, '');
      if (!digits) throw invalidSearch(`"${raw.source}": a phone number needs digits`);
      return { field: 'phone', digits };
    },
  },
  domain: {
    kinds: ['organization'],
    parse: (value) => ({ field: 'domain', domain: value.toLowerCase() }),
  },
};

const ALIASES: Record<string, string> = { tag: 'tags', due: 'due_date' };

const CUSTOM_FIELD = /^custom_field_(\d{1,15})$/;

const FIELD_NAMES = [...Object.keys(FIELDS), 'type', 'tag', 'custom_field_<id>'].sort();

function kindList(kinds: readonly SearchKind[]): string {
  const plural = { ticket: 'tickets', user: 'users', organization: 'organizations' } as const;
  return kinds.map((k) => plural[k]).join(' and ');
}

// ---------------------------------------------------------------------------------------------------------
// Parser

/** Parses and checks a query. Throws CS_SEARCH_INVALID (400) with a message saying what is wrong. */
export function parseSearchQuery(query: string, options: ParseOptions = {}): SearchAst {
  const opts: Required<ParseOptions> = { now: options.now ?? new Date() };
  const raw = tokenize(query);
  if (raw.length === 0) throw invalidSearch('The query is empty');
  if (raw.length > MAX_TERMS) throw invalidSearch(`A query can have at most ${MAX_TERMS} terms`);

  const wantedKinds = new Set<SearchKind>();
  const excludedKinds = new Set<SearchKind>();
  const terms: { term: Term; kinds: SearchKind[]; label: string }[] = [];
  let hasText = false;

  for (const r of raw) {
    if (r.field === null) {
      const match = textMatch(r, `"${r.source}"`);
      terms.push({
        term: { negated: r.negated, orGroup: null, condition: { field: 'text', scope: 'all', match } },
        kinds: ALL,
        label: r.source,
      });
      if (!r.negated) hasText = true;
      continue;
    }
    if (r.field === 'type') {
      if (r.op !== ':') throw invalidSearch(`"${r.source}": type cannot be compared`);
      const value = r.value.toLowerCase();
      if ((SEARCH_KINDS as readonly string[]).includes(value)) {
        (r.negated ? excludedKinds : wantedKinds).add(value as SearchKind);
        continue;
      }
      if ((TICKET_TYPES as readonly string[]).includes(value)) {
        const condition = ticketType(value, r);
        terms.push({
          term: { negated: r.negated, orGroup: r.negated ? null : 'ticket_type', condition },
          kinds: TICKET,
          label: r.source,
        });
        continue;
      }
      throw invalidSearch(
        `"${r.source}": type takes ticket, user or organization, or a ticket type (${TICKET_TYPES.join(', ')})`,
      );
    }
    const custom = CUSTOM_FIELD.exec(r.field);
    const name = ALIASES[r.field] ?? r.field;
    const spec: FieldSpec | undefined = custom
      ? {
          kinds: TICKET,
          parse: (value) => ({ field: 'custom_field', fieldId: Number(custom[1]), value }),
        }
      : Object.hasOwn(FIELDS, name)
        ? FIELDS[name]
        : undefined;
    if (!spec) {
      throw invalidSearch(
        `"${r.field}" is not a field search knows (fields: ${FIELD_NAMES.join(', ')}); to search for the text itself, put it in quotes`,
      );
    }
    if (r.op !== ':' && !spec.ordered) {
      throw invalidSearch(`"${r.source}": ${r.field} cannot be compared with ${r.op}; use ${r.field}:`);
    }
    const condition = spec.parse(r.value.trim(), r, opts);
    if (condition.field === 'text' && !r.negated) hasText = true;
    const orGroup = !r.negated && r.op === ':' ? (custom ? r.field : name) : null;
    terms.push({ term: { negated: r.negated, orGroup, condition }, kinds: spec.kinds, label: r.field });
  }

  let kinds: SearchKind[] = (wantedKinds.size ? [...wantedKinds] : [...ALL]).filter(
    (k) => !excludedKinds.has(k),
  );
  if (kinds.length === 0) throw invalidSearch('The type: terms rule out every record type');
  for (const { kinds: applies, label } of terms) {
    const left = kinds.filter((k) => applies.includes(k));
    if (left.length === 0) {
      throw invalidSearch(`"${label}" applies to ${kindList(applies)}, not to ${kindList(kinds)}`);
    }
    kinds = left;
  }
  return { kinds: SEARCH_KINDS.filter((k) => kinds.includes(k)), terms: terms.map((t) => t.term), hasText };
}
