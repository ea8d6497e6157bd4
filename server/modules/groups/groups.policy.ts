import type { Actor } from '../../platform/auth/authenticate.ts';
import { forbidden } from '../../platform/http/errors.ts';

/**
 * Who may do what to groups and memberships. Every agent reads them (assignment needs them); changing them
 * grants or removes access to tickets, so that is for admins. Callers load the record first (404 beats 403).
 */
export const groupPolicy = {
  assertCanManage(actor: Actor): void {
    if (actor.role !== 'admin') throw forbidden('Only admins can manage groups and memberships');
  },

  /** Which of their groups is the default changes no access, so agents may choose their own. */
  assertCanChooseDefault(actor: Actor, userId: number): void {
    if (actor.role === 'admin') return;
    if (actor.role === 'agent' && actor.userId === userId) return;
    throw forbidden("Only admins can change another agent's default group");
  },
};
