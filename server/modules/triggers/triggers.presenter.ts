import type { Selectable } from 'kysely';
import { isoTime } from '../../platform/http/format.ts';
import type { TriggersTable } from './triggers.tables.ts';

export type TriggerRow = Selectable<TriggersTable>;

/** A trigger in Zendesk API v2 shape. */
export function presentTrigger(t: TriggerRow, url: (path: string) => string) {
  return {
    url: url(`/api/v2/triggers/${t.id}.json`),
    id: t.id,
    title: t.title,
    raw_title: t.title,
    description: t.description,
    active: t.active,
    position: t.position,
    default: t.default,
    category_id: null,
    conditions: {
      all: t.conditions.all.map((c) => ({ field: c.field, operator: c.operator, value: c.value })),
      any: t.conditions.any.map((c) => ({ field: c.field, operator: c.operator, value: c.value })),
    },
    actions: t.actions.map((a) => ({ field: a.field, value: a.value })),
    created_at: isoTime(t.created_at),
    updated_at: isoTime(t.updated_at),
  };
}
