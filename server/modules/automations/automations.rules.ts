import { HavenError } from '../../platform/http/errors.ts';
import type { StoredRuleAction } from '../rules/rules.actions.ts';
import {
  isTimeField,
  type ParsedCondition,
  type ParsedConditions,
  parseConditions,
} from '../views/views.conditions.ts';
import type { StoredConditions } from '../views/views.tables.ts';

/**
 * What makes a set of conditions and actions an automation, as Zendesk checks it: at least one time-based
 * condition (hours since / until …), only in `all`; no "current user" (an automation runs as nobody); and the
 * automation must nullify itself, so that it cannot act on the same ticket every hour: one of its actions must
 * make one of its `all` conditions false (status is solved → set status closed; tags contain none of X → add
 * tag X; satisfaction is unoffered → offer it), or a time condition uses `is`, which holds for one hour only.
 */

function conditionError(description: string, error = 'InvalidValue'): HavenError {
  return new HavenError('CS_INVALID', { details: { conditions: [{ description, error }] } });
}

const words = (value: unknown) =>
  String(value ?? '')
    .toLowerCase()
    .split(/[\s,]+/)
    .filter(Boolean);

/** Whether setting `value` (an action's stored value; '' clears) falsifies a condition on the same column. */
function valueFalsifies(c: ParsedCondition, value: string): boolean {
  switch (c.kind) {
    case 'set':
      return value === '' ? !c.orNull : !c.values.includes(value);
    case 'null':
      return c.isNull ? value !== '' : value === '';
    case 'id':
      if (typeof c.id !== 'number') return false;
      if (value === '') return !c.negate;
      return c.negate ? Number(value) === c.id : Number(value) !== c.id;
    default:
      return false;
  }
}

const ACTION_COLUMNS: Record<string, string> = {
  status: 'status',
  priority: 'priority',
  type: 'type',
  group_id: 'group_id',
  assignee_id: 'assignee_id',
};

/** Whether one action, applied to any ticket the conditions hold for, makes condition `c` false. */
function falsifies(action: StoredRuleAction, c: ParsedCondition): boolean {
  const { field, value } = action;
  const column = ACTION_COLUMNS[field];
  if (column) {
    if (field === 'assignee_id' && value === 'current_user') return false;
    const v = String(value ?? '');
    // "Hours since pending" holds only while pending: a new status ends it.
    if (c.kind === 'time') return field === 'status' && c.status !== null && v !== c.status;
    const conditionColumn = c.kind === 'set' || c.kind === 'null' || c.kind === 'id' ? c.column : null;
    return conditionColumn === column && valueFalsifies(c, v);
  }
  if (field === 'satisfaction_score') {
    return c.kind === 'set' && c.column === 'satisfaction_score' && !c.values.includes('offered');
  }
  if (c.kind === 'tags') {
    const tags = words(value);
    const overlaps = c.tags.some((t) => tags.includes(t));
    if (field === 'current_tags') return c.negate && overlaps;
    if (field === 'set_tags') return c.negate ? overlaps : !overlaps;
    if (field === 'remove_tags') return !c.negate && c.tags.every((t) => tags.includes(t));
    return false;
  }
  const custom = /^custom_fields_(\d{1,15})$/.exec(field);
  if (custom && c.kind === 'custom' && c.fieldId === Number(custom[1])) {
    const text = Array.isArray(value) ? value.join(' ') : value === null ? '' : String(value);
    const empty = text === '' || text === 'false';
    switch (c.operator) {
      case 'is':
        return text !== c.value;
      case 'is_not':
        return text === c.value;
      case 'present':
        return empty;
      case 'not_present':
        return !empty;
      case 'includes':
        return !words(text).includes(String(c.value).toLowerCase());
      default:
        return words(text).includes(String(c.value).toLowerCase());
    }
  }
  return false;
}

/** Whether the automation stops holding for a ticket once it has acted on it (see above). */
export function nullifies(parsed: ParsedConditions, actions: StoredRuleAction[]): boolean {
  if (parsed.all.some((c) => c.kind === 'time' && c.operator === 'is')) return true;
  return parsed.all.some((c) => actions.some((a) => falsifies(a, c)));
}

/** Comments need an author and a conversation to join; Zendesk's automations notify instead. */
const COMMENT_ACTIONS = new Set(['comment_value', 'comment_value_html', 'comment_mode_is_public']);

/** Checks the rules above on validated conditions and actions; throws a 422 naming what is missing. */
export function assertAutomationRules(conditions: StoredConditions, actions: StoredRuleAction[]): void {
  actions.forEach((a, i) => {
    if (COMMENT_ACTIONS.has(a.field)) {
      throw new HavenError('CS_INVALID', {
        details: {
          actions: [
            {
              description: `actions[${i}]: automations do not add comments ("${a.field}"); notify by email instead`,
              error: 'UnknownField',
            },
          ],
        },
      });
    }
  });
  conditions.any.forEach((c, i) => {
    if (isTimeField(c.field)) {
      throw conditionError(
        `any[${i}]: time-based conditions (${c.field}) belong in all, not in any`,
        'InvalidValue',
      );
    }
  });
  [...conditions.all, ...conditions.any].forEach((c) => {
    if (c.value === 'current_user' || c.value === 'current_groups') {
      throw conditionError(
        `${c.field}: an automation runs as nobody, so "${c.value}" has no value here`,
        'InvalidValue',
      );
    }
  });
  if (!conditions.all.some((c) => isTimeField(c.field))) {
    throw conditionError(
      'an automation needs at least one time-based condition in all (hours since created, pending, solved …)',
      'BlankValue',
    );
  }
  if (!nullifies(parseConditions(conditions, 'automation'), actions)) {
    throw conditionError(
      'an automation must nullify itself: add a condition that one of its actions makes false (status is ' +
        'solved with the action status closed, or tags contain none of X with the action add tag X), or use ' +
        'a time condition with the operator "is"',
      'NotNullified',
    );
  }
}
