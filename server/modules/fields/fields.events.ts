import type { FieldKind } from './fields.tables.ts';

/** Events the fields module appends: `ticket_field.created`, `user_field.updated`, … Payloads name attributes only. */
export type FieldEventAction = 'created' | 'updated' | 'deleted';

export function fieldEvent(kind: FieldKind, action: FieldEventAction): string {
  return `${kind}_field.${action}`;
}
