import type { MacroComment } from '../macros/macros.actions.ts';
import { type RuleEffect, ruleActionsToWrite, type StoredRuleAction } from '../rules/rules.actions.ts';
import type { TicketRow } from '../tickets/tickets.presenter.ts';
import type { TicketInput } from '../tickets/tickets.schema.ts';
import { conditionsHold, type StoredConditions, type TriggerFacts } from './triggers.conditions.ts';

export interface ActiveTrigger {
  id: number;
  title: string;
  conditions: StoredConditions;
  actions: StoredRuleAction[];
}

export interface RuleRef {
  id: number;
  title: string;
}

export interface TriggerOutcome {
  /** The ticket write the fired triggers add, in the API's names (empty when none changes a field). */
  input: TicketInput;
  /** Which trigger last set each audited field, so the audit can say "by trigger X". */
  setBy: Map<string, RuleRef>;
  fired: RuleRef[];
  effects: { rule: RuleRef; effect: RuleEffect }[];
  comments: { rule: RuleRef; comment: NonNullable<MacroComment> }[];
}

/** The fields a trigger may change, as audit field names. */
const FIELDS = [
  'status',
  'priority',
  'type',
  'group_id',
  'assignee_id',
  'tags',
  'custom_fields',
  'email_cc_ids',
] as const;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Runs the account's active triggers over one ticket write, in memory, the way Zendesk does: in position order;
 * when one fires, its actions apply and the cycle starts again from the first trigger with the changed ticket;
 * each trigger fires at most once per write, so a cycle always ends (no trigger re-fires on its own change).
 * `facts.ticket` is the ticket as the write leaves it before any trigger.
 */
export function runTriggers(triggers: ActiveTrigger[], facts: TriggerFacts): TriggerOutcome {
  const start = facts.ticket;
  let ticket = start;
  const fired = new Set<number>();
  const outcome: TriggerOutcome = { input: {}, setBy: new Map(), fired: [], effects: [], comments: [] };
  let again = true;
  while (again) {
    again = false;
    for (const trigger of triggers) {
      if (fired.has(trigger.id)) continue;
      if (!conditionsHold(trigger.conditions, { ...facts, ticket })) continue;
      fired.add(trigger.id);
      const rule = { id: trigger.id, title: trigger.title };
      outcome.fired.push(rule);
      const write = ruleActionsToWrite(trigger.actions, ticket, facts.actor?.userId ?? null);
      for (const field of FIELDS) {
        if (!same(ticket[field], write.ticket[field])) outcome.setBy.set(field, rule);
      }
      ticket = write.ticket;
      for (const effect of write.effects) outcome.effects.push({ rule, effect });
      if (write.comment) outcome.comments.push({ rule, comment: write.comment });
      again = true;
      break;
    }
  }
  outcome.input = difference(start, ticket);
  return outcome;
}

/** What changed between two states of a ticket, as a ticket write. */
function difference(before: TicketRow, after: TicketRow): TicketInput {
  const input: TicketInput = {};
  if (before.status !== after.status) input.status = after.status as TicketInput['status'];
  if (before.priority !== after.priority) input.priority = after.priority as TicketInput['priority'];
  if (before.type !== after.type) input.type = after.type as TicketInput['type'];
  if (before.group_id !== after.group_id) input.group_id = after.group_id;
  if (before.assignee_id !== after.assignee_id) input.assignee_id = after.assignee_id;
  if (!same(before.tags, after.tags)) input.tags = after.tags;
  const fields = Object.entries(after.custom_fields ?? {})
    .filter(([id, value]) => !same(before.custom_fields?.[id], value))
    .map(([id, value]) => ({ id: Number(id), value }));
  if (fields.length) input.custom_fields = fields;
  const ccs = after.email_cc_ids.filter((id) => !before.email_cc_ids.includes(id));
  if (ccs.length) input.email_ccs = ccs.map((user_id) => ({ user_id, action: 'put' as const }));
  return input;
}

/**
 * The write's own input with the triggers' on top: a trigger's tags replace the write's tag edits (they were
 * computed from the ticket after them), and its field values come after the write's.
 */
export function mergeTriggerInput(original: TicketInput, triggers: TicketInput): TicketInput {
  const merged: TicketInput = { ...original, ...triggers };
  if (triggers.tags) {
    delete merged.additional_tags;
    delete merged.remove_tags;
  }
  if (triggers.custom_fields) {
    merged.custom_fields = [...(original.custom_fields ?? original.fields ?? []), ...triggers.custom_fields];
    delete merged.fields;
  }
  if (triggers.email_ccs) merged.email_ccs = [...(original.email_ccs ?? []), ...triggers.email_ccs];
  if (triggers.assignee_id !== undefined) delete merged.assignee_email;
  return merged;
}
