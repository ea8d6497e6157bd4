import type { Selectable } from 'kysely';
import { isoTime } from '../../platform/http/format.ts';
import type { AutomationsTable } from './automations.tables.ts';

export type AutomationRow = Selectable<AutomationsTable>;

/** An automation in Zendesk API v2 shape. */
export function presentAutomation(a: AutomationRow, url: (path: string) => string) {
  return {
    url: url(`/api/v2/automations/${a.id}.json`),
    id: a.id,
    title: a.title,
    raw_title: a.title,
    active: a.active,
    position: a.position,
    default: a.default,
    conditions: {
      all: a.conditions.all.map((c) => ({ field: c.field, operator: c.operator, value: c.value })),
      any: a.conditions.any.map((c) => ({ field: c.field, operator: c.operator, value: c.value })),
    },
    actions: a.actions.map((x) => ({ field: x.field, value: x.value })),
    created_at: isoTime(a.created_at),
    updated_at: isoTime(a.updated_at),
  };
}

/** What one pass did (`POST /api/v2/automations/run`). */
export interface AutomationPassStats {
  automations: number;
  examined: number;
  acted: number;
  errors: number;
  ms: number;
}
