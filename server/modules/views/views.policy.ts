import type { Actor } from '../../platform/auth/authenticate.ts';
import { forbidden } from '../../platform/http/errors.ts';

/** What views and macros share: who they are for (restriction). */
export interface Restricted {
  owner_user_id: number | null;
  restriction_group_ids: number[] | null;
}

/**
 * Who may see and change shared rules (views and macros; the same rules apply to both).
 * - Shared with everyone (no restriction): every agent sees it, admins change it.
 * - Restricted to groups: members of one of the groups and admins see it, admins change it.
 * - Personal (restricted to one user): only that user sees and changes it; to anyone else it does not
 *   exist (404), admins included, since it is that agent's own working list.
 * Callers load the record first, so an invisible one is 404 before any 403.
 */
export const rulePolicy = {
  canSee(actor: Actor, rule: Restricted, actorGroupIds: number[]): boolean {
    if (actor.role === 'end-user') return false;
    if (rule.owner_user_id !== null) return rule.owner_user_id === actor.userId;
    if (rule.restriction_group_ids !== null) {
      return actor.role === 'admin' || rule.restriction_group_ids.some((g) => actorGroupIds.includes(g));
    }
    return true;
  },

  assertCanManage(actor: Actor, rule: Restricted, noun: string): void {
    if (rule.owner_user_id !== null && rule.owner_user_id === actor.userId) return;
    if (actor.role !== 'admin') throw forbidden(`Only admins can change shared ${noun}`);
  },

  /** Agents keep personal ones for themselves; sharing with groups or everyone is for admins. */
  assertCanRestrict(actor: Actor, next: Restricted, noun: string): void {
    if (actor.role === 'admin') return;
    if (next.owner_user_id !== actor.userId) {
      throw forbidden(`Agents can only create personal ${noun}; sharing them is for admins`);
    }
  },
};
