import type { Actor } from '../../platform/auth/authenticate.ts';
import { type Restricted, rulePolicy } from '../views/views.policy.ts';

/**
 * Macros follow the rules views do (views.policy.ts): shared ones are for every agent and changed by admins,
 * group ones for the groups' members, personal ones for their owner alone (404 to anyone else).
 */
export const macroPolicy = {
  canSee: (actor: Actor, macro: Restricted, actorGroupIds: number[]) =>
    rulePolicy.canSee(actor, macro, actorGroupIds),
  assertCanManage: (actor: Actor, macro: Restricted) => rulePolicy.assertCanManage(actor, macro, 'macros'),
  assertCanRestrict: (actor: Actor, next: Restricted) => rulePolicy.assertCanRestrict(actor, next, 'macros'),
};
