import type { Actor } from '../../platform/auth/authenticate.ts';
import { forbidden } from '../../platform/http/errors.ts';
import type { FieldRow } from './fields.presenter.ts';

/**
 * Who may do what to field definitions. Agents read every field (they fill them in); end-users read only the
 * active ticket fields shown in the help center, and any other is hidden as 404. Defining fields changes
 * every ticket form and profile, so writes are for admins. Callers load the record first (404 beats 403).
 */
export const fieldPolicy = {
  canView(actor: Actor, field: FieldRow): boolean {
    if (actor.role !== 'end-user') return true;
    return field.kind === 'ticket' && field.active && field.visible_in_portal;
  },

  assertCanManage(actor: Actor): void {
    if (actor.role !== 'admin') throw forbidden('Only admins can manage fields');
  },
};
