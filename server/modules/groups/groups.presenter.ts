import type { Selectable } from 'kysely';
import { isoTime } from '../../platform/http/format.ts';
import type { GroupMembershipsTable, GroupsTable } from './groups.tables.ts';

export type GroupRow = Selectable<GroupsTable>;
export type GroupMembershipRow = Selectable<GroupMembershipsTable>;

/** A group in Zendesk API v2 shape. */
export function presentGroup(g: GroupRow, url: (path: string) => string) {
  return {
    id: g.id,
    url: url(`/api/v2/groups/${g.id}.json`),
    name: g.name,
    description: g.description,
    default: g.default,
    deleted: g.deleted,
    is_public: g.is_public,
    created_at: isoTime(g.created_at),
    updated_at: isoTime(g.updated_at),
  };
}

export function presentGroupMembership(m: GroupMembershipRow, url: (path: string) => string) {
  return {
    id: m.id,
    url: url(`/api/v2/group_memberships/${m.id}.json`),
    user_id: m.user_id,
    group_id: m.group_id,
    default: m.default,
    created_at: isoTime(m.created_at),
    updated_at: isoTime(m.updated_at),
  };
}
