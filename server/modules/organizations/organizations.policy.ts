import type { Actor } from '../../platform/auth/authenticate.ts';
import { forbidden } from '../../platform/http/errors.ts';
import type { OrganizationRow } from './organizations.presenter.ts';

/** Who may do what to organizations. Deny by default; callers load the record first (404 beats 403). */
export const organizationPolicy = {
  /**
   * Staff see every organization; an end-user sees only their own, and any other is hidden as 404 so that
   * ids cannot be probed. `actorOrganizationId` is the end-user's organization, which the actor does not carry.
   */
  canView(actor: Actor, org: OrganizationRow, actorOrganizationId: number | null): boolean {
    if (actor.role !== 'end-user') return true;
    return actorOrganizationId !== null && actorOrganizationId === org.id;
  },

  /** Organizations decide ticket sharing and who sees whose requests, so changing them is for admins. */
  assertCanManage(actor: Actor): void {
    if (actor.role !== 'admin') throw forbidden('Only admins can manage organizations');
  },
};
