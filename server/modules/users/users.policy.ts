import type { Actor } from '../../platform/auth/authenticate.ts';
import { forbidden } from '../../platform/http/errors.ts';
import type { UserRow } from './users.queries.ts';
import type { UserRole } from './users.tables.ts';

/** Who may do what to users. Deny by default; callers load the record first (404 beats 403). */
export const userPolicy = {
  canView(actor: Actor, user: UserRow): boolean {
    return actor.role !== 'end-user' || actor.userId === user.id;
  },

  /** Agents manage end-users; only admins manage agents and admins or hand out staff roles. */
  assertCanCreate(actor: Actor, role: UserRole): void {
    if (actor.role === 'admin') return;
    if (actor.role === 'agent' && role === 'end-user') return;
    throw forbidden('Only admins can create agents and admins');
  },

  assertCanUpdate(actor: Actor, user: UserRow, changes: { role?: UserRole; staffFields: boolean }): void {
    if (actor.role === 'admin') return;
    if (actor.role === 'agent') {
      if (user.role !== 'end-user' && user.id !== actor.userId)
        throw forbidden('Only admins can change other agents');
      if (changes.role && changes.role !== user.role) throw forbidden('Only admins can change roles');
      return;
    }
    if (actor.userId !== user.id) throw forbidden();
    if (changes.staffFields || (changes.role && changes.role !== user.role)) {
      throw forbidden('End-users can change only their own name, phone, locale and time zone');
    }
  },

  assertCanDelete(actor: Actor, user: UserRow): void {
    if (actor.userId === user.id) throw forbidden('You cannot delete yourself');
    if (actor.role === 'admin') return;
    if (actor.role === 'agent' && user.role === 'end-user') return;
    throw forbidden('Only admins can delete agents and admins');
  },
};

/** Fields an end-user may change on their own profile. */
export const END_USER_EDITABLE = new Set(['name', 'phone', 'locale', 'time_zone']);
