import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { HavenError } from '../../platform/http/errors.ts';

export interface RuleReferences {
  groupIds: number[];
  userIds: number[];
  fieldIds: number[];
}

/** Groups, users and custom ticket fields a rule names must exist in this account when it is saved. */
export async function assertRuleReferencesExist(db: TenantDb, refs: RuleReferences): Promise<void> {
  const [groups, users, fields] = await Promise.all([
    refs.groupIds.length
      ? db
          .selectFrom('groups')
          .select('id')
          .where('id', 'in', refs.groupIds)
          .where('deleted', '=', false)
          .execute()
      : [],
    refs.userIds.length
      ? db
          .selectFrom('users')
          .select('id')
          .where('id', 'in', refs.userIds)
          .where('deleted_at', 'is', null)
          .execute()
      : [],
    refs.fieldIds.length
      ? db
          .selectFrom('fields')
          .select('id')
          .where('id', 'in', refs.fieldIds)
          .where('kind', '=', 'ticket')
          .where('system', '=', false)
          .execute()
      : [],
  ]);
  const absent = (ids: number[], found: { id: number }[]) =>
    ids.filter((id) => !found.some((f) => f.id === id));
  const problems = [
    ...absent(refs.groupIds, groups).map((id) => `group ${id} does not exist`),
    ...absent(refs.userIds, users).map((id) => `user ${id} does not exist`),
    ...absent(refs.fieldIds, fields).map((id) => `custom ticket field ${id} does not exist`),
  ];
  if (problems.length) {
    throw new HavenError('CS_INVALID', {
      details: { base: problems.map((description) => ({ description, error: 'InvalidValue' })) },
    });
  }
}

export function mergeReferences(...all: RuleReferences[]): RuleReferences {
  const merge = (key: keyof RuleReferences) => [...new Set(all.flatMap((r) => r[key]))];
  return { groupIds: merge('groupIds'), userIds: merge('userIds'), fieldIds: merge('fieldIds') };
}
