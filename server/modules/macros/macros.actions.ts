import { HavenError } from '../../platform/http/errors.ts';
import { sanitizeCommentHtml } from '../tickets/comment-text.ts';
import type { TicketRow } from '../tickets/tickets.presenter.ts';
import { TICKET_PRIORITIES, TICKET_TYPES } from '../tickets/tickets.tables.ts';
import type { StoredAction } from './macros.tables.ts';
import { placeholderError } from './placeholders.ts';

/**
 * Macro actions in Zendesk's vocabulary (`{ field, value }`): validated when a macro is saved, then applied
 * to a ticket in memory when it is previewed. Anything unknown is refused with a 422 naming it.
 */

/** Statuses a macro may set: a ticket that exists is never `new` again, and only the system closes one. */
const SETTABLE_STATUSES = ['open', 'pending', 'hold', 'solved'] as const;
const CUSTOM_FIELD = /^custom_fields_(\d{1,15})$/;
const FIELDS = [
  'status',
  'priority',
  'type',
  'group_id',
  'assignee_id',
  'set_tags',
  'current_tags',
  'remove_tags',
  'comment_value',
  'comment_value_html',
  'comment_mode_is_public',
  'subject',
] as const;

export function actionError(where: string, description: string, error: string): HavenError {
  return new HavenError('CS_INVALID', {
    details: { actions: [{ description: `${where}: ${description}`, error }] },
  });
}

const isNone = (v: unknown) => v === null || v === '';

function enumValue(
  value: unknown,
  allowed: readonly string[],
  where: string,
  field: string,
  clearable: boolean,
) {
  if (clearable && isNone(value)) return '';
  const v = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if (typeof v !== 'string' || !allowed.includes(v)) {
    throw actionError(
      where,
      `${JSON.stringify(value)} is not a ${field} a macro can set (${allowed.join(', ')})`,
      'InvalidValue',
    );
  }
  return v;
}

function idValue(value: unknown, where: string, field: string): string {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw actionError(where, `${JSON.stringify(value)} is not an id for ${field}`, 'InvalidValue');
  }
  return String(n);
}

function tagsValue(value: unknown, where: string, field: string): string {
  const words = (Array.isArray(value) ? value.join(' ') : typeof value === 'string' ? value : '')
    .toLowerCase()
    .split(/[\s,]+/)
    .filter(Boolean);
  if (words.length > 200 || words.some((w) => w.length > 80)) {
    throw actionError(where, `${field} takes up to 200 single-word tags`, 'InvalidValue');
  }
  if (words.length === 0 && field !== 'set_tags')
    throw actionError(where, `${field} needs tags`, 'InvalidValue');
  return [...new Set(words)].join(' ');
}

function textValue(value: unknown, where: string, field: string, max: number): string {
  if (typeof value !== 'string') throw actionError(where, `${field} must be text`, 'InvalidValue');
  if (value.length > max) throw actionError(where, `${field} is longer than ${max} characters`, 'TooLong');
  const problem = placeholderError(value);
  if (problem)
    throw actionError(where, `${field} has a placeholder that does not parse: ${problem}`, 'InvalidValue');
  return value;
}

/**
 * Validates one action and returns its stored form (enumerations lower-cased, ids and tags normalised).
 * Triggers and automations share it for the ticket-field actions (server/modules/rules/rules.actions.ts).
 */
export function normalizeAction(raw: unknown, where: string): StoredAction {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw actionError(where, 'each action is an object { field, value }', 'InvalidValue');
  }
  const { field, value } = raw as { field?: unknown; value?: unknown };
  if (typeof field !== 'string' || field === '')
    throw actionError(where, 'an action needs a field', 'BlankValue');
  const custom = CUSTOM_FIELD.exec(field);
  if (custom) {
    const ok =
      value === null ||
      ['string', 'number', 'boolean'].includes(typeof value) ||
      (Array.isArray(value) && value.every((v) => typeof v === 'string'));
    if (!ok)
      throw actionError(where, `${field} takes text, a number, true/false or a list of tags`, 'InvalidValue');
    return { field, value };
  }
  if (!(FIELDS as readonly string[]).includes(field)) {
    throw actionError(where, `"${field}" is not an action macros support`, 'UnknownField');
  }
  switch (field as (typeof FIELDS)[number]) {
    case 'status':
      return { field, value: enumValue(value, SETTABLE_STATUSES, where, 'status', false) };
    case 'priority':
      return { field, value: enumValue(value, TICKET_PRIORITIES, where, 'priority', true) };
    case 'type':
      return { field, value: enumValue(value, TICKET_TYPES, where, 'type', true) };
    case 'group_id':
      return { field, value: isNone(value) ? '' : idValue(value, where, field) };
    case 'assignee_id':
      if (value === 'current_user') return { field, value };
      return { field, value: isNone(value) ? '' : idValue(value, where, field) };
    case 'set_tags':
    case 'current_tags':
    case 'remove_tags':
      return { field, value: tagsValue(value, where, field) };
    case 'comment_value': {
      // Plain text, or Zendesk's [channel, text] pair.
      if (Array.isArray(value)) {
        const [channel, text] = value;
        if (value.length !== 2 || typeof channel !== 'string') {
          throw actionError(where, 'comment_value is text or a [channel, text] pair', 'InvalidValue');
        }
        return { field, value: [channel, textValue(text, where, field, 65_536)] };
      }
      return { field, value: textValue(value, where, field, 65_536) };
    }
    case 'comment_value_html':
      return { field, value: sanitizeCommentHtml(textValue(value, where, field, 262_144)) };
    case 'comment_mode_is_public': {
      if (value === true || value === 'true') return { field, value: true };
      if (value === false || value === 'false') return { field, value: false };
      throw actionError(where, 'comment_mode_is_public is true or false', 'InvalidValue');
    }
    case 'subject': {
      const text = textValue(value, where, field, 255).trim();
      if (!text) throw actionError(where, 'subject cannot be blank', 'BlankValue');
      return { field, value: text };
    }
  }
}

export function normalizeActions(raw: unknown): StoredAction[] {
  if (!Array.isArray(raw)) throw actionError('actions', 'must be a list of actions', 'InvalidValue');
  if (raw.length === 0) throw actionError('actions', 'a macro needs at least one action', 'BlankValue');
  if (raw.length > 100) throw actionError('actions', 'a macro takes at most 100 actions', 'TooLong');
  return raw.map((a, i) => normalizeAction(a, `actions[${i}]`));
}

/** What the actions name that must exist: groups, assignees and custom ticket fields. */
export function referencesOf(actions: StoredAction[]) {
  const groupIds = new Set<number>();
  const userIds = new Set<number>();
  const fieldIds = new Set<number>();
  for (const a of actions) {
    if (a.field === 'group_id' && a.value !== '') groupIds.add(Number(a.value));
    if (a.field === 'assignee_id' && a.value !== '' && a.value !== 'current_user')
      userIds.add(Number(a.value));
    const custom = CUSTOM_FIELD.exec(a.field);
    if (custom) fieldIds.add(Number(custom[1]));
  }
  return { groupIds: [...groupIds], userIds: [...userIds], fieldIds: [...fieldIds] };
}

/** The comment a macro adds, before placeholders are rendered. */
export interface MacroComment {
  text: string | null;
  html: string | null;
  channel: string | null;
  public: boolean;
}

export interface AppliedMacro {
  /** The ticket as it would be after the macro (nothing is written). */
  ticket: TicketRow;
  /** Ticket attributes the macro sets, in the API's names (the `ticket` of "show changes"). */
  changes: Record<string, unknown>;
  comment: MacroComment | null;
}

const tagList = (value: unknown) => String(value).split(' ').filter(Boolean);

/**
 * Applies actions to a copy of `ticket`, in order. `current_user` is the acting agent. Without a ticket, a
 * blank one stands in and only `changes` mean anything.
 */
export function applyActions(ticket: TicketRow, actions: StoredAction[], actorUserId: number): AppliedMacro {
  const t: TicketRow = { ...ticket, tags: [...ticket.tags], custom_fields: { ...ticket.custom_fields } };
  const changes: Record<string, unknown> = {};
  let comment: MacroComment | null = null;
  const commentOf = () => {
    comment ??= { text: null, html: null, channel: null, public: true };
    return comment;
  };
  for (const { field, value } of actions) {
    const custom = CUSTOM_FIELD.exec(field);
    if (custom) {
      t.custom_fields[custom[1]!] = value;
      const list = (changes.custom_fields as { id: number; value: unknown }[] | undefined) ?? [];
      changes.custom_fields = [
        ...list.filter((f) => f.id !== Number(custom[1])),
        { id: Number(custom[1]), value },
      ];
      changes.fields = changes.custom_fields;
      continue;
    }
    switch (field) {
      case 'status':
        t.status = value as TicketRow['status'];
        changes.status = value;
        break;
      case 'priority':
        t.priority = (value || null) as TicketRow['priority'];
        changes.priority = t.priority;
        break;
      case 'type':
        t.type = (value || null) as TicketRow['type'];
        changes.type = t.type;
        break;
      case 'group_id':
        t.group_id = value ? Number(value) : null;
        changes.group_id = t.group_id;
        break;
      case 'assignee_id':
        t.assignee_id = value === 'current_user' ? actorUserId : value ? Number(value) : null;
        changes.assignee_id = t.assignee_id;
        break;
      case 'subject':
        t.subject = String(value);
        changes.subject = t.subject;
        break;
      case 'set_tags':
        t.tags = tagList(value);
        changes.tags = t.tags;
        break;
      case 'current_tags': {
        const add = tagList(value);
        t.tags = [...new Set([...t.tags, ...add])];
        changes.additional_tags = [...new Set([...((changes.additional_tags as string[]) ?? []), ...add])];
        break;
      }
      case 'remove_tags': {
        const remove = tagList(value);
        t.tags = t.tags.filter((tag) => !remove.includes(tag));
        changes.remove_tags = [...new Set([...((changes.remove_tags as string[]) ?? []), ...remove])];
        break;
      }
      case 'comment_value':
        if (Array.isArray(value)) {
          commentOf().channel = String(value[0]);
          commentOf().text = String(value[1]);
        } else {
          commentOf().text = String(value);
        }
        break;
      case 'comment_value_html':
        commentOf().html = String(value);
        break;
      case 'comment_mode_is_public':
        commentOf().public = value === true;
        break;
    }
  }
  return { ticket: t, changes, comment };
}
