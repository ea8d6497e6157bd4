import { type AppliedMacro, actionError, applyActions, normalizeAction } from '../macros/macros.actions.ts';
import type { StoredAction } from '../macros/macros.tables.ts';
import { placeholderError } from '../macros/placeholders.ts';
import type { TicketRow } from '../tickets/tickets.presenter.ts';
import type { TicketInput } from '../tickets/tickets.schema.ts';

/**
 * Actions of triggers and automations, in Zendesk's vocabulary (`{ field, value }`). The ticket-field actions
 * are the macros' (status, priority, type, group, assignee, tags, custom fields, comment); rules add
 * notifications by email, webhook calls, offering a satisfaction rating and adding CCs. Validated when a rule
 * is saved; applied in memory when it fires (triggers.runner.ts) or when an automation acts.
 */
export type StoredRuleAction = StoredAction;
export type RuleKind = 'trigger' | 'automation';

/** Who a `notification_user` action mails: a ticket role, the updater, or one user by id. */
export const NOTIFY_RECIPIENTS = [
  'requester_id',
  'requester_and_ccs',
  'assignee_id',
  'current_user',
  'all_agents',
] as const;

/** Something a fired rule asks for beyond changing the ticket; recorded in its audit and delivered after commit. */
export type RuleEffect =
  | {
      type: 'notification';
      /** A NOTIFY_RECIPIENTS value, a user id, or `group:{id}` / `group:ticket` for a group. */
      recipient: string;
      subject: string;
      body: string;
    }
  | { type: 'webhook'; webhook_id: string; body: string }
  | { type: 'satisfaction_offer' };

const RULE_STATUSES: Record<RuleKind, readonly string[]> = {
  // A trigger reacts to a write and may not close (Zendesk closes by automation only).
  trigger: ['open', 'pending', 'hold', 'solved'],
  automation: ['open', 'pending', 'hold', 'solved', 'closed'],
};

function template(value: unknown, where: string, what: string, max: number): string {
  if (typeof value !== 'string') throw actionError(where, `${what} must be text`, 'InvalidValue');
  if (value.length > max) throw actionError(where, `${what} is longer than ${max} characters`, 'TooLong');
  const problem = placeholderError(value);
  if (problem)
    throw actionError(where, `${what} has a placeholder that does not parse: ${problem}`, 'InvalidValue');
  return value;
}

function positiveId(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

function normalizeRuleAction(raw: unknown, where: string, kind: RuleKind): StoredRuleAction {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw actionError(where, 'each action is an object { field, value }', 'InvalidValue');
  }
  const { field, value } = raw as { field?: unknown; value?: unknown };
  switch (field) {
    case 'status': {
      const v = typeof value === 'string' ? value.trim().toLowerCase() : value;
      if (typeof v !== 'string' || !RULE_STATUSES[kind].includes(v)) {
        throw actionError(
          where,
          `${JSON.stringify(value)} is not a status a ${kind} can set (${RULE_STATUSES[kind].join(', ')})`,
          'InvalidValue',
        );
      }
      return { field, value: v };
    }
    case 'notification_user': {
      if (!Array.isArray(value) || value.length !== 3) {
        throw actionError(where, 'notification_user takes [recipient, subject, body]', 'InvalidValue');
      }
      const [recipient, subject, body] = value;
      const r = String(recipient ?? '');
      if (!(NOTIFY_RECIPIENTS as readonly string[]).includes(r) && positiveId(r) === null) {
        throw actionError(
          where,
          `"${r}" is not a recipient (${NOTIFY_RECIPIENTS.join(', ')} or a user id)`,
          'InvalidValue',
        );
      }
      const s = template(subject, where, 'the subject', 998).trim();
      if (!s) throw actionError(where, 'the subject cannot be blank', 'BlankValue');
      return { field, value: [r, s, template(body, where, 'the body', 65_536)] };
    }
    case 'notification_group': {
      if (!Array.isArray(value) || value.length !== 3) {
        throw actionError(where, 'notification_group takes [group_id, subject, body]', 'InvalidValue');
      }
      const [group, subject, body] = value;
      const g = group === 'group_id' ? 'group_id' : positiveId(group);
      if (g === null) throw actionError(where, `${JSON.stringify(group)} is not a group id`, 'InvalidValue');
      const s = template(subject, where, 'the subject', 998).trim();
      if (!s) throw actionError(where, 'the subject cannot be blank', 'BlankValue');
      return { field, value: [String(g), s, template(body, where, 'the body', 65_536)] };
    }
    case 'notification_webhook': {
      if (!Array.isArray(value) || value.length < 1 || value.length > 2 || typeof value[0] !== 'string') {
        throw actionError(where, 'notification_webhook takes [webhook_id, body]', 'InvalidValue');
      }
      const id = value[0].trim();
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
        throw actionError(where, `${JSON.stringify(value[0])} is not a webhook id`, 'InvalidValue');
      }
      return { field, value: [id, template(value[1] ?? '', where, 'the webhook body', 65_536)] };
    }
    case 'satisfaction_score': {
      if (value !== 'offered_to_requester') {
        throw actionError(where, 'satisfaction_score takes "offered_to_requester"', 'InvalidValue');
      }
      return { field, value };
    }
    case 'cc': {
      const id = value === 'current_user' ? value : positiveId(value);
      if (id === null)
        throw actionError(where, `${JSON.stringify(value)} is not a user id to CC`, 'InvalidValue');
      return { field, value: String(id) };
    }
    default: {
      const action = normalizeAction(raw, where);
      if (action.field === 'subject')
        throw actionError(where, `"subject" is not an action ${kind}s support`, 'UnknownField');
      return action;
    }
  }
}

export function normalizeRuleActions(raw: unknown, kind: RuleKind): StoredRuleAction[] {
  if (!Array.isArray(raw)) throw actionError('actions', 'must be a list of actions', 'InvalidValue');
  if (raw.length === 0) throw actionError('actions', `a ${kind} needs at least one action`, 'BlankValue');
  if (raw.length > 100) throw actionError('actions', `a ${kind} takes at most 100 actions`, 'TooLong');
  return raw.map((a, i) => normalizeRuleAction(a, `actions[${i}]`, kind));
}

/** What the actions name that must exist when saved: groups, users and custom ticket fields. */
export function ruleReferences(actions: StoredRuleAction[]) {
  const groupIds = new Set<number>();
  const userIds = new Set<number>();
  const fieldIds = new Set<number>();
  for (const { field, value } of actions) {
    if (field === 'group_id' && value !== '') groupIds.add(Number(value));
    if ((field === 'assignee_id' || field === 'cc') && value !== '' && value !== 'current_user')
      userIds.add(Number(value));
    if (field === 'notification_group' && Array.isArray(value) && value[0] !== 'group_id')
      groupIds.add(Number(value[0]));
    if (field === 'notification_user' && Array.isArray(value) && positiveId(value[0]) !== null)
      userIds.add(Number(value[0]));
    const custom = /^custom_fields_(\d{1,15})$/.exec(field);
    if (custom) fieldIds.add(Number(custom[1]));
  }
  return { groupIds: [...groupIds], userIds: [...userIds], fieldIds: [...fieldIds] };
}

export interface RuleWrite {
  /** The ticket as it would be after the actions (in memory). */
  ticket: TicketRow;
  /** The ticket write the actions make, in the API's names. */
  input: TicketInput;
  /** The comment the actions add, if any (placeholders rendered when it is written). */
  comment: AppliedMacro['comment'];
  effects: RuleEffect[];
}

/**
 * Applies a rule's actions to a copy of `ticket`. `actorUserId` is who made the update that fired it (a
 * trigger's `current_user`), or null for automations, which act as the system.
 */
export function ruleActionsToWrite(
  actions: StoredRuleAction[],
  ticket: TicketRow,
  actorUserId: number | null,
): RuleWrite {
  const fieldActions: StoredRuleAction[] = [];
  const effects: RuleEffect[] = [];
  const ccs: number[] = [];
  for (const a of actions) {
    const v = a.value as string[];
    if (a.field === 'notification_user')
      effects.push({ type: 'notification', recipient: v[0]!, subject: v[1]!, body: v[2]! });
    else if (a.field === 'notification_group')
      effects.push({
        type: 'notification',
        recipient: v[0] === 'group_id' ? 'group:ticket' : `group:${v[0]}`,
        subject: v[1]!,
        body: v[2]!,
      });
    else if (a.field === 'notification_webhook')
      effects.push({ type: 'webhook', webhook_id: v[0]!, body: v[1] ?? '' });
    else if (a.field === 'satisfaction_score') effects.push({ type: 'satisfaction_offer' });
    else if (a.field === 'cc') {
      const id = a.value === 'current_user' ? actorUserId : Number(a.value);
      if (id !== null) ccs.push(id);
    } else if (a.field === 'assignee_id' && a.value === 'current_user' && actorUserId === null) {
      // An automation has no current user: the action has nobody to assign.
    } else fieldActions.push(a);
  }
  const applied = applyActions(ticket, fieldActions, actorUserId ?? 0);
  const input = applied.changes as TicketInput;
  const fresh = ccs.filter((id) => !ticket.email_cc_ids.includes(id));
  if (fresh.length) {
    input.email_ccs = fresh.map((user_id) => ({ user_id, action: 'put' as const }));
    applied.ticket.email_cc_ids = [...ticket.email_cc_ids, ...fresh];
    applied.ticket.collaborator_ids = [...new Set([...ticket.collaborator_ids, ...fresh])];
  }
  return { ticket: applied.ticket, input, comment: applied.comment, effects };
}
