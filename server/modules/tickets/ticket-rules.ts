import type { Actor } from '../../platform/auth/authenticate.ts';
import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { appendEvent } from '../../platform/events/outbox.ts';
import { HavenError } from '../../platform/http/errors.ts';
import type { RuleEffect } from '../rules/rules.actions.ts';
import { RULE_EVENTS } from '../rules/rules.events.ts';
import { loadActiveTriggers } from '../triggers/triggers.queries.ts';
import {
  mergeTriggerInput,
  type RuleRef,
  runTriggers,
  type TriggerOutcome,
} from '../triggers/triggers.runner.ts';
import type { TicketRow } from './tickets.presenter.ts';
import type { TicketInput } from './tickets.schema.ts';
import type { AuditEvent } from './tickets.tables.ts';

/**
 * Where the ticket write meets the business rules. Triggers are evaluated in memory on the ticket as the write
 * would leave it; what they change is folded into the same write (one row update, one audit), so a trigger's
 * change is never a new update that could fire triggers again. A rule that fails is reported in the audit and
 * left out; it never blocks the write that fired it.
 */

export interface RuleVia {
  rel: 'trigger' | 'automation';
  id: number;
  title: string;
}

export const ruleVia = (r: RuleVia) => ({
  channel: 'rule',
  source: { from: { id: r.id, title: r.title, deleted: false }, rel: r.rel },
});

/** What went wrong, in the words the API would have used (a 422's details, not just "Record validation errors"). */
export function ruleErrorMessage(err: unknown): string {
  if (err instanceof HavenError && err.details) {
    return Object.values(err.details)
      .flat()
      .map((d) => d.description)
      .join('; ');
  }
  return err instanceof Error ? err.message : String(err);
}

export interface TriggerPhase {
  outcome: TriggerOutcome | null;
  /** The write's input with the triggers' changes folded in (the original when none changed a field). */
  input: TicketInput;
  errors: { rule: RuleRef | null; message: string }[];
}

export async function evaluateTriggers(
  db: TenantDb,
  args: {
    input: TicketInput;
    draft: TicketRow;
    before: TicketRow | null;
    comment: { public: boolean; body: string } | null;
    actor: Actor | null;
    via: string;
    now: Date;
  },
): Promise<TriggerPhase> {
  const triggers = await loadActiveTriggers(db);
  if (triggers.length === 0) return { outcome: null, input: args.input, errors: [] };
  try {
    const outcome = runTriggers(triggers, {
      created: args.before === null,
      before: args.before,
      ticket: args.draft,
      comment: args.comment,
      actor: args.actor ? { userId: args.actor.userId, role: args.actor.role } : null,
      via: args.via,
      now: args.now,
    });
    const changes = Object.keys(outcome.input).length > 0;
    return {
      outcome,
      input: changes ? mergeTriggerInput(args.input, outcome.input) : args.input,
      errors: [],
    };
  } catch (err) {
    return { outcome: null, input: args.input, errors: [{ rule: null, message: ruleErrorMessage(err) }] };
  }
}

const viaOfRule = (rule: RuleRef, rel: RuleVia['rel']) => ruleVia({ rel, id: rule.id, title: rule.title });

/**
 * Audit events for what rules did: field changes are marked with the trigger that made them, then one event per
 * notification, webhook call and rule error. Recipients that are roles on the ticket are resolved now; groups
 * and "all agents" when the mail is sent.
 */
export function ruleAuditEvents(
  events: AuditEvent[],
  ticket: TicketRow,
  actor: Actor | null,
  phase: TriggerPhase | null,
  automation: { rule: RuleVia; effects: RuleEffect[] } | null,
  nextId: () => number,
): AuditEvent[] {
  const added: AuditEvent[] = [];
  const outcome = phase?.outcome;
  if (outcome) {
    for (const e of events) {
      const by = e.field_name ? outcome.setBy.get(e.field_name) : undefined;
      if (by) e.via = viaOfRule(by, 'trigger');
    }
  }
  const effects: { via: ReturnType<typeof ruleVia>; effect: RuleEffect }[] = [
    ...(automation ? automation.effects.map((effect) => ({ via: ruleVia(automation.rule), effect })) : []),
    ...(outcome?.effects ?? []).map(({ rule, effect }) => ({ via: viaOfRule(rule, 'trigger'), effect })),
  ];
  for (const { via, effect } of effects) {
    if (effect.type === 'notification') {
      added.push({
        id: nextId(),
        type: 'Notification',
        via,
        subject: effect.subject,
        body: effect.body,
        recipient: effect.recipient,
        recipients: directRecipients(effect.recipient, ticket, actor),
      });
    } else if (effect.type === 'webhook') {
      added.push({
        id: nextId(),
        type: 'WebhookCall',
        via,
        webhook_id: effect.webhook_id,
        body: effect.body,
      });
    }
  }
  for (const error of phase?.errors ?? []) {
    added.push({
      id: nextId(),
      type: 'RuleError',
      ...(error.rule ? { via: viaOfRule(error.rule, 'trigger') } : {}),
      message: error.message,
    });
  }
  return added;
}

/** The users a notification names directly (roles on the ticket, the updater, or an id). */
function directRecipients(recipient: string, t: TicketRow, actor: Actor | null): number[] {
  const ids = (() => {
    switch (recipient) {
      case 'requester_id':
        return [t.requester_id];
      case 'requester_and_ccs':
        return [t.requester_id, ...t.email_cc_ids];
      case 'assignee_id':
        return [t.assignee_id];
      case 'current_user':
        return [actor?.userId ?? null];
      default:
        return /^\d+$/.test(recipient) ? [Number(recipient)] : [];
    }
  })();
  return [...new Set(ids.filter((id): id is number => typeof id === 'number'))];
}

/** Whether the write offers a satisfaction rating (an action of a fired trigger or of the automation). */
export function offersSatisfaction(phase: TriggerPhase | null, automationEffects: RuleEffect[]): boolean {
  return (
    automationEffects.some((e) => e.type === 'satisfaction_offer') ||
    (phase?.outcome?.effects ?? []).some(({ effect }) => effect.type === 'satisfaction_offer')
  );
}

/** After the audit is written: one outbox event for the notifications and webhook calls it holds. */
export async function announceRuleEffects(
  db: TenantDb,
  ticket: Pick<TicketRow, 'id'>,
  auditId: number,
  events: AuditEvent[],
): Promise<void> {
  const count = events.filter((e) => e.type === 'Notification' || e.type === 'WebhookCall').length;
  if (count === 0) return;
  await appendEvent(db, {
    type: RULE_EVENTS.effectsRequested,
    subjectType: 'ticket',
    subjectId: ticket.id,
    actorId: null,
    // Not pushed to agents (modules/index.ts realtimeRouting): it only starts the delivery jobs.
    payload: { audit_id: auditId, effects: count },
  });
}
