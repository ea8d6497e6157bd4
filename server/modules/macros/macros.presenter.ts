import type { Selectable } from 'kysely';
import { isoTime } from '../../platform/http/format.ts';
import { presentRestriction } from '../views/views.presenter.ts';
import type { MacrosTable } from './macros.tables.ts';

export type MacroRow = Selectable<MacrosTable>;

/** A macro in Zendesk API v2 shape. */
export function presentMacro(m: MacroRow, url: (path: string) => string) {
  return {
    url: url(`/api/v2/macros/${m.id}.json`),
    id: m.id,
    title: m.title,
    raw_title: m.title,
    description: m.description,
    active: m.active,
    position: m.position,
    default: m.default,
    restriction: presentRestriction(m),
    actions: m.actions.map((a) => ({ field: a.field, value: a.value })),
    created_at: isoTime(m.created_at),
    updated_at: isoTime(m.updated_at),
  };
}
